#include "node/raft/progress.h"

#include <algorithm>

#include "common/assert.h"

namespace meadow::raft {

const char* progress_state_name(ProgressState state) {
  switch (state) {
    case ProgressState::probe: return "probe";
    case ProgressState::replicate: return "replicate";
    case ProgressState::snapshot: return "snapshot";
  }
  return "?";
}

Progress::Progress(Index next, std::size_t max_inflight)
    : next_(next), max_inflight_(max_inflight) {
  MEADOW_ASSERT(max_inflight >= 1);
}

void Progress::become_probe() {
  state_ = ProgressState::probe;
  pending_snapshot_ = 0;
  next_ = match_ + 1;
  probe_sent_ = false;
  inflight_.clear();
}

void Progress::become_replicate() {
  state_ = ProgressState::replicate;
  pending_snapshot_ = 0;
  next_ = match_ + 1;
  probe_sent_ = false;
  inflight_.clear();
}

void Progress::become_snapshot(Index index) {
  state_ = ProgressState::snapshot;
  pending_snapshot_ = index;
  probe_sent_ = false;
  inflight_.clear();
}

void Progress::snapshot_done(bool ok) {
  const Index delivered = ok ? pending_snapshot_ : 0;
  become_probe();
  next_ = std::max(match_, delivered) + 1;
  probe_sent_ = true;
}

bool Progress::maybe_update(Index index) {
  bool updated = false;
  if (match_ < index) {
    match_ = index;
    updated = true;
    probe_sent_ = false;
  }
  next_ = std::max(next_, index + 1);
  // Acknowledged appends leave the window.
  while (!inflight_.empty() && inflight_.front() <= index) inflight_.pop_front();
  return updated;
}

bool Progress::maybe_decr_to(Index rejected, Index match_hint) {
  if (state_ == ProgressState::replicate) {
    // A rejection of something we already know matches is stale (reordered message).
    if (rejected <= match_) return false;
    // The pipeline went wrong (e.g. the follower lost entries it never acknowledged):
    // restart just past what is known to match.
    next_ = match_ + 1;
    return true;
  }
  // While a snapshot is on its way, rejections of earlier appends say nothing new.
  if (state_ == ProgressState::snapshot) return false;
  // Probe: only the answer to the append we sent last counts.
  if (next_ == 0 || next_ - 1 != rejected) return false;
  next_ = std::max(std::min(rejected, match_hint + 1), match_ + 1);
  probe_sent_ = false;
  return true;
}

void Progress::on_append_sent(Index last_index, std::size_t entry_count) {
  switch (state_) {
    case ProgressState::replicate:
      if (entry_count > 0) {
        // Optimistically assume delivery: pipeline the next append right behind it.
        next_ = last_index + 1;
        inflight_.push_back(last_index);
      }
      break;
    case ProgressState::probe:
      probe_sent_ = true;
      break;
    case ProgressState::snapshot:
      MEADOW_ASSERT(false && "append sent in snapshot state");
  }
}

void Progress::on_heartbeat_response() {
  probe_sent_ = false;
  if (state_ == ProgressState::replicate && inflight_.size() >= max_inflight_) {
    inflight_.pop_front();
  }
}

bool Progress::is_paused() const {
  switch (state_) {
    case ProgressState::probe: return probe_sent_;
    case ProgressState::replicate: return inflight_.size() >= max_inflight_;
    case ProgressState::snapshot: return true;
  }
  return true;
}

}  // namespace meadow::raft
