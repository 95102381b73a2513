#include "node/raft/memory_storage.h"

#include <algorithm>

#include "common/assert.h"

namespace meadow::raft {

std::optional<Term> MemoryStorage::term(Index index) const {
  if (index == snapshot_.index) return snapshot_.term;
  if (index < snapshot_.index || index > last_index()) return std::nullopt;
  return entries_[index - snapshot_.index - 1].term;
}

std::vector<Entry> MemoryStorage::entries(Index lo, Index hi, std::uint64_t max_bytes) const {
  MEADOW_ASSERT(first_index() <= lo && lo <= hi && hi <= last_index() + 1);
  std::vector<Entry> out;
  std::uint64_t bytes = 0;
  for (Index i = lo; i < hi; ++i) {
    const Entry& entry = entries_[i - snapshot_.index - 1];
    bytes += entry_bytes(entry);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(entry);
  }
  return out;
}

void MemoryStorage::persist(const std::optional<HardState>& hard_state,
                            const std::vector<Entry>& entries) {
  // Validate everything before changing anything: persist is all or nothing.
  if (!entries.empty()) {
    const Index from = entries.front().index;
    MEADOW_ASSERT(from >= first_index() && from <= last_index() + 1);
    for (std::size_t i = 1; i < entries.size(); ++i) {
      MEADOW_ASSERT(entries[i].index == from + i);
    }
    entries_.resize(from - snapshot_.index - 1);  // drop the conflicting suffix
    entries_.insert(entries_.end(), entries.begin(), entries.end());
  }
  if (hard_state) hard_state_ = *hard_state;
  ++persist_count_;
}

void MemoryStorage::install_snapshot(const SnapshotMeta& snapshot) {
  MEADOW_ASSERT(snapshot.index > 0 && snapshot.term > 0);
  entries_.clear();
  snapshot_ = snapshot;
  hard_state_.commit = std::max(hard_state_.commit, snapshot.index);
  ++persist_count_;
}

void MemoryStorage::compact(Index upto) {
  if (upto <= snapshot_.index) return;
  MEADOW_ASSERT(upto <= last_index());
  const Term upto_term = *term(upto);
  // The snapshot carries the configuration in effect at `upto`: the last config entry the
  // compaction drops, else the one the previous snapshot carried.
  ClusterConfig config = snapshot_.config;
  for (Index i = snapshot_.index + 1; i <= upto; ++i) {
    const Entry& e = entries_[i - snapshot_.index - 1];
    if (e.kind != EntryKind::config) continue;
    if (auto decoded = decode_cluster_config(e.data)) config = std::move(*decoded);
  }
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<long>(upto - snapshot_.index));
  snapshot_ = {upto, upto_term, std::move(config)};
}

}  // namespace meadow::raft
