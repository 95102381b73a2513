// FaultPlan and Expectation: the pure parts of the experiment commands, from tables.
#include <catch2/catch.hpp>

#include "shell/expectation.h"
#include "shell/fault_plan.h"

namespace meadow::shell {
namespace {

namespace wire = transport::wire;
using namespace std::chrono_literals;
const std::vector<std::uint64_t> kIds = {1, 2, 3, 4, 5};

}  // namespace

TEST_CASE("fault plan: partition groups parse, and unnamed nodes form one more group", "[shell]") {
  std::string error;
  CHECK(parse_groups("1,2 | 3", kIds, error) == Groups{{1, 2}, {3}, {4, 5}});
  CHECK(parse_groups("1,2|3,4,5", kIds, error) == Groups{{1, 2}, {3, 4, 5}});
  CHECK(parse_groups("3", kIds, error) == Groups{{3}, {1, 2, 4, 5}});
  CHECK(parse_groups("3 | rest", kIds, error) == Groups{{3}, {1, 2, 4, 5}});
  CHECK(parse_groups("rest | 1,2", kIds, error) == Groups{{1, 2}, {3, 4, 5}});
  const char* bad[] = {"1,2,3,4,5", "1,1 | 2", "1 | 9", "a | 2", "1 || 2", ""};
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(parse_groups(text, kIds, error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("fault plan: a partition makes both ends drop the other side", "[shell]") {
  const auto plan = plan_partition({{1, 2}, {3}});
  REQUIRE(plan.size() == 3);
  CHECK(plan[0].node == 1);
  CHECK(plan[0].request.action == wire::FaultAction::drop_peers);
  CHECK(plan[0].request.direction == wire::FaultDirection::both);
  CHECK(plan[0].request.peers == std::vector<std::uint64_t>{3});
  CHECK(plan[2].node == 3);
  CHECK(plan[2].request.peers == std::vector<std::uint64_t>{1, 2});
  CHECK(describe_groups({{1, 2}, {3}}) == "1,2 | 3");
}

TEST_CASE("fault plan: one-way, delay, drop and heal", "[shell]") {
  std::string error;
  CHECK(parse_oneway("1 -> 2", kIds, error) == std::make_pair<std::uint64_t, std::uint64_t>(1, 2));
  CHECK(parse_oneway("4->5", kIds, error) == std::make_pair<std::uint64_t, std::uint64_t>(4, 5));
  CHECK_FALSE(parse_oneway("1 -> 1", kIds, error));
  CHECK_FALSE(parse_oneway("1 2", kIds, error));
  const auto oneway = plan_oneway(1, 2);
  REQUIRE(oneway.size() == 2);
  CHECK(oneway[0].request.direction == wire::FaultDirection::outgoing);
  CHECK(oneway[1].node == 2);
  CHECK(oneway[1].request.direction == wire::FaultDirection::incoming);

  const auto delay = plan_delay(2, {1, 2, 3}, 50ms, 20ms);
  REQUIRE(delay.size() == 3);
  CHECK(delay[1].request.peers == std::vector<std::uint64_t>{1, 3});
  CHECK(delay[0].request.peers == std::vector<std::uint64_t>{2});
  CHECK(delay[0].request.delay_ms == 50);
  CHECK(delay[0].request.jitter_ms == 20);

  CHECK(plan_drop(3, 20)[0].request.drop_percent == 20);
  for (const auto& step : plan_heal({1, 2}))
    CHECK(step.request.action == wire::FaultAction::clear);
}

TEST_CASE("fault plan: durations and percentages", "[shell]") {
  CHECK(parse_duration("50ms") == 50ms);
  CHECK(parse_duration("2s") == 2000ms);
  CHECK(parse_duration("1.5s") == 1500ms);
  CHECK(parse_duration("250") == 250ms);
  CHECK(parse_duration("0") == 0ms);
  CHECK(parse_duration("5m") == 300000ms);
  CHECK(parse_duration("1h") == 3600000ms);
  for (const char* bad : {"", "ms", "-5ms", "+5ms", "1.2.3s", "2h", "3600001ms", "nan", "inf",
                          "5x"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
  CHECK(parse_percent("20%") == 20u);
  CHECK(parse_percent("100") == 100u);
  CHECK_FALSE(parse_percent("101%"));
  CHECK_FALSE(parse_percent("x%"));
}

TEST_CASE("expectation: the checks parse, with an optional within", "[shell]") {
  std::string error;
  auto e = parse_expectation({"leader", "!=", "1", "within", "2s"}, error);
  REQUIRE(e);
  CHECK(e->kind == Expectation::Kind::leader);
  CHECK_FALSE(e->equal);
  CHECK(e->value == "1");
  CHECK(e->within == 2000ms);
  e = parse_expectation({"get", "k", "==", "v"}, error);
  REQUIRE(e);
  CHECK(e->subject == "k");
  CHECK(e->within == 0ms);
  e = parse_expectation({"status", "3", "applied", "==", "7"}, error);
  REQUIRE(e);
  CHECK(e->node == "3");
  CHECK(e->subject == "last_applied");
  e = parse_expectation({"fails", "get", "k", "--from", "2"}, error);
  REQUIRE(e);
  CHECK(e->command == std::vector<std::string>{"get", "k", "--from", "2"});
  CHECK(parse_expectation({"converged", "within", "5s"}, error));

  const std::vector<std::vector<std::string>> bad = {
      {}, {"leader"}, {"leader", "=", "1"}, {"leader", "==", "1", "2"},
      {"status", "1", "colour", "==", "x"}, {"get", "k", "==", "v", "within", "soon"},
      {"weather", "==", "fine"}, {"fails"}, {"converged", "now"}};
  for (const auto& args : bad) {
    INFO(args.size());
    CHECK_FALSE(parse_expectation(args, error));
  }
}

}  // namespace meadow::shell
