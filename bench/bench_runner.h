// The benchmark loop: keeps `clients` requests in flight through one pipelined
// transport::Client, records each completion's latency in a histogram per operation, and counts
// errors by kind. Single-threaded; the caller's progress callback runs about once a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "bench/bench_options.h"
#include "bench/histogram.h"
#include "bench/workload.h"
#include "transport/client.h"

namespace meadow::bench {

/// What a run measured (also its state so far, for progress lines).
struct RunStats {
  LatencyHistogram put_latency;            ///< successful puts
  LatencyHistogram get_latency;            ///< successful gets (found or not found)
  std::uint64_t puts = 0;                  ///< successful puts
  std::uint64_t gets = 0;                  ///< successful gets, not_found included
  std::uint64_t gets_not_found = 0;        ///< of those, key absent
  std::uint64_t submitted = 0;
  std::uint64_t retried = 0;               ///< completions that needed more than one attempt
  std::map<std::string, std::uint64_t> errors;  ///< kind -> count, e.g. "deadline_exceeded"
  std::chrono::nanoseconds elapsed{0};     ///< first submit to last completion

  std::uint64_t error_count() const;
  std::uint64_t completed() const { return puts + gets + error_count(); }
  double ops_per_second() const;
};

using ProgressFn = std::function<void(const RunStats& so_far)>;
using StopFn = std::function<bool()>;

/// Runs `workload` until options.ops completions or options.duration (then waits for the
/// requests still in flight), or until `stop` returns true (checked between polls).
RunStats run_workload(transport::Client& client, Workload& workload, const BenchOptions& options,
                      const ProgressFn& progress, const StopFn& stop);

/// Error kind of a failed completion: the client status, or "server_error.<code>".
std::string error_kind(const transport::Completion& completion);

}  // namespace meadow::bench
