#include "store/crc32c.h"

#include <catch2/catch.hpp>
#include <string>

using namespace meadow::store;

TEST_CASE("store crc32c: matches the standard check value and RFC 3720 vectors", "[store][crc]") {
  CHECK(crc32c_extend(0, "") == 0u);
  CHECK(crc32c_extend(0, "123456789") == 0xE3069283u);
  CHECK(crc32c_extend(0, std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(crc32c_extend(0, std::string(32, '\xff')) == 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  CHECK(crc32c_extend(0, ascending) == 0x46DD794Eu);
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
