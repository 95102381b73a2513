// `meadow bench` as a real process: it spawns a 3-node cluster, runs a short mixed workload and
// prints one JSON report whose counts must add up; then it stops the nodes and removes its
// temporary directory. No timing is asserted.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/support/subprocess.h"

using namespace meadow::test;

namespace {

/// The text after the first `marker` in `json` up to (not including) any of `stops`; fails the
/// test if `marker` is absent. (No std::regex: GCC 12 warns inside it under the sanitizers.)
std::string after(const std::string& json, const std::string& marker, const char* stops) {
  const auto at = json.find(marker);
  REQUIRE(at != std::string::npos);
  const auto from = at + marker.size();
  return json.substr(from, json.find_first_of(stops, from) - from);
}

/// The unsigned number after "name": in `json`.
std::uint64_t number(const std::string& json, const std::string& name) {
  return std::stoull(after(json, "\"" + name + "\":", ",}"));
}

}  // namespace

TEST_CASE("bench: a spawned 3-node cluster answers every request and the report adds up",
          "[bench]") {
  const auto r = run({MEADOW_BINARY, "bench", "--nodes", "3", "--ops", "400", "--clients", "16",
                      "--ratio", "1:1", "--keys", "50", "--timeout", "30000", "--output", "json"},
                     "", std::chrono::minutes(3));
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string& json = r.out;
  CHECK(json.rfind("{\"command\":\"bench\",\"ok\":true", 0) == 0);
  CHECK(number(json, "submitted") == 400);
  CHECK(number(json, "completed") == 400);
  CHECK(number(json, "puts") + number(json, "gets") == 400);
  CHECK(number(json, "puts") > 0);
  CHECK(number(json, "gets") > 0);
  CHECK(number(json, "error_count") == 0);
  CHECK(json.find("\"errors\":{}") != std::string::npos);
  CHECK(json.find("\"durability\":\"full\"") != std::string::npos);
  CHECK(number(json, "nodes") == 3);
  // The latency histograms hold one value per successful request.
  CHECK(std::stoull(after(json, "\"put_latency\":{\"count\":", ",}")) == number(json, "puts"));
  // It cleaned up after itself: the spawned cluster's directory is gone.
  const std::string dir = after(json, "spawned 3-node cluster in ", "\"");
  CHECK_FALSE(dir.empty());
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("bench: bad arguments get a clear error and start nothing", "[bench]") {
  for (const auto& [flag, value, words] :
       {std::tuple{"--ratio", "0:0", "--ratio"}, std::tuple{"--duration", "soon", "--duration"},
        std::tuple{"--value-size", "2000000", "exceeds the limit"},
        std::tuple{"--clients", "0", "--clients"}}) {
    const auto r = run({MEADOW_BINARY, "bench", flag, value}, "", std::chrono::seconds(30));
    INFO(flag << " " << value << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(words) != std::string::npos);
  }
}
