// Ready: one batch of work the core hands to its runtime, and the contract for handling it
// (Raft Figure 2: state is durable before any message that vouches for it leaves).
// Standard library only.
#pragma once

#include <optional>
#include <vector>

#include "node/raft/state.h"
#include "node/raft/types.h"

namespace meadow::raft {

/// Handle a Ready in this order (process_ready in ready_handler.h does exactly this):
///   0. install `snapshot` (if set): Storage::install_snapshot, then Applier::restore;
///   1. send the `messages` for which sendable_before_persist() holds (a leader's
///      AppendEntries, heartbeats, snapshots, TimeoutNow: Raft thesis §10.2.1) — or keep them
///      for step 3; sending them early overlaps the followers' fsync with the leader's;
///   2. persist `hard_state` (if set) and `entries` atomically (Storage::persist);
///   3. send the other `messages` (a vote or an append acknowledgement vouches for state
///      written in 2);
///   4. apply `committed_entries` in order to the state machine (all kinds, including noop) —
///      or, instead, in the same atomic write as step 2 (group commit, Applier::persist_and_apply);
///   5. serve `read_states` (safe once step 4 is done: each index <= the applied index);
///   6. call RaftCore::advance(ready): only now does a leader count its own new entries
///      towards the commit quorum, so nothing commits on the strength of a copy not yet durable.
/// Other inputs (step/tick/propose) may be given between ready() and advance(); their effects
/// appear in the next Ready. ready() must not be called again before advance().
struct Ready {
  std::optional<SoftState> soft_state;   ///< set when leader or role changed (for logs/status)
  std::optional<HardState> hard_state;   ///< set when term, vote or commit changed
  /// A snapshot received from the leader (Raft §7): replaces log and state machine before
  /// anything else in this Ready; `entries` and `committed_entries` come after its index.
  std::optional<SnapshotMeta> snapshot;
  /// Entries to append durably; they replace any stored suffix from entries.front().index.
  std::vector<Entry> entries;
  /// Committed entries not yet handed out for applying, ascending and contiguous.
  std::vector<Entry> committed_entries;
  /// Send after persisting, except those sendable_before_persist() (may go first); delivery
  /// may fail.
  std::vector<Message> messages;
  std::vector<ReadState> read_states;    ///< reads that became safe to serve after applying

  bool empty() const {
    return !soft_state && !hard_state && !snapshot && entries.empty() && committed_entries.empty() &&
           messages.empty() && read_states.empty();
  }
};

/// True for what a leader sends its followers (AppendEntries, heartbeats, snapshots,
/// TimeoutNow): these vouch for nothing the sender has not made durable already, so they may
/// leave before the Ready's persist (Raft thesis §10.2.1) — unless that Ready changes the term
/// or vote (a single voter wins within one tick; process_ready checks). Votes, vote requests
/// and every acknowledgement always wait for the persist.
inline bool sendable_before_persist(const Message& m) {
  switch (m.type) {
    case MessageType::append:
    case MessageType::heartbeat:
    case MessageType::snapshot:
    case MessageType::timeout_now: return true;
    default: return false;
  }
}

}  // namespace meadow::raft
