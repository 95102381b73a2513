#include "node/raft/ready_handler.h"

namespace meadow::raft {

bool process_ready(RaftCore& core, Storage& storage, MessageSink& sink, Applier& applier,
                   SendOrder order) {
  if (!core.has_ready()) return false;
  const Ready rd = core.ready();
  // 0. Raft §7: a snapshot replaces log and state machine before anything after it lands.
  if (rd.snapshot) {
    storage.install_snapshot(*rd.snapshot);
    applier.restore(*rd.snapshot);
  }
  // 1. Raft thesis §10.2.1: the leader's AppendEntries leave before its own fsync, which then
  //    overlaps the followers'; the core counts its own copy only after advance(). Not when
  //    this Ready makes the term or vote: a single voter wins inside one tick, and its first
  //    appends must not carry a term that a crash before the persist would let it reuse.
  const bool term_or_vote_new =
      rd.hard_state && (rd.hard_state->term != storage.hard_state().term ||
                        rd.hard_state->voted_for != storage.hard_state().voted_for);
  const bool early = order == SendOrder::leader_first && !term_or_vote_new;
  if (early) {
    for (const Message& m : rd.messages) {
      if (sendable_before_persist(m)) sink.send(m);
    }
  }
  // 2. Raft Figure 2: term, vote and entries are durable before any message vouches for them
  //    (a vote, an append acknowledgement). Group commit: the committed entries are applied in
  //    the same transaction when the applier can.
  const bool applied = !rd.committed_entries.empty() &&
                       applier.persist_and_apply(rd.hard_state, rd.entries, rd.committed_entries);
  if (!applied && (rd.hard_state || !rd.entries.empty())) storage.persist(rd.hard_state, rd.entries);
  // 3. Send the rest.
  for (const Message& m : rd.messages) {
    if (!early || !sendable_before_persist(m)) sink.send(m);
  }
  // 4. Apply, in log order.
  if (!applied && !rd.committed_entries.empty()) applier.apply(rd.committed_entries);
  // 5. Reads are safe now: every read index is <= the applied index.
  if (!rd.read_states.empty()) applier.serve_reads(rd.read_states);
  // 6. Tell the core (a leader counts its own new entries from now on).
  core.advance(rd);
  return true;
}

}  // namespace meadow::raft
