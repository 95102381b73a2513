// The nemesis: injects faults into a TestCluster on a seeded schedule (kill -9 and restart,
// repeated leader kills, kill of every node, leader isolation, majority/minority splits, a bridge
// (partial) partition, one-way partitions, SIGSTOP, delay on one link) and heals after each.
// It tracks which nodes are down and which links are cut, to know when no majority could act.
// The schedule (fault kinds, victims by position, timings) is a function of the seed; which node
// is leader at that moment is not, so a replay repeats the schedule, not every interleaving.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/cluster/test_cluster.h"
#include "tests/jepsen/rng.h"

namespace meadow::jepsen {

enum class FaultKind : std::uint8_t {
  kill,              ///< kill -9 a random node, restart after 0-3 s
  leader_kills,      ///< kill -9 the leader, restart, again on the next leader (2-3 times)
  kill_all,          ///< kill -9 every node at once, restart after 0-3 s
  leader_isolation,  ///< cut the leader off from every peer
  split,             ///< minority / majority halves
  bridge,            ///< two groups that only one node (the bridge) sees both of
  one_way,           ///< one node's outgoing (or incoming) traffic is dropped
  pause,             ///< SIGSTOP one node (sometimes a majority) for 2-10 s
  delay,             ///< 50-500 ms delay both ways on one link
};
constexpr FaultKind kAllFaults[] = {
    FaultKind::kill,  FaultKind::leader_kills, FaultKind::kill_all, FaultKind::leader_isolation,
    FaultKind::split, FaultKind::bridge,       FaultKind::one_way,  FaultKind::pause,
    FaultKind::delay};
std::string_view to_string(FaultKind kind);
/// Parses "kill,pause" or "all"; returns false on an unknown name (and names it in `error`).
bool parse_fault_kinds(const std::string& text, std::vector<FaultKind>& out, std::string& error);

/// A window [from_ns, to_ns] (history time) in which no majority was up and connected.
struct NoQuorumWindow {
  std::int64_t from_ns = 0;
  std::int64_t to_ns = 0;
  std::string fault;
};

class Nemesis {
 public:
  Nemesis(test::TestCluster& cluster, std::uint64_t seed, std::vector<FaultKind> kinds,
          std::chrono::steady_clock::time_point epoch, bool verbose);

  /// Runs fault / heal rounds until `stop` is set (finishing the current round, healed).
  void run(const std::atomic<bool>& stop);
  /// Restores everything: restarts killed nodes, resumes paused ones, clears every link fault.
  /// Returns false (with the reason) if a node could not be reached to clear its faults.
  bool heal_all(std::string& error);

  const std::map<FaultKind, int>& injected() const { return injected_; }
  const std::vector<NoQuorumWindow>& no_quorum_windows() const { return windows_; }
  const std::vector<std::string>& log() const { return log_; }

 private:
  void inject(FaultKind kind, const std::atomic<bool>& stop);
  void hold(std::chrono::milliseconds duration, const std::atomic<bool>& stop);
  test::NodeId leader();
  test::NodeId random_node();
  void kill(test::NodeId id);
  void start(test::NodeId id);
  void pause(test::NodeId id);
  /// drop_peers on `at` for `peers` in `direction`; records the cut links.
  void drop(test::NodeId at, const std::vector<test::NodeId>& peers,
            transport::wire::FaultDirection direction);
  void partition(const std::vector<std::set<test::NodeId>>& groups);
  bool send_fault(test::NodeId at, const transport::wire::FaultRequest& request);
  bool quorum_possible() const;
  /// Around every change to the cluster: a no-quorum window is closed before a change (so it
  /// never includes the moment of healing) and opened after one if no majority is left.
  void before_change();
  void after_change(const std::string& what);
  std::int64_t now_ns() const;
  void say(const std::string& line);

  test::TestCluster& cluster_;
  Rng rng_;
  std::vector<FaultKind> kinds_;
  std::chrono::steady_clock::time_point epoch_;
  bool verbose_;
  std::set<test::NodeId> down_;                          // killed
  std::set<test::NodeId> paused_;                        // SIGSTOPped
  std::set<std::pair<test::NodeId, test::NodeId>> cut_;  // (from, to) messages dropped
  std::map<FaultKind, int> injected_;
  std::vector<NoQuorumWindow> windows_;
  bool in_window_ = false;
  std::vector<std::string> log_;
};

}  // namespace meadow::jepsen
