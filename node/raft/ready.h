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
///   1. persist `hard_state` (if set) and `entries` atomically (Storage::persist);
///   2. send `messages` (a vote or an append acknowledgement vouches for state written in 1);
///   3. apply `committed_entries` in order to the state machine (all kinds, including noop) —
///      or, instead, in the same atomic write as step 1 (group commit, Applier::persist_and_apply);
///   4. serve `read_states` (safe once step 3 is done: each index <= the applied index);
///   5. call RaftCore::advance(ready).
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
  std::vector<Message> messages;         ///< send after persisting; delivery may fail
  std::vector<ReadState> read_states;    ///< reads that became safe to serve after applying

  bool empty() const {
    return !soft_state && !hard_state && !snapshot && entries.empty() && committed_entries.empty() &&
           messages.empty() && read_states.empty();
  }
};

}  // namespace meadow::raft
