#include "shell/load_generator.h"

#include <algorithm>

namespace meadow::shell {

LoadGenerator::LoadGenerator(std::vector<transport::ClientEndpoint> endpoints,
                             std::string cluster_id, std::uint32_t rate,
                             std::chrono::milliseconds deadline)
    : rate_(rate) {
  thread_ = std::thread([this, endpoints = std::move(endpoints), cluster_id = std::move(cluster_id),
                         deadline]() mutable { run(std::move(endpoints), std::move(cluster_id), deadline); });
}

void LoadGenerator::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

LoadGenerator::~LoadGenerator() { stop(); }

LoadGenerator::Counts LoadGenerator::take() {
  const Counts now = total();
  const Counts delta{now.ok - taken_.ok, now.errors - taken_.errors};
  taken_ = now;
  return delta;
}

void LoadGenerator::run(std::vector<transport::ClientEndpoint> endpoints, std::string cluster_id,
                        std::chrono::milliseconds deadline) {
  transport::ClientOptions options;
  options.endpoints = std::move(endpoints);
  options.cluster_id = std::move(cluster_id);
  options.deadline = deadline;
  options.attempt_timeout = std::min(deadline, std::chrono::milliseconds(300));
  transport::Client client(std::move(options));
  // Writes are pipelined (the client gives each in-flight write its own session), so the rate
  // holds even when one write takes longer than 1/RATE; the cap keeps a stalled cluster (no
  // leader) from piling up requests, which then count as errors at their deadline.
  constexpr std::size_t kMaxInFlight = 1000;
  const auto interval = std::chrono::microseconds(1'000'000 / rate_);
  auto next = std::chrono::steady_clock::now();
  std::uint64_t n = 0;
  while (!stop_) {
    const auto now = std::chrono::steady_clock::now();
    while (next <= now && client.in_flight() < kMaxInFlight) {
      ++n;
      client.submit(transport::wire::PutRequest{0, 0, 0, "load/" + std::to_string(n), std::to_string(n)});
      next += interval;
    }
    if (next < now) next = now;  // behind: do not burst to catch up
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now);
    for (const auto& c : client.poll_completions(std::clamp(wait, std::chrono::milliseconds(0),
                                                            std::chrono::milliseconds(50))))
      (c.status == transport::ClientStatus::ok ? ok_total_ : errors_total_)++;
  }
  // Writes still in flight finish (or time out) before the totals are final.
  while (client.in_flight() > 0)
    for (const auto& c : client.poll_completions(std::chrono::milliseconds(50)))
      (c.status == transport::ClientStatus::ok ? ok_total_ : errors_total_)++;
}

}  // namespace meadow::shell
