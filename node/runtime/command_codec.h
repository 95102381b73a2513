// The payload of a `normal` Raft log entry: one key-value command, msgpack-encoded as
// [format, client_id, seq, op, key, value]. The format number lets a later version change the
// layout; decoding is total (a bad payload is nullopt, never an exception).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/types.h"

namespace meadow::node {

std::string encode_command(const store::Command& command);
/// The same bytes, from the fields (a request's key and value are not copied first): one
/// allocation, the result.
std::string encode_command(std::uint64_t client_id, std::uint64_t seq, store::Op op,
                           std::string_view key, std::string_view value);
/// nullopt if `payload` is not a command this version understands.
std::optional<store::Command> decode_command(std::string_view payload);

}  // namespace meadow::node
