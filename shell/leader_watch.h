// LeaderWatch: turns successive ClusterViews into events — a new leader (and, after a leader was
// lost, how long the election took), a leader lost, a node going down or coming up — so the
// shell can report a failover as it happens. Pure: time is passed in; tested from tables.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "shell/cluster_view.h"
#include "shell/command_result.h"

namespace meadow::shell {

class LeaderWatch {
 public:
  using Clock = std::chrono::steady_clock;

  /// Compares `view` with the previous one and returns what changed, in order: nodes down/up,
  /// leader lost, leader changed. The first view only sets the baseline (no events).
  std::vector<Event> observe(const ClusterView& view, Clock::time_point now);

  /// The shell itself stopped node `id` at `now` (kill, stop, restart) and has reported it: the
  /// node's absence is not reported again, and if it was the leader the election clock starts.
  void node_stopped(std::uint64_t id, Clock::time_point now);
  /// The shell itself started node `id`: its coming up is not reported again.
  void node_started(std::uint64_t id);

  std::uint64_t leader() const { return leader_; }
  std::uint64_t term() const { return term_; }
  /// True between losing a leader and seeing the next one (the shell then polls faster).
  bool election_in_progress() const { return leaderless_since_.has_value(); }

 private:
  bool baseline_ = false;
  std::uint64_t leader_ = 0;
  std::uint64_t term_ = 0;
  std::map<std::uint64_t, bool> up_;
  std::optional<Clock::time_point> leaderless_since_;
  std::uint64_t lost_leader_ = 0;  ///< the leader before the election in progress
};

}  // namespace meadow::shell
