#include "bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace meadow::bench {

// Layout: values [0, kSubBuckets) map to themselves. A larger value with its top bit at
// position p (p >= kSubBucketBits) keeps its kSubBucketBits top bits: the leading 1 and
// kSubBucketBits-1 bits below it, i.e. kSubBuckets/2 buckets per power of two, each
// 2^(p - kSubBucketBits + 1) wide.
std::size_t LatencyHistogram::bucket_of(std::uint64_t value) {
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  const int top = 63 - std::countl_zero(value);            // >= kSubBucketBits
  const int shift = top - (kSubBucketBits - 1);             // >= 1
  const std::uint64_t sub = (value >> shift) - kSubBuckets / 2;  // [0, kSubBuckets/2)
  return kSubBuckets + static_cast<std::size_t>(shift - 1) * (kSubBuckets / 2) +
         static_cast<std::size_t>(sub);
}

std::uint64_t LatencyHistogram::bucket_upper(std::size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const std::size_t rest = bucket - kSubBuckets;
  const int shift = static_cast<int>(rest / (kSubBuckets / 2)) + 1;
  const std::uint64_t sub = rest % (kSubBuckets / 2) + kSubBuckets / 2;
  const std::uint64_t lower = sub << shift;
  const std::uint64_t width = std::uint64_t{1} << shift;
  return lower + (width - 1);  // cannot overflow: the last bucket ends at UINT64_MAX
}

void LatencyHistogram::record(std::uint64_t value_ns) {
  ++counts_[bucket_of(value_ns)];
  ++count_;
  min_ = std::min(min_, value_ns);
  max_ = std::max(max_, value_ns);
  sum_ += static_cast<double>(value_ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

std::uint64_t LatencyHistogram::percentile(double q) const {
  if (count_ == 0) return 0;
  if (q <= 0) return min_;
  q = std::min(q, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_upper(i), min_, max_);
  }
  return max_;
}

}  // namespace meadow::bench
