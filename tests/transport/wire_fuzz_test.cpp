// Fuzzing the decoder from Catch2: random byte strings and mutations of valid messages must
// never crash, throw or leak (ASan/UBSan builds check the latter), and whatever decodes must
// re-encode to something that decodes to the same envelope. MEADOW_FUZZ_ITERATIONS sets the
// count (default 500000: ~2 s in Release, ~6 s under ASan); MEADOW_FUZZ_SEED the seed.
#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/transport/random_wire.h"
#include "transport/describe.h"
#include "transport/wire.h"

namespace meadow::transport {
namespace {

const std::string kCluster = "fuzz";

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoull(text, nullptr, 10);
}

// Bytes that steer msgpack's parser into its interesting branches (sizes, containers).
constexpr unsigned char kInteresting[] = {0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
                                          0xc1, 0xc2, 0xc3, 0xc4, 0xc6, 0xcc, 0xcf, 0xd3, 0xd9,
                                          0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff};

std::string mutate(test::Rng& rng, std::string s, const std::vector<std::string>& corpus) {
  const std::uint64_t rounds = 1 + rng.below(4);
  for (std::uint64_t r = 0; r < rounds; ++r) {
    if (s.empty()) s.push_back(static_cast<char>(rng.next()));
    const std::size_t at = rng.below(s.size());
    switch (rng.below(7)) {
      case 0: s[at] = static_cast<char>(s[at] ^ (1u << rng.below(8))); break;
      case 1: s[at] = static_cast<char>(kInteresting[rng.below(std::size(kInteresting))]); break;
      case 2: s.resize(at); break;
      case 3: s.insert(at, rng.bytes(8)); break;
      case 4: s.erase(at, 1 + rng.below(8)); break;
      case 5: {  // splice with another message
        const std::string& other = corpus[rng.below(corpus.size())];
        s = s.substr(0, at) + other.substr(rng.below(other.size() + 1));
        break;
      }
      default: s[at] = static_cast<char>(rng.next()); break;
    }
  }
  return s;
}

TEST_CASE("wire: the decoder survives random and mutated input", "[wire][fuzz]") {
  const std::uint64_t iterations = env_or("MEADOW_FUZZ_ITERATIONS", 500000);
  const std::uint64_t seed = env_or("MEADOW_FUZZ_SEED", 5);
  test::Rng rng(seed);
  std::vector<std::string> corpus;
  for (int i = 0; i < 400; ++i) {
    const auto index = static_cast<std::size_t>(rng.below(std::variant_size_v<wire::Body>));
    corpus.push_back(wire::encode(kCluster, rng.u64(), test::random_body(rng, index)));
  }

  std::uint64_t decoded_ok = 0;
  std::array<std::uint64_t, kDropReasonCount> by_reason{};
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < iterations; ++i) {
    const std::string input = rng.below(8) == 0
                                  ? rng.bytes(64)
                                  : mutate(rng, corpus[rng.below(corpus.size())], corpus);
    const wire::DecodeResult result = wire::decode(input, wire::DecodeLimits{kCluster, 4096});
    if (!result.ok()) {
      const auto reason = static_cast<std::size_t>(result.error.reason);
      REQUIRE(reason < kDropReasonCount);
      ++by_reason[reason];
      continue;
    }
    ++decoded_ok;
    // Whatever is accepted must be a faithful envelope: re-encoding reproduces it.
    const std::string again =
        wire::encode(result.envelope->cluster_id, result.envelope->sender, result.envelope->body);
    const wire::DecodeResult second = wire::decode(again, wire::DecodeLimits{kCluster, 1 << 20});
    INFO("seed " << seed << " iteration " << i << ": " << wire::describe(*result.envelope));
    REQUIRE(second.ok());
    REQUIRE(*second.envelope == *result.envelope);
    (void)wire::describe(*result.envelope);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "wire fuzz: %llu inputs in %.2fs (%.0f/s), %llu decoded, seed %llu\n",
               static_cast<unsigned long long>(iterations), seconds,
               seconds > 0 ? static_cast<double>(iterations) / seconds : 0.0,
               static_cast<unsigned long long>(decoded_ok), static_cast<unsigned long long>(seed));
  // The mutations must reach both sides of the decoder, or the fuzz proves nothing.
  if (iterations >= 10000) {
    CHECK(decoded_ok > 0);
    CHECK(by_reason[static_cast<std::size_t>(DropReason::malformed)] > 0);
    CHECK(by_reason[static_cast<std::size_t>(DropReason::bad_field_type)] +
              by_reason[static_cast<std::size_t>(DropReason::bad_field_count)] +
              by_reason[static_cast<std::size_t>(DropReason::bad_enum_value)] > 0);
  }
}

}  // namespace
}  // namespace meadow::transport
