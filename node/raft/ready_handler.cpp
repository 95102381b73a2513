#include "node/raft/ready_handler.h"

namespace meadow::raft {

bool process_ready(RaftCore& core, Storage& storage, MessageSink& sink, Applier& applier) {
  if (!core.has_ready()) return false;
  const Ready rd = core.ready();
  // 0. Raft §7: a snapshot replaces log and state machine before anything after it lands.
  if (rd.snapshot) {
    storage.install_snapshot(*rd.snapshot);
    applier.restore(*rd.snapshot);
  }
  // 1. Raft Figure 2: term, vote and entries are durable before any message vouches for them
  //    (a vote, an append acknowledgement, a leader's own replica count). Group commit: the
  //    committed entries are applied in the same transaction when the applier can.
  const bool applied = !rd.committed_entries.empty() &&
                       applier.persist_and_apply(rd.hard_state, rd.entries, rd.committed_entries);
  if (!applied && (rd.hard_state || !rd.entries.empty())) storage.persist(rd.hard_state, rd.entries);
  // 2. Send.
  for (const Message& m : rd.messages) sink.send(m);
  // 3. Apply, in log order.
  if (!applied && !rd.committed_entries.empty()) applier.apply(rd.committed_entries);
  // 4. Reads are safe now: every read index is <= the applied index.
  if (!rd.read_states.empty()) applier.serve_reads(rd.read_states);
  // 5. Tell the core.
  core.advance(rd);
  return true;
}

}  // namespace meadow::raft
