// Progress: what a leader knows about one follower's log (Raft Figure 2 next_index /
// match_index) plus the flow control of etcd-io/raft: a probe state while the follower's
// position is unknown, a replicate state that pipelines appends within a bounded window.
// Standard library only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

#include "node/raft/types.h"

namespace meadow::raft {

enum class ProgressState : std::uint8_t {
  probe,      ///< position unknown: one append per heartbeat round until an answer arrives
  replicate,  ///< position known: appends are pipelined, at most max_inflight outstanding
  snapshot,   ///< a snapshot is being sent (Raft §7): no appends until report_snapshot
};

const char* progress_state_name(ProgressState state);

class Progress {
 public:
  /// A fresh follower entry: next_index = `next`, match_index = 0, probe state.
  Progress(Index next, std::size_t max_inflight);

  Index match_index() const { return match_; }
  Index next_index() const { return next_; }
  ProgressState state() const { return state_; }
  /// Appends sent in replicate state whose acknowledgement has not arrived.
  std::size_t inflight_count() const { return inflight_.size(); }
  /// True when the follower answered since the last CheckQuorum round.
  bool recent_active() const { return recent_active_; }
  void set_recent_active(bool active) { recent_active_ = active; }

  /// Enter probe state: next_index = match_index + 1, one append at a time.
  void become_probe();
  /// Enter replicate state: next_index = match_index + 1, window emptied.
  void become_replicate();

  /// Enter snapshot state: the follower needs entries we compacted; a snapshot at `index` is
  /// on its way. Paused until snapshot_done() or an acknowledgement past the snapshot.
  void become_snapshot(Index index);
  /// The snapshot transfer ended: `ok` = delivered, the follower holds the snapshot's index
  /// (next_index moves past it); otherwise back to match_index + 1. Probe state, paused until
  /// the next heartbeat answer so a failing follower is not flooded with retries.
  void snapshot_done(bool ok);
  /// The index of the snapshot in flight (snapshot state), else 0.
  Index pending_snapshot() const { return pending_snapshot_; }

  /// The follower acknowledged entries up to `index`. Returns false for a stale ack (index <=
  /// match_index). Unpauses a probe and moves next_index past `index`.
  bool maybe_update(Index index);
  /// The follower rejected an append whose previous entry was `rejected`; `match_hint` is the
  /// highest index that may still match (from the follower's conflict hint). Returns false if
  /// the rejection is stale (Raft §5.3 backtracking, accelerated as in etcd).
  bool maybe_decr_to(Index rejected, Index match_hint);
  /// Record that an append with `entry_count` entries ending at `last_index` was sent.
  void on_append_sent(Index last_index, std::size_t entry_count);
  /// A heartbeat answer arrived: a paused probe may send again, and a full window frees one
  /// slot (its append may have been lost; a lost pipeline must not stall forever).
  void on_heartbeat_response();
  /// True when no append may be sent now (probe awaiting an answer, or the window is full).
  bool is_paused() const;

 private:
  Index match_ = 0;
  Index next_ = 1;
  Index pending_snapshot_ = 0;
  ProgressState state_ = ProgressState::probe;
  bool probe_sent_ = false;
  bool recent_active_ = false;
  std::size_t max_inflight_;
  std::deque<Index> inflight_;  ///< last index of each outstanding append, ascending
};

}  // namespace meadow::raft
