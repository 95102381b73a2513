// CRC32C (Castagnoli polynomial, reflected 0x82F63B78), the checksum on every log entry. Uses
// the SSE4.2 crc32 instruction when the CPU has it (detected at run time, so the build needs no
// -msse4.2), else a portable slicing-by-8 table; both give the same result everywhere.
// Standard library only.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/types.h"

namespace meadow::store {

/// Extends a running CRC32C with `bytes`. Start with crc = 0; crc32c_extend(0, "123456789")
/// is 0xE3069283 (the standard check value). Thread-safe.
std::uint32_t crc32c_extend(std::uint32_t crc, std::string_view bytes);

/// The portable path of crc32c_extend (slicing-by-8, any CPU); exposed for tests.
std::uint32_t crc32c_extend_portable(std::uint32_t crc, std::string_view bytes);
/// Whether this CPU has the SSE4.2 crc32 instruction (crc32c_extend then uses it).
bool crc32c_hardware_available();
/// The hardware path of crc32c_extend; requires crc32c_hardware_available(). Exposed for tests.
std::uint32_t crc32c_extend_hardware(std::uint32_t crc, std::string_view bytes);

/// The checksum stored with a log entry: CRC32C over index and term (8 bytes each,
/// little-endian), kind (1 byte), then the payload.
std::uint32_t entry_checksum(std::uint64_t index, std::uint64_t term, std::uint8_t kind,
                             std::string_view payload);
inline std::uint32_t entry_checksum(const LogEntry& entry) {
  return entry_checksum(entry.index, entry.term, entry.kind, entry.payload);
}

}  // namespace meadow::store
