// Workload: the stream of operations a benchmark sends — puts and gets in the asked ratio over
// a fixed key space (16-byte keys "key-000000000042"), with values of a fixed size — drawn from
// a seeded PRNG of our own so a run is repeatable. Builds each request into buffers it reuses;
// depends on transport's wire types only.
#pragma once

#include <cstdint>
#include <string>

#include "bench/bench_options.h"
#include "transport/wire.h"

namespace meadow::bench {

class Workload {
 public:
  explicit Workload(const BenchOptions& options);

  /// The next request (request id, client id and sequence are the client's to fill in).
  transport::wire::Request next();
  /// Key number `index` as sent: "key-" and 12 digits (16 bytes).
  static std::string key_text(std::uint64_t index);

 private:
  std::uint64_t random();

  std::uint64_t keys_;
  Ratio ratio_;
  transport::wire::ReadConsistency consistency_;
  std::string value_;        ///< the value template; its first bytes carry a counter
  std::uint64_t state_;      ///< splitmix64
  std::uint64_t counter_ = 0;
};

}  // namespace meadow::bench
