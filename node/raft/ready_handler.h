// process_ready: THE one place that handles a Ready in the order Raft requires (a leader's
// replication messages first, then persist — with the committed entries applied in the same
// atomic write where the applier can —, the other messages, apply, serve reads, advance). The
// node runtime and the simulator both call it, so the simulator exercises the real ordering.
// Standard library only; side effects go through the small interfaces below.
#pragma once

#include <optional>
#include <vector>

#include "node/raft/raft_core.h"
#include "node/raft/ready.h"
#include "node/raft/storage.h"

namespace meadow::raft {

/// Sends messages to peers. Fire and forget: delivery may fail, Raft retries.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  virtual void send(const Message& message) = 0;
};

/// The state machine side.
class Applier {
 public:
  virtual ~Applier() = default;
  /// Apply committed entries in order (all kinds; a noop only advances the applied index).
  virtual void apply(const std::vector<Entry>& committed) = 0;
  /// The log and state machine were just replaced by `snapshot` (Storage::install_snapshot):
  /// the applied index is now snapshot.index; forget anything derived from earlier state.
  virtual void restore(const SnapshotMeta& snapshot) = 0;
  /// Serve reads: every entry up to each `index` has been applied by now.
  virtual void serve_reads(const std::vector<ReadState>& reads) = 0;
  /// Group commit (optional): do what Storage::persist(hard_state, entries) and then
  /// apply(committed) would, in ONE atomic durable write (one fsync for the whole Ready), on
  /// the Storage the core reads. `committed` is never empty; `entries` may be. Returns false if
  /// this applier cannot (the default): process_ready then persists and applies separately.
  virtual bool persist_and_apply(const std::optional<HardState>& hard_state,
                                 const std::vector<Entry>& entries,
                                 const std::vector<Entry>& committed) {
    (void)hard_state, (void)entries, (void)committed;
    return false;
  }
};

/// When the messages sendable_before_persist() leave (ready.h steps 1 and 3).
enum class SendOrder {
  leader_first,   ///< before the persist: followers write while the leader does (§10.2.1)
  after_persist,  ///< with the others, after the persist (the simulator runs both orders)
};

/// If `core` has a Ready: install its snapshot (if any); send the leader's replication
/// messages (SendOrder::leader_first); persist its hard state and entries in one atomic write —
/// applying its committed entries in that same write if the applier supports
/// persist_and_apply —; send the other messages; apply its committed entries (if not done yet);
/// serve its reads; advance.
/// Applying before sending is safe: committed entries are durable on a majority already, and
/// entries of this Ready that they include are made durable by the same atomic write.
/// Returns whether there was a Ready. `storage` is the Storage the core was built on.
bool process_ready(RaftCore& core, Storage& storage, MessageSink& sink, Applier& applier,
                   SendOrder order = SendOrder::leader_first);

}  // namespace meadow::raft
