// One randomized simulation run: a fault phase (drops, duplicates, delays, partitions,
// crashes, crashes inside process_ready, leadership transfers) with clients writing and
// reading, then a liveness phase that heals everything and requires a stable leader and
// every new proposal and read to complete within a bound. Everything derives from the seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace meadow::sim {

struct RunResult {
  std::optional<std::string> failure;  ///< the first violated property, if any
  std::string trace;                   ///< the last events (only when run with trace)
  std::string summary;                 ///< one line of statistics
};

/// Ticks of the fault phase.
inline constexpr int kFaultTicks = 2000;
/// Liveness bound after healing, for electing a stable leader and again for completing the
/// post-heal requests: kLivenessBaseTicks plus kLivenessTicksPerEntry for every entry a
/// follower may have to catch up on, divided by the entries one round trip can carry
/// (max_entries_per_message * max_inflight_messages).
inline constexpr int kLivenessBaseTicks = 300;
inline constexpr int kLivenessTicksPerEntry = 8;

RunResult run_seed(std::uint64_t seed, bool trace);

}  // namespace meadow::sim
