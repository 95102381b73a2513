// TimelineWatch: elections and PreVote rounds from the nodes' counters, and the commit rate.
#include <catch2/catch.hpp>

#include "shell/timeline_watch.h"

namespace meadow::shell {
namespace {

namespace wire = transport::wire;
using namespace std::chrono_literals;

ClusterView view_of(std::uint64_t leader, std::uint64_t commit,
                    std::vector<std::pair<std::uint64_t, std::uint64_t>> elections) {
  ClusterView v;
  for (std::size_t i = 0; i < elections.size(); ++i) {
    NodeView n;
    n.id = i + 1;
    wire::StatusReply s;
    s.node_id = n.id;
    s.term = 3;
    s.role = n.id == leader ? wire::Role::leader : wire::Role::follower;
    s.commit_index = commit;
    s.counters["raft.elections_started"] = elections[i].first;
    s.counters["raft.pre_elections_started"] = elections[i].second;
    n.status = s;
    v.nodes.push_back(n);
  }
  derive_leader(v);
  return v;
}

std::vector<std::string> kinds(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

}  // namespace

TEST_CASE("timeline: counters that grow are elections, and commits are reported per second",
          "[shell]") {
  TimelineWatch w;
  const auto t0 = TimelineWatch::Clock::time_point{} + 1h;
  CHECK(w.observe(view_of(1, 10, {{1, 1}, {0, 0}, {0, 0}}), t0).empty());  // baseline
  CHECK(kinds(w.observe(view_of(1, 10, {{1, 1}, {0, 1}, {0, 0}}), t0 + 100ms)) ==
        std::vector<std::string>{"pre_vote"});
  const auto e = w.observe(view_of(2, 10, {{1, 1}, {1, 1}, {0, 0}}), t0 + 200ms);
  REQUIRE(kinds(e) == std::vector<std::string>{"election_started"});
  CHECK(e[0].text == "node 2 started an election for term 3");
  // A restarted node reports 0 again: not an election.
  CHECK(w.observe(view_of(2, 10, {{0, 0}, {1, 1}, {0, 0}}), t0 + 300ms).empty());
  // The rate: 50 entries in the 1.2 s since the first view.
  CHECK(w.observe(view_of(2, 60, {{0, 0}, {1, 1}, {0, 0}}), t0 + 900ms).empty());
  const auto c = w.observe(view_of(2, 60, {{0, 0}, {1, 1}, {0, 0}}), t0 + 1200ms);
  REQUIRE(kinds(c) == std::vector<std::string>{"commits"});
  CHECK(c[0].text == "commits: 42/s (commit index 60)");
  // Nothing committed for a second: no event.
  CHECK(w.observe(view_of(2, 60, {{0, 0}, {1, 1}, {0, 0}}), t0 + 2300ms).empty());
}

}  // namespace meadow::shell
