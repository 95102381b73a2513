#include "store/crc32c.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

using namespace meadow::store;

namespace {

using Crc = std::uint32_t (*)(std::uint32_t, std::string_view);

// The definition, one bit at a time: the reference the fast paths are checked against.
std::uint32_t crc32c_bitwise(std::uint32_t crc, std::string_view bytes) {
  crc = ~crc;
  for (char c : bytes) {
    crc ^= static_cast<unsigned char>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
  }
  return ~crc;
}

// RFC 3720 (iSCSI) appendix B.4 vectors and the standard check value.
void check_known_vectors(Crc crc) {
  CHECK(crc(0, "") == 0u);
  CHECK(crc(0, "123456789") == 0xE3069283u);
  CHECK(crc(0, std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(crc(0, std::string(32, '\xff')) == 0x62A8AB43u);
  std::string ascending;
  std::string descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  CHECK(crc(0, ascending) == 0x46DD794Eu);
  CHECK(crc(0, descending) == 0x113FDB5Cu);
  // An iSCSI SCSI Read (10) command PDU.
  const unsigned char pdu[48] = {0x01, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0x14, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x18,
                                 0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0};
  CHECK(crc(0, std::string_view(reinterpret_cast<const char*>(pdu), sizeof pdu)) == 0xD9963A56u);
}

}  // namespace

TEST_CASE("store crc32c: matches the standard check value and RFC 3720 vectors", "[store][crc]") {
  check_known_vectors(&crc32c_bitwise);
  check_known_vectors(&crc32c_extend);
  check_known_vectors(&crc32c_extend_portable);
}

TEST_CASE("store crc32c: the SSE4.2 path matches the RFC 3720 vectors", "[store][crc]") {
  if (!crc32c_hardware_available()) {
    WARN("this CPU has no SSE4.2: only the portable path is tested");
    return;
  }
  check_known_vectors(&crc32c_extend_hardware);
}

TEST_CASE("store crc32c: both paths agree with the bitwise definition on random lengths and alignments",
          "[store][crc]") {
  std::mt19937_64 rng(20261123);  // the engine's output is fixed by the standard
  std::vector<char> buffer(4096 + 16);
  for (char& c : buffer) c = static_cast<char>(rng());
  for (int round = 0; round < 2000; ++round) {
    const std::size_t offset = rng() % 16;  // every alignment
    const std::size_t length = round < 300 ? static_cast<std::size_t>(round) : rng() % 4096;
    const std::string_view bytes(buffer.data() + offset, length);
    const auto seed = static_cast<std::uint32_t>(rng());
    const std::uint32_t expected = crc32c_bitwise(seed, bytes);
    INFO("offset " << offset << " length " << length);
    REQUIRE(crc32c_extend_portable(seed, bytes) == expected);
    REQUIRE(crc32c_extend(seed, bytes) == expected);
    if (crc32c_hardware_available()) REQUIRE(crc32c_extend_hardware(seed, bytes) == expected);
  }
}

TEST_CASE("store crc32c: extending in pieces equals one pass", "[store][crc]") {
  const std::string text = "the quick brown fox jumps over the lazy dog";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    CHECK(crc32c_extend(crc32c_extend(0, text.substr(0, cut)), text.substr(cut)) ==
          crc32c_extend(0, text));
  }
}

TEST_CASE("store crc32c: an entry checksum covers index, term, kind and payload", "[store][crc]") {
  const std::uint32_t base = entry_checksum(7, 3, 1, "abc");
  CHECK(entry_checksum(8, 3, 1, "abc") != base);
  CHECK(entry_checksum(7, 4, 1, "abc") != base);
  CHECK(entry_checksum(7, 3, 2, "abc") != base);
  CHECK(entry_checksum(7, 3, 1, "abd") != base);
  CHECK(entry_checksum(7, 3, 1, "abc") == base);
  CHECK(entry_checksum(LogEntry{7, 3, 1, "abc"}) == base);
}
