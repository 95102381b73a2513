// CRC32C (Castagnoli polynomial, reflected 0x82F63B78), table-driven, the checksum on every log
// entry. Standard library only; no hardware instructions, so results are the same everywhere.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/types.h"

namespace meadow::store {

/// Extends a running CRC32C with `bytes`. Start with crc = 0; crc32c_extend(0, "123456789")
/// is 0xE3069283 (the standard check value).
std::uint32_t crc32c_extend(std::uint32_t crc, std::string_view bytes);

/// The checksum stored with a log entry: CRC32C over index and term (8 bytes each,
/// little-endian), kind (1 byte), then the payload.
std::uint32_t entry_checksum(std::uint64_t index, std::uint64_t term, std::uint8_t kind,
                             std::string_view payload);
inline std::uint32_t entry_checksum(const LogEntry& entry) {
  return entry_checksum(entry.index, entry.term, entry.kind, entry.payload);
}

}  // namespace meadow::store
