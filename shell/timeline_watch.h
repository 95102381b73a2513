// TimelineWatch: the finer events of the timeline, derived from successive ClusterViews —
// elections (and PreVote rounds) a node started, seen from its counters, terms moving on, and
// the commit rate once per second. LeaderWatch keeps the leader and up/down events. Pure: time
// is passed in; tested from tables.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "shell/cluster_view.h"
#include "shell/command_result.h"

namespace meadow::shell {

class TimelineWatch {
 public:
  using Clock = std::chrono::steady_clock;

  /// Events since the previous view: "election_started" per node whose election counter grew,
  /// "pre_vote" per node whose PreVote counter grew, and at most once per second "commits"
  /// (the leader's commit index and its rate) when it moved. The first view sets the baseline.
  std::vector<Event> observe(const ClusterView& view, Clock::time_point now);

 private:
  struct Seen {
    std::uint64_t elections = 0;
    std::uint64_t pre_elections = 0;
  };
  std::map<std::uint64_t, Seen> nodes_;
  std::optional<Clock::time_point> rate_since_;
  std::uint64_t rate_commit_ = 0;
};

}  // namespace meadow::shell
