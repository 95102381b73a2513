// LatencyHistogram: an HDR-style log-linear histogram of durations in nanoseconds. Values are
// grouped by power of two, each power split into kSubBuckets linear buckets, so any recorded
// value is reported within 1/64 (about 1.6%) of itself at a fixed memory cost, whatever the
// count (above kSubBuckets, each power of two uses the upper half of its buckets). Standard library only; not thread-safe.
#pragma once

#include <array>
#include <cstdint>

namespace meadow::bench {

class LatencyHistogram {
 public:
  /// Linear buckets per power of two (HDR's layout: a reported value is within 1/64 of itself).
  static constexpr int kSubBucketBits = 7;
  static constexpr std::uint64_t kSubBuckets = 1u << kSubBucketBits;

  /// Adds one value (ns). Any uint64 is accepted.
  void record(std::uint64_t value_ns);
  /// Adds every value of `other`.
  void merge(const LatencyHistogram& other);
  void reset() { *this = LatencyHistogram(); }

  std::uint64_t count() const { return count_; }
  /// Exact smallest / largest value recorded (0 when empty).
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  /// Exact mean (0 when empty).
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0; }
  /// The value at quantile `q` in [0, 1]: the upper end of the bucket that holds the
  /// ceil(q * count)-th smallest value, within [min(), max()] (p0 == min(), p100 == max()).
  /// 0 when empty.
  std::uint64_t percentile(double q) const;

  /// Bucket of `value` and the largest value that bucket holds (exposed for tests).
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t bucket_upper(std::size_t bucket);

 private:
  // Values below kSubBuckets get one bucket each; each further power of two adds kSubBuckets/2.
  static constexpr std::size_t kBuckets = kSubBuckets + (64 - kSubBucketBits) * (kSubBuckets / 2);

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  double sum_ = 0;  // for the mean only
};

}  // namespace meadow::bench
