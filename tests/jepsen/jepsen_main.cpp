// The Jepsen-style suite's entry point: Catch2 with our own main for the run's knobs.
//   jepsen_test --duration 30m            long mode (default 60 s; CI passes a shorter one
//                                         under the sanitizers)
//   jepsen_test --seed S [--nodes N] [--faults kill,pause]   replay a schedule
//   jepsen_test --runs 10 --duration 60s  many short runs (seeds S, S+1, ...)
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>

#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "common/duration.h"
#include "tests/jepsen/jepsen_run.h"

namespace {

std::uint64_t g_seed = 0;  // 0: pick one and print it
std::string g_duration = "60s";
int g_nodes = 5;
int g_clients = 10;
int g_runs = 1;
std::string g_faults = "all";
std::string g_history;
int g_heal_deadline_ms = 5000;

// "90" (seconds), "90s", "1500ms", "30m", "1h"; at least 1 s.
std::optional<std::chrono::milliseconds> parse_run_length(const std::string& text) {
  using namespace std::chrono_literals;
  return meadow::parse_duration(text, 1s, 1s, std::chrono::hours(24 * 365));
}

}  // namespace

TEST_CASE(
    "jepsen: under crashes, pauses and partitions the cluster stays linearizable and "
    "loses nothing",
    "[jepsen]") {
  using namespace meadow::jepsen;
  RunOptions options;
  const auto duration = parse_run_length(g_duration);
  INFO("--duration " << g_duration);
  REQUIRE(duration);
  options.duration = *duration;
  std::string error;
  const bool parsed = parse_fault_kinds(g_faults, options.faults, error);
  INFO("--faults " << g_faults << ": " << error);
  REQUIRE(parsed);
  options.nodes = g_nodes;
  options.clients = g_clients;
  options.history_path = g_history;
  options.heal_write_deadline = std::chrono::milliseconds(g_heal_deadline_ms);
  std::uint64_t seed = g_seed;
  if (seed == 0) seed = std::random_device{}() % 1'000'000 + 1;
  int failed = 0;
  for (int run = 0; run < g_runs; ++run) {
    options.seed = seed + static_cast<std::uint64_t>(run);
    const RunReport report = run_jepsen(options);
    if (!report.failures.empty()) {
      ++failed;
      std::cout << "jepsen: seed " << options.seed << " FAILED; replay with --seed " << options.seed
                << " --nodes " << options.nodes << " --faults " << g_faults << std::endl;
    }
    CHECK(report.failures.empty());
  }
  std::cout << "jepsen: " << (g_runs - failed) << " passed, " << failed << " failed (seeds " << seed
            << ".." << seed + static_cast<std::uint64_t>(g_runs) - 1 << ")" << std::endl;
}

int main(int argc, char* argv[]) {
  Catch::Session session;
  using Catch::clara::Opt;
  session.cli(session.cli() |
              Opt(g_seed, "S")["--seed"]("nemesis and workload seed (default: random, printed)") |
              Opt(g_duration, "D")["--duration"]("run length: 90, 90s, 30m, 1h (default 60s)") |
              Opt(g_nodes, "N")["--nodes"]("cluster size (default 5)") |
              Opt(g_clients, "K")["--clients"]("client threads (default 10)") |
              Opt(g_runs, "R")["--runs"]("runs, with seeds S, S+1, ... (default 1)") |
              Opt(g_faults, "LIST")["--faults"]("fault kinds, comma-separated, or all") |
              Opt(g_history, "PATH")["--history"]("always write the history here") |
              Opt(g_heal_deadline_ms, "MS")["--heal-deadline-ms"](
                  "a write must succeed this soon after healing (default 5000)"));
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  return session.run();
}
