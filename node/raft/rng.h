// A small seeded PRNG (xoshiro256** seeded through splitmix64). Ours, not std's
// distributions, so one seed gives the same sequence with every standard library.
// Header-only, standard library only; used by the core (election timeouts) and the simulator.
#pragma once

#include <cstdint>

namespace meadow::raft {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) { reseed(seed); }

  /// Restart the sequence from `seed`.
  void reseed(std::uint64_t seed) {
    for (auto& word : s_) word = splitmix64(seed);
  }

  /// The next 64 random bits.
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, n); n must be > 0. (Modulo; the bias is negligible for small n.)
  std::uint64_t below(std::uint64_t n) { return next() % n; }

  /// Uniform in [lo, hi); requires lo < hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo)));
  }

  /// True with probability `per_million` / 1,000,000.
  bool chance(std::uint32_t per_million) { return below(1'000'000) < per_million; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::uint64_t s_[4] = {};
};

}  // namespace meadow::raft
