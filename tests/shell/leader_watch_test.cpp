// Tests of the failover report logic (LeaderWatch) and its rendering by Output into string
// streams: views in, events out, with time passed in explicitly.
#include <catch2/catch.hpp>

#include <sstream>

#include "shell/leader_watch.h"
#include "shell/output.h"

using namespace meadow::shell;
namespace wire = meadow::transport::wire;
using namespace std::chrono_literals;

namespace {

/// A view of nodes 1..3; `roles[i]` for node i+1: 'L' leader, 'F' follower, 'D' down.
ClusterView view_of(const std::string& roles, std::uint64_t term) {
  ClusterView view;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    NodeView n;
    n.id = i + 1;
    n.pid_known = true;
    n.process_alive = roles[i] != 'D';
    n.pid = n.process_alive ? 100 + static_cast<std::int64_t>(i) : 0;
    if (n.process_alive) {
      wire::StatusReply s;
      s.node_id = n.id;
      s.term = term;
      s.role = roles[i] == 'L' ? wire::Role::leader : wire::Role::follower;
      n.status = s;
    }
    view.nodes.push_back(n);
  }
  derive_leader(view);
  return view;
}

std::vector<std::string> kinds(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

}  // namespace

TEST_CASE("shell: derive_leader picks the leader of the highest term", "[shell]") {
  CHECK(view_of("FLF", 3).leader == 2);
  CHECK(view_of("FFF", 3).leader == 0);
  CHECK(view_of("FFF", 3).term == 3);
  ClusterView split = view_of("LFL", 4);
  split.nodes[0].status->term = 3;  // an old leader cut off by a partition
  derive_leader(split);
  CHECK(split.leader == 3);
  CHECK(split.term == 4);
  CHECK(view_of("DLF", 2).down_ids() == std::vector<std::uint64_t>{1});
}

TEST_CASE("shell: killing the leader is reported with the election time", "[shell]") {
  LeaderWatch watch;
  const auto t0 = LeaderWatch::Clock::time_point{} + 1000s;
  CHECK(watch.observe(view_of("LFF", 3), t0).empty());  // baseline
  CHECK(watch.leader() == 1);
  watch.node_stopped(1, t0 + 10ms);  // the shell killed it and said so
  CHECK(watch.election_in_progress());
  CHECK(watch.observe(view_of("DFF", 3), t0 + 100ms).empty());
  const auto events = watch.observe(view_of("DFL", 4), t0 + 422ms);
  REQUIRE(kinds(events) == std::vector<std::string>{"leader_changed"});
  CHECK(events[0].text == "node 3 elected leader for term 4 after 412 ms");
  CHECK(events[0].data.dump() == "{\"node\":3,\"term\":4,\"previous\":1,\"election_ms\":412}");
  CHECK_FALSE(watch.election_in_progress());
  CHECK(watch.observe(view_of("DFL", 4), t0 + 500ms).empty());
}

TEST_CASE("shell: a leader lost to another cause is reported, then its successor", "[shell]") {
  LeaderWatch watch;
  const auto t0 = LeaderWatch::Clock::time_point{} + 1000s;
  watch.observe(view_of("FLF", 2), t0);
  auto events = watch.observe(view_of("FDF", 2), t0 + 50ms);  // killed by someone else
  REQUIRE(kinds(events) == std::vector<std::string>{"node_down", "leader_lost"});
  CHECK(events[0].text == "node 2 is down");
  CHECK(events[1].text == "leader node 2 (term 2) lost; election in progress");
  events = watch.observe(view_of("LDF", 3), t0 + 650ms);
  REQUIRE(kinds(events) == std::vector<std::string>{"leader_changed"});
  CHECK(events[0].text == "node 1 elected leader for term 3 after 600 ms");
  events = watch.observe(view_of("LFF", 3), t0 + 700ms);
  REQUIRE(kinds(events) == std::vector<std::string>{"node_up"});
  CHECK(events[0].text == "node 2 is up");
}

TEST_CASE("shell: a leader change without a gap names the previous leader", "[shell]") {
  LeaderWatch watch;
  const auto t0 = LeaderWatch::Clock::time_point{} + 1000s;
  watch.observe(view_of("LFF", 1), t0);
  const auto events = watch.observe(view_of("FLF", 2), t0 + 1s);
  REQUIRE(kinds(events) == std::vector<std::string>{"leader_changed"});
  CHECK(events[0].text == "node 2 elected leader for term 2 (was node 1)");
  CHECK(events[0].data.dump() == "{\"node\":2,\"term\":2,\"previous\":1,\"election_ms\":null}");
}

TEST_CASE("shell: nodes the shell stopped or started itself are not reported again", "[shell]") {
  LeaderWatch watch;
  const auto t0 = LeaderWatch::Clock::time_point{} + 1000s;
  watch.observe(view_of("LFF", 1), t0);
  watch.node_stopped(3, t0);
  CHECK(watch.observe(view_of("LFD", 1), t0 + 10ms).empty());
  watch.node_started(3);
  CHECK(watch.observe(view_of("LFF", 1), t0 + 20ms).empty());
}

TEST_CASE("shell: Output renders results and events as text or one JSON object per line",
          "[shell]") {
  std::ostringstream out, err;
  Output json(out, err, OutputFormat::json, true);
  json.result("put", CommandResult::success(JsonValue::object().set("index", 7), "OK (index 7)"));
  json.result("get", CommandResult::failure("not_found", "key \"k\\x00\" not found"));
  json.event({"leader_changed", JsonValue::object().set("node", 3), "node 3 elected"});
  json.note("banner lines are for people");
  CHECK(out.str() ==
        "{\"command\":\"put\",\"ok\":true,\"data\":{\"index\":7}}\n"
        "{\"command\":\"get\",\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":"
        "\"key \\\"k\\\\x00\\\" not found\"}}\n"
        "{\"event\":\"leader_changed\",\"node\":3}\n");
  CHECK(err.str().empty());

  std::ostringstream tout, terr;
  Output text(tout, terr, OutputFormat::text, false);
  text.result("put", CommandResult::success(JsonValue::object(), "OK (index 7)"));
  text.result("get", CommandResult::failure("not_found", "key k not found"));
  text.event({"leader_changed", JsonValue::object(), "node 3 elected leader for term 4"});
  CHECK(tout.str() == "OK (index 7)\nnode 3 elected leader for term 4\n");
  CHECK(terr.str() == "error: key k not found\n");

  std::ostringstream cout_, cerr_;
  Output colour(cout_, cerr_, OutputFormat::text, true);
  colour.result("get", CommandResult::failure("not_found", "x"));
  CHECK(cerr_.str() == "\033[31merror:\033[0m x\n");
}
