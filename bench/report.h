// The final report of `meadow bench`: throughput, latency percentiles per operation, errors by
// kind, durability in force and node memory, as text for people or one JSON object for scripts
// (documented in shell/JSON_OUTPUT.md). Pure: builds strings, prints nothing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "bench/bench_options.h"
#include "bench/bench_runner.h"
#include "shell/json_value.h"

namespace meadow::bench {

struct BenchReport {
  std::string target;       ///< e.g. "spawned 3-node cluster", "attached /tmp/x", "connect"
  int nodes = 0;
  std::string durability;   ///< as the leader reports it, e.g. "synchronous=FULL"; "" = unknown
  const BenchOptions* options = nullptr;
  RunStats stats;
  std::optional<std::uint64_t> first_write_ms;        ///< spawned: launch -> first write acked
  std::map<std::uint64_t, std::uint64_t> peak_rss_kb;  ///< node id -> VmHWM, where readable
  /// CPU time all nodes used during the run (a steadier cost measure than ops/s on a busy
  /// machine); nullopt when the node processes are not known (--connect).
  std::optional<std::uint64_t> node_cpu_ms;
};

/// The one-line progress text: "[  3 s] 19234 ops/s  p99 4.1 ms  errors 0".
std::string progress_line(const RunStats& so_far, const RunStats& previous);
/// Several lines of text, each ending in '\n'.
std::string render_text(const BenchReport& report);
/// {"command":"bench","ok":true,"data":{...}}: see shell/JSON_OUTPUT.md.
shell::JsonValue render_json(const BenchReport& report);
/// "1.23 ms" style text of a duration in ns.
std::string format_ms(std::uint64_t ns);

}  // namespace meadow::bench
