// The simulator's entry point: Catch2 with our own main for `--seeds N` (how many seeds the
// random test runs), `--seed S` (replay one seed, with a trace) and `--first-seed F`.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include <unistd.h>

#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "tests/sim/random_run.h"

#ifndef MEADOW_SIM_DEFAULT_SEEDS
#define MEADOW_SIM_DEFAULT_SEEDS 2000
#endif

namespace {

std::uint64_t g_seeds = MEADOW_SIM_DEFAULT_SEEDS;
std::uint64_t g_first_seed = 1;
std::uint64_t g_seed = 0;  // 0: none given
std::string g_program = "tests/sim/raft_sim";
char g_abort_line[256] = {};

// An assertion inside the core aborts the process: still say which seed to replay.
extern "C" void on_abort(int) {
  (void)!write(2, g_abort_line, std::strlen(g_abort_line));
}

std::string replay_command(std::uint64_t seed) {
  return g_program + " --seed " + std::to_string(seed);
}

bool run_one(std::uint64_t seed, bool trace) {
  std::snprintf(g_abort_line, sizeof g_abort_line, "\nsim: aborted in seed %llu; replay: %s\n",
                static_cast<unsigned long long>(seed), replay_command(seed).c_str());
  const auto result = meadow::sim::run_seed(seed, trace);
  if (trace) std::printf("%s\n", result.summary.c_str());
  if (!result.failure) return true;
  // Re-run with a trace so the report shows what led there (the run is deterministic).
  const auto traced = trace ? result : meadow::sim::run_seed(seed, true);
  std::printf("---- last events of seed %llu ----\n%s\nsim: seed %llu FAILED: %s\nreplay: %s\n",
              static_cast<unsigned long long>(seed), traced.trace.c_str(),
              static_cast<unsigned long long>(seed), result.failure->c_str(),
              replay_command(seed).c_str());
  return false;
}

}  // namespace

TEST_CASE("sim: random faults never break Raft safety and the healed cluster converges",
          "[sim]") {
  if (g_seed != 0) {
    CHECK(run_one(g_seed, /*trace=*/true));
    return;
  }
  std::uint64_t failures = 0;
  for (std::uint64_t s = g_first_seed; s < g_first_seed + g_seeds && failures < 3; ++s) {
    if (!run_one(s, false)) ++failures;
  }
  INFO("seeds " << g_first_seed << ".." << (g_first_seed + g_seeds - 1));
  CHECK(failures == 0);
}

int main(int argc, char* argv[]) {
  Catch::Session session;
  using Catch::clara::Opt;
  session.cli(session.cli() |
              Opt(g_seeds, "N")["--seeds"]("number of random seeds to run") |
              Opt(g_first_seed, "F")["--first-seed"]("first seed of the range") |
              Opt(g_seed, "S")["--seed"]("replay exactly this seed, with a trace"));
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  g_program = argv[0];
  std::signal(SIGABRT, on_abort);
  return session.run();
}
