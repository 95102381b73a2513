// The Raft log and hard state as the core sees them: a read side (modelled on etcd-io/raft's
// Storage) and the write side the Ready handler uses. Implementations: MemoryStorage (tests,
// simulator; documents the contract) and the SQLite one in node/runtime. Standard library only.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "node/raft/state.h"
#include "node/raft/types.h"

namespace meadow::raft {

/// Contract for every implementation:
/// - Entries are contiguous: [first_index(), last_index()], first_index() = snapshot().index + 1;
///   an empty log has last_index() = snapshot().index.
/// - Reads reflect every completed `persist` (read-your-writes), including after a restart.
/// - Only the core's thread calls it; no method throws. A failure to read or write durable
///   state is fatal for the node: implementations stop the process loudly (house style).
class Storage {
 public:
  virtual ~Storage() = default;

  // ---- read side ----
  /// The last persisted hard state ({0, kNoNode, 0} for a fresh node).
  virtual HardState hard_state() const = 0;
  /// Index and term of the last entry covered by the snapshot.
  virtual SnapshotMeta snapshot() const = 0;
  /// snapshot().index + 1.
  virtual Index first_index() const = 0;
  /// Index of the last entry, or snapshot().index when the log is empty.
  virtual Index last_index() const = 0;
  /// Term of entry `index` for index in [snapshot().index, last_index()] (the snapshot's term at
  /// its index; 0 at index 0); nullopt outside that range (compacted or not yet written).
  virtual std::optional<Term> term(Index index) const = 0;
  /// Entries [lo, hi) with first_index() <= lo <= hi <= last_index() + 1, stopping once the
  /// payload bytes reach `max_bytes` but always returning at least one entry when lo < hi.
  virtual std::vector<Entry> entries(Index lo, Index hi, std::uint64_t max_bytes) const = 0;

  // ---- write side (called by process_ready) ----
  /// Atomically (all or nothing, durable on return): store `hard_state` if present, and append
  /// `entries` (contiguous, ascending) after first deleting every stored entry with index
  /// >= entries.front().index (a conflicting suffix). entries.front().index must be in
  /// [first_index(), last_index() + 1].
  virtual void persist(const std::optional<HardState>& hard_state,
                       const std::vector<Entry>& entries) = 0;
  /// Replace the whole log by `snapshot` (Raft §7), durable on return: afterwards snapshot() ==
  /// `snapshot`, last_index() == snapshot.index, and the hard state's commit is at least
  /// snapshot.index. An implementation that also holds the state machine (the node's SQLite
  /// store) replaces that with the snapshot's state in the same atomic step.
  virtual void install_snapshot(const SnapshotMeta& snapshot) = 0;
};

/// Payload size used for `max_bytes` accounting (the command bytes).
inline std::uint64_t entry_bytes(const Entry& entry) { return entry.data.size(); }

}  // namespace meadow::raft
