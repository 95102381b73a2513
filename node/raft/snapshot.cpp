// InstallSnapshot (Raft §7): the leader asks its runtime to send a snapshot to a follower whose
// next entry was compacted away; the follower's runtime steps the assembled snapshot in, and the
// core either keeps its log (it already holds the snapshot's last entry) or replaces it.
// The bytes never pass through the core: Message carries only the snapshot's index and term.
#include "node/raft/raft_core.h"

namespace meadow::raft {

void RaftCore::send_snapshot(NodeId to) {
  Progress& pr = progress_.at(to);
  // The runtime may send a newer image (any committed index >= this one): every snapshot it
  // can make covers at least the compacted prefix.
  const Index index = log_.first_index() - 1;
  Message m;
  m.type = MessageType::snapshot;
  m.to = to;
  m.index = index;
  m.log_term = log_.term(index).value_or(0);
  m.commit = log_.committed();
  // The configuration at the snapshot's index travels with it: the config entries before
  // it are compacted away. A runtime that sends a newer image replaces this entry with the
  // configuration at the image's index. (Empty only on a node that joined after `index` and
  // never saw an earlier configuration; the receiver then keeps its own.)
  if (const ClusterConfig config = membership_at(index); !config.empty()) {
    m.entries.push_back(Entry{m.log_term, index, EntryKind::config, encode_cluster_config(config)});
  }
  pr.become_snapshot(index);
  ++counters_.snapshots_requested;
  log_line(LogLevel::info, "follower " + std::to_string(to) + " needs entry " +
                               std::to_string(pr.match_index() + 1) + ", compacted up to " +
                               std::to_string(index) + ": sending a snapshot");
  send(std::move(m));
}

void RaftCore::report_snapshot(NodeId to, bool ok) {
  if (role_ != Role::leader) return;
  auto it = progress_.find(to);
  if (it == progress_.end() || it->second.state() != ProgressState::snapshot) return;
  log_line(ok ? LogLevel::info : LogLevel::warn,
           "snapshot to " + std::to_string(to) + (ok ? " delivered" : " failed; will retry"));
  it->second.snapshot_done(ok);
}

void RaftCore::handle_snapshot(const Message& m) {
  // Without a configuration in the message (an older sender) ours stays in effect.
  SnapshotMeta snapshot{m.index, m.log_term, membership_};
  if (!m.entries.empty()) snapshot.config = *decode_cluster_config(m.entries[0].data);
  Message resp;
  resp.type = MessageType::append_response;
  resp.to = m.from;
  if (snapshot.index <= log_.committed()) {
    // Everything it covers is committed here already (a duplicate or a slow transfer).
    resp.index = log_.committed();
  } else if (log_.match_term(snapshot.index, snapshot.term)) {
    // Raft §7: we hold its last entry, so by Log Matching the prefix is the leader's and it
    // is committed: keep our log (and the entries after it) and just commit.
    log_.commit_to(snapshot.index);
    resp.index = snapshot.index;
  } else {
    // Raft §7: discard the whole log; the runtime installs the snapshot from the next Ready
    // before it persists or applies anything else, and this answer leaves after that.
    log_.restore(snapshot);
    base_membership_ = snapshot.config;
    config_entries_.clear();
    refresh_membership();
    ++counters_.snapshots_restored;
    log_line(LogLevel::info, "restoring snapshot " + std::to_string(snapshot.term) + "/" +
                                 std::to_string(snapshot.index) + " from " +
                                 std::to_string(m.from));
    resp.index = snapshot.index;
  }
  send(std::move(resp));
}

}  // namespace meadow::raft
