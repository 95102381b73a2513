#include "store/crc32c.h"

#include <array>

namespace meadow::store {
namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78u;  // Castagnoli, reflected

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? kPolynomial : 0u);
    table[i] = crc;
  }
  return table;
}

constexpr auto kTable = make_table();

void put_u64_le(char* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xffu);
}

}  // namespace

std::uint32_t crc32c_extend(std::uint32_t crc, std::string_view bytes) {
  crc = ~crc;
  for (char c : bytes) {
    crc = kTable[(crc ^ static_cast<unsigned char>(c)) & 0xffu] ^ (crc >> 8);
  }
  return ~crc;
}

std::uint32_t entry_checksum(std::uint64_t index, std::uint64_t term, std::uint8_t kind,
                             std::string_view payload) {
  char head[17];
  put_u64_le(head, index);
  put_u64_le(head + 8, term);
  head[16] = static_cast<char>(kind);
  return crc32c_extend(crc32c_extend(0, std::string_view(head, sizeof head)), payload);
}

}  // namespace meadow::store
