// FaultFilter: the bookkeeping behind injected faults, and its seeded reproducibility.
#include <catch2/catch.hpp>

#include "transport/drop_counters.h"
#include "transport/fault_filter.h"

namespace meadow::transport {
namespace {

TEST_CASE("faults: drop sets are per direction and cleared together", "[faults]") {
  FaultFilter f;
  CHECK_FALSE(f.active());
  f.drop_outgoing(2);
  f.drop_incoming(3);
  CHECK(f.drops_outgoing(2));
  CHECK_FALSE(f.drops_incoming(2));
  CHECK(f.drops_incoming(3));
  CHECK_FALSE(f.drops_outgoing(3));
  CHECK(f.active());
  f.clear();
  CHECK_FALSE(f.drops_outgoing(2));
  CHECK_FALSE(f.drops_incoming(3));
  CHECK_FALSE(f.active());
}

TEST_CASE("faults: random drops follow the seed and the percentage", "[faults]") {
  FaultFilter a(99);
  FaultFilter b(99);
  a.set_drop_percent(30);
  b.set_drop_percent(30);
  int dropped = 0;
  for (int i = 0; i < 10000; ++i) {
    const bool da = a.drops_randomly();
    REQUIRE(da == b.drops_randomly());
    dropped += da ? 1 : 0;
  }
  CHECK(dropped > 2500);
  CHECK(dropped < 3500);
  a.set_drop_percent(0);
  a.set_drop_percent(100);
  for (int i = 0; i < 100; ++i) CHECK(a.drops_randomly());
  a.set_drop_percent(0);
  for (int i = 0; i < 100; ++i) CHECK_FALSE(a.drops_randomly());
}

TEST_CASE("faults: delays are per peer and 0 removes them", "[faults]") {
  FaultFilter f;
  f.set_delay(4, 50);
  CHECK(f.delay_ms(4) == 50);
  CHECK(f.delay_ms(5) == 0);
  f.set_delay(4, 0);
  CHECK(f.delay_ms(4) == 0);
  CHECK_FALSE(f.active());
}

TEST_CASE("faults: jitter adds a seeded extra in [0, jitter] to each message's delay", "[faults]") {
  FaultFilter a(7), b(7);
  a.set_delay(2, 50, 20);
  b.set_delay(2, 50, 20);
  CHECK(a.delay_ms(2) == 50);
  CHECK(a.describe() == "drop_out={} drop_in={} delay={2:50±20ms} drop=0%");
  bool varied = false;
  for (int i = 0; i < 200; ++i) {
    const auto d = a.draw_delay_ms(2);
    CHECK(d == b.draw_delay_ms(2));
    CHECK(d >= 50);
    CHECK(d <= 70);
    varied = varied || d != 50;
  }
  CHECK(varied);
  CHECK(a.draw_delay_ms(3) == 0);
  CHECK(a.in_force() == a.describe());
  a.clear();
  CHECK(a.in_force().empty());
}

TEST_CASE("faults: a delay above an hour is refused and changes nothing", "[faults]") {
  FaultFilter f;
  wire::FaultRequest r{1, wire::FaultAction::delay_peers, {2}, wire::FaultDirection::both,
                       3'600'001, 0, 0};
  CHECK(f.apply(r, 1));
  r.delay_ms = 10;
  r.jitter_ms = 3'600'001;
  CHECK(f.apply(r, 1));
  CHECK_FALSE(f.active());
}

TEST_CASE("faults: a client's fault request is validated and applied", "[faults]") {
  FaultFilter f;
  using wire::FaultAction;
  using wire::FaultDirection;
  CHECK(f.apply({1, FaultAction::drop_peers, {2, 3}, FaultDirection::outgoing, 0, 0}, 1) ==
        std::nullopt);
  CHECK(f.drops_outgoing(2));
  CHECK(f.drops_outgoing(3));
  CHECK_FALSE(f.drops_incoming(2));
  CHECK(f.apply({1, FaultAction::drop_peers, {4}, FaultDirection::both, 0, 0}, 1) == std::nullopt);
  CHECK(f.drops_outgoing(4));
  CHECK(f.drops_incoming(4));
  CHECK(f.apply({1, FaultAction::delay_peers, {2}, FaultDirection::both, 25, 0}, 1) ==
        std::nullopt);
  CHECK(f.delay_ms(2) == 25);
  CHECK(f.apply({1, FaultAction::drop_percent, {}, FaultDirection::both, 0, 40}, 1) ==
        std::nullopt);
  CHECK(f.describe() == "drop_out={2,3,4} drop_in={4} delay={2:25ms} drop=40%");

  // Invalid requests change nothing.
  CHECK(f.apply({1, FaultAction::drop_percent, {}, FaultDirection::both, 0, 101}, 1));
  CHECK(f.apply({1, FaultAction::drop_peers, {}, FaultDirection::both, 0, 0}, 1));
  CHECK(f.apply({1, FaultAction::drop_peers, {1}, FaultDirection::both, 0, 0}, 1));
  CHECK(f.apply({1, FaultAction::delay_peers, {0}, FaultDirection::both, 5, 0}, 1));
  CHECK(f.describe() == "drop_out={2,3,4} drop_in={4} delay={2:25ms} drop=40%");

  CHECK(f.apply({1, FaultAction::clear, {}, FaultDirection::both, 0, 0}, 1) == std::nullopt);
  CHECK_FALSE(f.active());
}

TEST_CASE("drops: counted per reason, logged at powers of two", "[faults]") {
  std::vector<std::string> lines;
  DropCounters drops("peer 1", [&](std::string_view line) { lines.emplace_back(line); });
  for (int i = 0; i < 9; ++i) drops.record(DropReason::wrong_cluster, "cluster 'x'");
  drops.record(DropReason::malformed, "truncated");
  CHECK(drops.count(DropReason::wrong_cluster) == 9);
  CHECK(drops.count(DropReason::malformed) == 1);
  CHECK(drops.total() == 10);
  // wrong_cluster logged at 1, 2, 4, 8; malformed at 1.
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "peer 1: dropped message (wrong_cluster, 1 so far): cluster 'x'");
  CHECK(lines[3] == "peer 1: dropped message (wrong_cluster, 8 so far): cluster 'x'");
  const auto snapshot = drops.snapshot();
  CHECK(snapshot.size() == 2);
  CHECK(snapshot.at("drop.wrong_cluster") == 9);
}

}  // namespace
}  // namespace meadow::transport
