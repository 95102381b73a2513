#include "node/raft/raft_log.h"

#include <algorithm>

#include "common/assert.h"

namespace meadow::raft {

RaftLog::RaftLog(const Storage& storage, Index applied)
    : storage_(storage),
      offset_(storage.last_index() + 1),
      committed_(storage.hard_state().commit),
      applied_(applied),
      applying_(applied) {
  MEADOW_ASSERT(committed_ <= storage.last_index());
  MEADOW_ASSERT(applied_ <= committed_ || applied_ == storage.snapshot().index);
}

Index RaftLog::first_index() const {
  if (pending_snapshot_) return pending_snapshot_->index + 1;
  return storage_.first_index();
}

Index RaftLog::last_index() const {
  if (!unstable_.empty()) return offset_ + unstable_.size() - 1;
  if (pending_snapshot_) return pending_snapshot_->index;
  return storage_.last_index();
}

Term RaftLog::last_term() const {
  const auto t = term(last_index());
  MEADOW_ASSERT(t.has_value());
  return *t;
}

std::optional<Term> RaftLog::term(Index index) const {
  if (index > last_index()) return std::nullopt;
  if (index >= offset_) return unstable_[index - offset_].term;
  if (pending_snapshot_) {
    // Storage still holds the log the snapshot replaces: nothing of it counts any more.
    if (index == pending_snapshot_->index) return pending_snapshot_->term;
    return std::nullopt;
  }
  return storage_.term(index);
}

bool RaftLog::match_term(Index index, Term t) const {
  const auto ours = term(index);
  return ours && *ours == t;
}

bool RaftLog::is_up_to_date(Index index, Term t) const {
  // Raft §5.4.1: compare the terms of the last entries, then the lengths.
  const Term ours = last_term();
  return t > ours || (t == ours && index >= last_index());
}

std::vector<Entry> RaftLog::entries(Index lo, Index hi, std::uint64_t max_bytes) const {
  MEADOW_ASSERT(first_index() <= lo && lo <= hi && hi <= last_index() + 1);
  std::vector<Entry> out;
  if (lo < offset_) {
    out = storage_.entries(lo, std::min(hi, offset_), max_bytes);
    if (out.size() < std::min(hi, offset_) - lo) return out;  // byte limit reached
  }
  std::uint64_t bytes = 0;
  for (const auto& e : out) bytes += entry_bytes(e);
  for (Index i = std::max(lo, offset_); i < hi; ++i) {
    const Entry& entry = unstable_[i - offset_];
    bytes += entry_bytes(entry);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(entry);
  }
  return out;
}

Index RaftLog::append(std::vector<Entry> entries) {
  if (entries.empty()) return last_index();
  MEADOW_ASSERT(entries.front().index == last_index() + 1);
  truncate_and_append(entries);
  return last_index();
}

std::optional<Index> RaftLog::maybe_append(Index prev_index, Term prev_term, Index leader_commit,
                                           const std::vector<Entry>& entries) {
  // Raft §5.3 receiver rule 2: reply false if the log has no entry at prev_index whose term
  // matches prev_term (the consistency check).
  if (!match_term(prev_index, prev_term)) return std::nullopt;
  const Index last_new = prev_index + entries.size();
  // Rule 3: an existing entry that conflicts with a new one (same index, different term) is
  // deleted with everything after it. Entries we already hold are not rewritten (a delayed,
  // shorter append must not truncate entries a newer append added).
  std::size_t first_new = entries.size();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!match_term(entries[i].index, entries[i].term)) {
      first_new = i;
      break;
    }
  }
  if (first_new < entries.size()) {
    MEADOW_ASSERT(entries[first_new].index > committed_);  // Raft §5.4: committed is never lost
    // Rule 4: append any new entries not already in the log.
    truncate_and_append(std::vector<Entry>(entries.begin() + static_cast<long>(first_new),
                                           entries.end()));
  }
  // Rule 5: commit = min(leaderCommit, index of last new entry).
  commit_to(std::min(leader_commit, last_new));
  return last_new;
}

std::pair<Index, Term> RaftLog::find_conflict_by_term(Index index, Term t) const {
  // Walk back to the last entry whose term is <= t: every entry after it has a term the
  // leader's log cannot contain at that position, so the leader can skip them all at once.
  index = std::min(index, last_index());  // a hint may come from a longer log
  for (; index > 0; --index) {
    const auto ours = term(index);
    if (!ours) return {index, 0};
    if (*ours <= t) return {index, *ours};
  }
  return {0, 0};
}

void RaftLog::commit_to(Index index) {
  if (index <= committed_) return;
  MEADOW_ASSERT(index <= last_index());
  committed_ = index;
}

bool RaftLog::maybe_commit(Index index, Term t) {
  // Raft §5.4.2 (Figure 8): a leader only commits by counting replicas of entries of its own
  // term; earlier entries then commit indirectly by the Log Matching Property.
  if (index > committed_ && term(index) == t) {
    commit_to(index);
    return true;
  }
  return false;
}

std::vector<Entry> RaftLog::next_committed() const {
  if (!has_next_committed()) return {};
  const Index lo = std::max(applying_ + 1, first_index());
  return entries(lo, committed_ + 1, UINT64_MAX);
}

void RaftLog::restore(const SnapshotMeta& snapshot) {
  MEADOW_ASSERT(snapshot.index > committed_);
  pending_snapshot_ = snapshot;
  unstable_.clear();
  offset_ = snapshot.index + 1;
  committed_ = snapshot.index;
  // The snapshot stands in for every entry up to its index: none of them is applied again.
  applying_ = std::max(applying_, snapshot.index);
}

void RaftLog::snapshot_installed(const SnapshotMeta& snapshot) {
  if (pending_snapshot_ == snapshot) pending_snapshot_.reset();
  applied_ = std::max(applied_, snapshot.index);
  applying_ = std::max(applying_, applied_);
}

void RaftLog::applying_to(Index index) {
  MEADOW_ASSERT(index <= committed_);
  applying_ = std::max(applying_, index);
}

void RaftLog::applied_to(Index index) {
  MEADOW_ASSERT(index <= applying_);
  applied_ = std::max(applied_, index);
}

void RaftLog::stable_to(Index index, Term t) {
  if (index < offset_ || index >= offset_ + unstable_.size()) return;
  if (unstable_[index - offset_].term != t) return;  // replaced since the Ready was taken
  unstable_.erase(unstable_.begin(), unstable_.begin() + static_cast<long>(index - offset_ + 1));
  offset_ = index + 1;
}

void RaftLog::truncate_and_append(const std::vector<Entry>& entries) {
  const Index from = entries.front().index;
  if (from == offset_ + unstable_.size()) {
    // Plain append after what we have.
  } else if (from <= offset_) {
    // Replaces (part of) storage's suffix too: the next persist truncates it there.
    MEADOW_ASSERT(from >= first_index());
    offset_ = from;
    unstable_.clear();
  } else {
    unstable_.resize(from - offset_);
  }
  unstable_.insert(unstable_.end(), entries.begin(), entries.end());
}

}  // namespace meadow::raft
