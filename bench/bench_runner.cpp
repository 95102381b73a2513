#include "bench/bench_runner.h"

#include "transport/describe.h"

namespace meadow::bench {

namespace wire = transport::wire;
using Clock = std::chrono::steady_clock;

std::uint64_t RunStats::error_count() const {
  std::uint64_t n = 0;
  for (const auto& [kind, count] : errors) n += count;
  return n;
}

double RunStats::ops_per_second() const {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  return seconds > 0 ? static_cast<double>(puts + gets) / seconds : 0;
}

std::string error_kind(const transport::Completion& c) {
  if (c.status == transport::ClientStatus::server_error && c.reply) {
    if (const auto* error = std::get_if<wire::ErrorReply>(&*c.reply))
      return std::string("server_error.") + wire::error_name(error->code);
    if (std::holds_alternative<wire::NotLeaderReply>(*c.reply)) return "server_error.not_leader";
  }
  return std::string(transport::to_string(c.status));
}

RunStats run_workload(transport::Client& client, Workload& workload, const BenchOptions& options,
                      const ProgressFn& progress, const StopFn& stop) {
  RunStats stats;
  const auto started = Clock::now();
  const auto end = options.duration ? started + *options.duration : Clock::time_point::max();
  auto next_progress = started + std::chrono::seconds(1);
  std::map<std::uint64_t, bool> is_put;  // request id -> put?; bounded by `clients`
  bool stopping = false;
  for (;;) {
    const auto now = Clock::now();
    if (now >= end || (stop && stop())) stopping = true;
    const std::uint64_t cap = options.ops.value_or(UINT64_MAX);
    while (!stopping && client.in_flight() < static_cast<std::size_t>(options.clients) &&
           stats.submitted < cap) {
      wire::Request request = workload.next();
      const bool put = std::holds_alternative<wire::PutRequest>(request);
      is_put.emplace(client.submit(std::move(request)), put);
      ++stats.submitted;
    }
    if (client.in_flight() == 0 && (stopping || stats.submitted >= cap)) break;
    for (const auto& c : client.poll_completions(std::chrono::milliseconds(100))) {
      const auto it = is_put.find(c.request_id);
      const bool put = it != is_put.end() && it->second;
      if (it != is_put.end()) is_put.erase(it);
      if (c.attempts > 1) ++stats.retried;
      const auto ns = static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(c.latency).count());
      if (c.status == transport::ClientStatus::ok && put) {
        ++stats.puts;
        stats.put_latency.record(ns);
      } else if (!put && (c.status == transport::ClientStatus::ok ||
                          c.status == transport::ClientStatus::not_found)) {
        ++stats.gets;
        if (c.status == transport::ClientStatus::not_found) ++stats.gets_not_found;
        stats.get_latency.record(ns);
      } else {
        ++stats.errors[error_kind(c)];
      }
    }
    const auto after = Clock::now();
    stats.elapsed = after - started;
    if (progress && after >= next_progress) {
      progress(stats);
      next_progress += std::chrono::seconds(1);
      if (next_progress < after) next_progress = after + std::chrono::seconds(1);
    }
  }
  stats.elapsed = Clock::now() - started;
  return stats;
}

}  // namespace meadow::bench
