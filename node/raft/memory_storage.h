// MemoryStorage: the in-memory Storage used by unit tests and the simulator. It holds exactly
// what `persist` was given, so a "crash" in the simulator (rebuild the core from this object)
// loses everything that was not persisted. Standard library only.
#pragma once

#include <vector>

#include "node/raft/storage.h"

namespace meadow::raft {

class MemoryStorage : public Storage {
 public:
  MemoryStorage() = default;

  HardState hard_state() const override { return hard_state_; }
  SnapshotMeta snapshot() const override { return snapshot_; }
  Index first_index() const override { return snapshot_.index + 1; }
  Index last_index() const override { return snapshot_.index + entries_.size(); }
  std::optional<Term> term(Index index) const override;
  std::vector<Entry> entries(Index lo, Index hi, std::uint64_t max_bytes) const override;
  void persist(const std::optional<HardState>& hard_state,
               const std::vector<Entry>& entries) override;
  void install_snapshot(const SnapshotMeta& snapshot) override;

  /// Log compaction: drop entries [first_index(), upto] and record (upto, term(upto)) and the
  /// configuration in effect there as the snapshot. The caller keeps the state machine at >= upto (it stands in for the entries).
  /// upto <= snapshot().index is a no-op; upto must be <= last_index().
  void compact(Index upto);

  /// Every stored entry, in index order (tests and simulator invariants).
  const std::vector<Entry>& all_entries() const { return entries_; }
  /// Number of `persist` calls so far (tests count fsync-equivalents).
  std::uint64_t persist_count() const { return persist_count_; }

 private:
  HardState hard_state_;
  SnapshotMeta snapshot_;
  std::vector<Entry> entries_;  ///< entries_[i] has index snapshot_.index + 1 + i
  std::uint64_t persist_count_ = 0;
};

}  // namespace meadow::raft
