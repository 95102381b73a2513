// One Jepsen-style run: start a real cluster, run the workload and the nemesis for a while, heal,
// wait for convergence, read every node's state, and judge: linearizable (final states included
// as a last read per key), nodes identical, a write within the heal deadline, nothing
// acknowledged while no majority could act. Prints a summary; writes the history on failure.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/jepsen/nemesis.h"

namespace meadow::jepsen {

struct RunOptions {
  std::uint64_t seed = 1;
  std::chrono::milliseconds duration{60'000};
  int nodes = 5;
  int clients = 10;
  std::vector<FaultKind> faults{std::begin(kAllFaults), std::end(kAllFaults)};
  std::chrono::milliseconds heal_write_deadline{5000};
  /// Always write the history here; empty = only on failure, as jepsen-history-<seed>.txt.
  std::string history_path;
  std::vector<std::string> node_args;  ///< extra `meadow node` flags
  bool verbose = true;                 ///< print nemesis events as they happen
};

struct RunReport {
  std::vector<std::string> failures;  ///< empty = passed
  std::string summary;                ///< counts, rates, faults, verdict, timings
};

RunReport run_jepsen(const RunOptions& options);

}  // namespace meadow::jepsen
