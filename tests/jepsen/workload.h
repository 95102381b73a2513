// The Jepsen-style client workload: K threads, each with its own Client (ZeroMQ sockets are per
// thread), doing random get / put / delete on a small set of active keys so ops contend, and
// recording every op as invoke + ok / fail / info. Keys retire after a number of ops, which
// keeps each key's history short for the checker. Depends on transport/client only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/jepsen/history.h"
#include "transport/client.h"

namespace meadow::jepsen {

using SteadyClock = std::chrono::steady_clock;

struct WorkloadOptions {
  int clients = 10;
  std::chrono::milliseconds request_timeout{1000};  ///< client deadline per op
  int active_keys = 10;
  int ops_per_key = 500;   ///< a key slot moves to a fresh key after this many ops
  std::uint64_t seed = 1;  ///< picks op kinds and keys (thread i uses seed + i)
  std::string key_prefix = "k";
};

struct WorkloadCounts {
  std::uint64_t ok = 0, fail = 0, info = 0;
};

class Workload {
 public:
  /// `client_options[i]` configures thread i's Client (its deadline is overridden by
  /// request_timeout). `epoch` is time zero of the history.
  Workload(WorkloadOptions options, std::vector<transport::ClientOptions> client_options,
           SteadyClock::time_point epoch);
  ~Workload();  ///< stops and joins the threads
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  void start();
  /// Asks every thread to stop after its current op (at most one request timeout) and joins.
  void stop();
  /// Every op recorded so far, all threads merged, ids unique. Call after stop().
  std::vector<Op> history() const;

 private:
  void run_client(int index);
  std::string key_for_slot(int slot);

  WorkloadOptions options_;
  std::vector<transport::ClientOptions> client_options_;
  SteadyClock::time_point epoch_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> next_op_id_{1};
  std::vector<std::atomic<std::uint64_t>> slot_ops_;
  std::vector<std::thread> threads_;
  std::vector<std::vector<Op>> per_thread_;
};

/// Classifies a finished write: ok, a definite refusal (fail), or unknown (info).
Outcome write_outcome(const transport::Completion& done);

}  // namespace meadow::jepsen
