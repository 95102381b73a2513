// LogTailCache: the newest persisted Raft log entries kept in memory beside SQLite, so that
// handing committed entries out for applying and sending appends to followers that are just
// behind read no rows back (each entry was written moments earlier). It mirrors what the
// storage holds: the persist path feeds it, snapshots clear it. Depends on node/raft types only.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "node/raft/storage.h"
#include "node/raft/types.h"

namespace meadow::node {

class LogTailCache {
 public:
  /// Keeps at most `max_entries` entries and about `max_bytes` payload bytes (the newest).
  LogTailCache(std::size_t max_entries, std::uint64_t max_bytes)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}

  /// `entries` (ascending, contiguous) were just written to storage, replacing every stored
  /// entry from entries.front().index on.
  void persisted(const std::vector<raft::Entry>& entries) {
    if (entries.empty()) return;
    const raft::Index first = entries.front().index;
    if (!tail_.empty() && (first < tail_.front().index || first > tail_.back().index + 1)) {
      clear();  // replaced below what we hold, or a gap: start over from these entries
    }
    while (!tail_.empty() && tail_.back().index >= first) {
      bytes_ -= raft::entry_bytes(tail_.back());
      tail_.pop_back();
    }
    for (const raft::Entry& e : entries) {
      tail_.push_back(e);
      bytes_ += raft::entry_bytes(e);
    }
    while (tail_.size() > max_entries_ || (bytes_ > max_bytes_ && tail_.size() > 1)) {
      bytes_ -= raft::entry_bytes(tail_.front());
      tail_.pop_front();
    }
  }
  /// Storage was replaced (a snapshot was installed): nothing cached is valid.
  void clear() {
    tail_.clear();
    bytes_ = 0;
  }

  /// Entries [lo, hi), capped at `max_bytes` as Storage::entries (at least one entry), if all
  /// of them are cached; nullopt otherwise (read storage).
  std::optional<std::vector<raft::Entry>> entries(raft::Index lo, raft::Index hi,
                                                  std::uint64_t max_bytes) const {
    if (lo >= hi || tail_.empty() || lo < tail_.front().index || hi - 1 > tail_.back().index) {
      return std::nullopt;
    }
    std::vector<raft::Entry> out;
    out.reserve(hi - lo);
    std::uint64_t total = 0;
    for (raft::Index i = lo; i < hi; ++i) {
      const raft::Entry& e = tail_[i - tail_.front().index];
      const std::uint64_t size = raft::entry_bytes(e);
      if (!out.empty() && (size > max_bytes || total > max_bytes - size)) break;
      total += size;
      out.push_back(e);
    }
    return out;
  }
  /// The term of entry `index` if cached.
  std::optional<raft::Term> term(raft::Index index) const {
    if (tail_.empty() || index < tail_.front().index || index > tail_.back().index) {
      return std::nullopt;
    }
    return tail_[index - tail_.front().index].term;
  }
  std::size_t size() const { return tail_.size(); }

 private:
  std::size_t max_entries_;
  std::uint64_t max_bytes_;
  std::deque<raft::Entry> tail_;
  std::uint64_t bytes_ = 0;
};

}  // namespace meadow::node
