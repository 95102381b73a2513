#include "store/crc32c.h"

#include <array>
#include <cstring>

#include "common/assert.h"

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define MEADOW_CRC32C_X86 1
#endif

namespace meadow::store {
namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78u;  // Castagnoli, reflected

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

// Slicing-by-8 (Intel, Kounavis & Berry 2005): table k advances a byte's CRC through k more
// zero bytes, so eight input bytes are folded with eight independent lookups.
constexpr Tables make_tables() {
  Tables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? kPolynomial : 0u);
    t[0][i] = crc;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::uint32_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xffu];
  }
  return t;
}

constexpr Tables kTables = make_tables();

std::uint32_t byte_at(const unsigned char* p, int i) { return p[i]; }

void put_u64_le(char* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xffu);
}

#ifdef MEADOW_CRC32C_X86
__attribute__((target("sse4.2"))) std::uint32_t extend_sse42(std::uint32_t crc,
                                                             const unsigned char* p,
                                                             std::size_t n) {
  crc = ~crc;
  // Byte steps up to an 8-byte boundary, then 8 bytes per instruction.
  while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) {
    crc = _mm_crc32_u8(crc, *p++);
    --n;
  }
#if defined(__x86_64__)
  std::uint64_t crc64 = crc;
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);  // x86 is little-endian, as the CRC's byte order requires
    crc64 = _mm_crc32_u64(crc64, word);
  }
  crc = static_cast<std::uint32_t>(crc64);
#endif
  for (; n >= 4; n -= 4, p += 4) {
    std::uint32_t word;
    std::memcpy(&word, p, 4);
    crc = _mm_crc32_u32(crc, word);
  }
  while (n-- > 0) crc = _mm_crc32_u8(crc, *p++);
  return ~crc;
}
#endif

using ExtendFn = std::uint32_t (*)(std::uint32_t, std::string_view);

ExtendFn choose_extend() {
  return crc32c_hardware_available() ? &crc32c_extend_hardware : &crc32c_extend_portable;
}

}  // namespace

std::uint32_t crc32c_extend_portable(std::uint32_t crc, std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  crc = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    // Bytes are assembled explicitly: the same result on any endianness.
    crc ^= byte_at(p, 0) | (byte_at(p, 1) << 8) | (byte_at(p, 2) << 16) | (byte_at(p, 3) << 24);
    crc = kTables[7][crc & 0xffu] ^ kTables[6][(crc >> 8) & 0xffu] ^
          kTables[5][(crc >> 16) & 0xffu] ^ kTables[4][crc >> 24] ^ kTables[3][p[4]] ^
          kTables[2][p[5]] ^ kTables[1][p[6]] ^ kTables[0][p[7]];
  }
  while (n-- > 0) crc = kTables[0][(crc ^ *p++) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

bool crc32c_hardware_available() {
#ifdef MEADOW_CRC32C_X86
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
#else
  return false;
#endif
}

std::uint32_t crc32c_extend_hardware(std::uint32_t crc, std::string_view bytes) {
  MEADOW_ASSERT(crc32c_hardware_available());
#ifdef MEADOW_CRC32C_X86
  return extend_sse42(crc, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
#else
  return crc32c_extend_portable(crc, bytes);
#endif
}

std::uint32_t crc32c_extend(std::uint32_t crc, std::string_view bytes) {
  static const ExtendFn extend = choose_extend();
  return extend(crc, bytes);
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
