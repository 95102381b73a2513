// LoadGenerator: a steady stream of writes in the background (`load start [RATE]`), so a
// failover can be watched under load. One thread with its own transport::Client (ZeroMQ
// sockets belong to one thread); the shell thread reads the per-second counts. Writes keys
// "load/<n>", pipelined, paced to RATE per second.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "transport/client.h"

namespace meadow::shell {

class LoadGenerator {
 public:
  struct Counts {
    std::uint64_t ok = 0;
    std::uint64_t errors = 0;
  };

  /// Starts writing at `rate` writes per second, in [1, 10000]. Each write gives up after
  /// `deadline` (an error in the counts).
  LoadGenerator(std::vector<transport::ClientEndpoint> endpoints, std::string cluster_id,
                std::uint32_t rate, std::chrono::milliseconds deadline);
  /// Stops the thread (waits for the writes in flight, at most `deadline`). Idempotent.
  void stop();
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  /// Counts since the previous take() (any thread; meant for the shell thread).
  Counts take();
  /// Counts since the start.
  Counts total() const { return {ok_total_.load(), errors_total_.load()}; }
  std::uint32_t rate() const { return rate_; }

 private:
  void run(std::vector<transport::ClientEndpoint> endpoints, std::string cluster_id,
           std::chrono::milliseconds deadline);

  std::uint32_t rate_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> ok_total_{0};
  std::atomic<std::uint64_t> errors_total_{0};
  Counts taken_;
  std::thread thread_;
};

}  // namespace meadow::shell
