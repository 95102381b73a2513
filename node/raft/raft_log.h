// RaftLog: the core's view of its log = what Storage holds + the unstable suffix not yet
// persisted, plus the commit and apply cursors (etcd-io/raft's raftLog + unstable).
// Standard library only; reads Storage, never writes it (process_ready does).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "node/raft/storage.h"
#include "node/raft/types.h"

namespace meadow::raft {

class RaftLog {
 public:
  /// Starts from what `storage` holds; commit from its hard state, apply cursor `applied`.
  RaftLog(const Storage& storage, Index applied);

  Index first_index() const;
  Index last_index() const;
  Term last_term() const;
  /// Term of entry `index`, or nullopt when it is compacted or beyond last_index().
  std::optional<Term> term(Index index) const;
  bool match_term(Index index, Term term) const;
  /// Raft §5.4.1: a candidate's log (last term/index) is at least as up to date as ours.
  bool is_up_to_date(Index last_index, Term last_term) const;

  /// Entries [lo, hi) across storage and the unstable suffix, capped at `max_bytes` (at least
  /// one entry when lo < hi). Requires first_index() <= lo <= hi <= last_index() + 1.
  std::vector<Entry> entries(Index lo, Index hi, std::uint64_t max_bytes) const;

  /// Leader append: `entries` start at last_index() + 1. Returns the new last index.
  Index append(std::vector<Entry> entries);
  /// Follower append (Raft §5.3 AppendEntries receiver rules 2-5): if our entry at
  /// `prev_index` has `prev_term`, drop entries we already hold, truncate from the first
  /// conflict, append the rest, commit to min(leader_commit, last new index) and return that
  /// last new index. nullopt when the consistency check fails (nothing changes).
  std::optional<Index> maybe_append(Index prev_index, Term prev_term, Index leader_commit,
                                    const std::vector<Entry>& entries);
  /// The conflict hint for a rejected append (etcd findConflictByTerm): the largest index
  /// <= `index` whose term is <= `term`, with its term.
  std::pair<Index, Term> find_conflict_by_term(Index index, Term term) const;

  Index committed() const { return committed_; }
  /// Raise the commit index to `index` (never lowers); requires index <= last_index().
  void commit_to(Index index);
  /// Raft §5.4.2: commit up to `index` only if that entry is from `term` (the leader's).
  bool maybe_commit(Index index, Term term);

  Index applied() const { return applied_; }
  /// Highest index handed out for applying (>= applied()).
  Index applying() const { return applying_; }

  /// Raft §7: the leader's snapshot `snapshot` replaces our whole log (the caller checked that
  /// we do not already hold its last entry and that it is beyond our commit index). Commit
  /// moves to its index; it is pending until the runtime installed it (Ready::snapshot).
  void restore(const SnapshotMeta& snapshot);
  /// The snapshot restore() accepted that storage does not hold yet.
  const std::optional<SnapshotMeta>& pending_snapshot() const { return pending_snapshot_; }
  /// The runtime installed `snapshot` (storage and state machine now hold it).
  void snapshot_installed(const SnapshotMeta& snapshot);

  // ---- Ready support ----
  const std::vector<Entry>& unstable_entries() const { return unstable_; }
  /// The last index of the durable prefix of this log: every entry up to it is in storage
  /// (stable_to was called for it) and belongs to this log. 0 while a received snapshot is
  /// pending: the entries storage holds are about to be replaced.
  Index persisted_index() const { return pending_snapshot_ ? 0 : offset_ - 1; }
  bool has_next_committed() const { return committed_ > applying_; }
  /// Committed entries (applying(), committed()] that have not been handed out yet.
  std::vector<Entry> next_committed() const;
  /// Entries up to `index` were handed out to be applied.
  void applying_to(Index index);
  /// Entries up to `index` are applied.
  void applied_to(Index index);
  /// Unstable entries up to (`index`, `term`) are now in storage; a no-op if that entry was
  /// replaced meanwhile.
  void stable_to(Index index, Term term);

 private:
  void truncate_and_append(const std::vector<Entry>& entries);

  const Storage& storage_;
  std::optional<SnapshotMeta> pending_snapshot_;  ///< restored, not yet in storage
  std::vector<Entry> unstable_;  ///< entries not yet persisted; unstable_[i].index = offset_ + i
  Index offset_;
  Index committed_;
  Index applied_;
  Index applying_;
};

}  // namespace meadow::raft
