#include "bench/workload.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace meadow::bench {

namespace wire = transport::wire;

Workload::Workload(const BenchOptions& options)
    : keys_(options.keys),
      ratio_(options.ratio),
      consistency_(options.consistency == Consistency::stale ? wire::ReadConsistency::stale
                                                             : wire::ReadConsistency::linearizable),
      value_(options.value_size, 'v'),
      state_(options.seed) {}

std::uint64_t Workload::random() {
  // splitmix64: tiny, fast and identical everywhere (std distributions are not).
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string Workload::key_text(std::uint64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key-%012llu", static_cast<unsigned long long>(index));
  return buf;
}

wire::Request Workload::next() {
  const std::uint64_t total = std::uint64_t{ratio_.put} + ratio_.get;
  const bool put = random() % total < ratio_.put;
  std::string key = key_text(random() % keys_);
  if (put) {
    // Values differ from one put to the next (a counter in the first bytes), so a store that
    // skipped unchanged values would not look faster than it is.
    ++counter_;
    std::memcpy(value_.data(), &counter_, std::min(value_.size(), sizeof counter_));
    return wire::PutRequest{0, 0, 0, std::move(key), value_};
  }
  return wire::GetRequest{0, std::move(key), consistency_};
}

}  // namespace meadow::bench
