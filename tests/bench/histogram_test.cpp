#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "bench/histogram.h"

namespace meadow::bench {
namespace {

TEST_CASE("histogram: an empty histogram reports zeros", "[bench]") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.percentile(0.5) == 0);
  CHECK(h.max() == 0);
  CHECK(h.min() == 0);
  CHECK(h.mean() == 0);
}

TEST_CASE("histogram: small values are exact and large ones within 1/64 of themselves",
          "[bench]") {
  for (std::uint64_t v = 0; v < LatencyHistogram::kSubBuckets; ++v)
    CHECK(LatencyHistogram::bucket_upper(LatencyHistogram::bucket_of(v)) == v);
  const std::vector<std::uint64_t> values = {128, 129, 255, 256, 1000, 123456, 987654321,
                                             (std::uint64_t{1} << 40) + 12345, UINT64_MAX / 3,
                                             UINT64_MAX};
  for (std::uint64_t v : values) {
    const std::uint64_t upper = LatencyHistogram::bucket_upper(LatencyHistogram::bucket_of(v));
    CHECK(upper >= v);
    CHECK(upper - v <= v / 64);
  }
}

TEST_CASE("histogram: buckets are contiguous and ordered over the whole range", "[bench]") {
  // Every bucket's upper end + 1 falls in the next bucket.
  std::size_t bucket = 0;
  while (LatencyHistogram::bucket_upper(bucket) != UINT64_MAX) {
    const std::uint64_t next = LatencyHistogram::bucket_upper(bucket) + 1;
    REQUIRE(LatencyHistogram::bucket_of(next) == bucket + 1);
    ++bucket;
  }
  CHECK(LatencyHistogram::bucket_of(UINT64_MAX) == bucket);
}

TEST_CASE("histogram: percentiles of a known distribution", "[bench]") {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v * 1000);  // 1 us .. 100 ms
  CHECK(h.count() == 100000);
  CHECK(h.min() == 1000);
  CHECK(h.max() == 100000000);
  CHECK(h.mean() == Approx(50000500.0));
  auto near = [](std::uint64_t got, double want) {
    return static_cast<double>(got) >= want && static_cast<double>(got) <= want * (1 + 1.0 / 64);
  };
  CHECK(near(h.percentile(0.5), 50000000.0));
  CHECK(near(h.percentile(0.9), 90000000.0));
  CHECK(near(h.percentile(0.99), 99000000.0));
  CHECK(near(h.percentile(0.999), 99900000.0));
  CHECK(h.percentile(1.0) == h.max());
  CHECK(h.percentile(0.0) == h.min());
}

TEST_CASE("histogram: merging equals recording everything in one", "[bench]") {
  LatencyHistogram a, b, all;
  for (std::uint64_t v = 0; v < 5000; ++v) {
    const std::uint64_t x = v * v * 37 + 11;
    (v % 3 ? a : b).record(x);
    all.record(x);
  }
  a.merge(b);
  CHECK(a.count() == all.count());
  CHECK(a.min() == all.min());
  CHECK(a.max() == all.max());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) CHECK(a.percentile(q) == all.percentile(q));
}

TEST_CASE("histogram: a single outlier shows up as the max and the top percentile", "[bench]") {
  LatencyHistogram h;
  for (int i = 0; i < 999; ++i) h.record(1000000);
  h.record(500000000);
  CHECK(h.percentile(0.99) <= 1000000 + 1000000 / 64);
  CHECK(h.percentile(0.9995) == 500000000);
  CHECK(h.max() == 500000000);
}

}  // namespace
}  // namespace meadow::bench
