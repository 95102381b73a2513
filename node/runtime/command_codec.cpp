#include "node/runtime/command_codec.h"

#include <cstdint>
#include <tuple>

#include <msgpack.hpp>

#include "transport/bounded_unpack.h"

namespace meadow::node {
namespace {

constexpr std::uint8_t kCommandFormat = 1;
using Packed = std::tuple<std::uint8_t, std::uint64_t, std::uint64_t, std::uint8_t, std::string,
                          std::string>;

}  // namespace

std::string encode_command(const store::Command& c) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, Packed{kCommandFormat, c.client_id, c.seq, static_cast<std::uint8_t>(c.op),
                               c.key, c.value});
  return {buffer.data(), buffer.size()};
}

std::optional<store::Command> decode_command(std::string_view payload) {
  try {
    std::size_t offset = 0;
    msgpack::object_handle handle = transport::bounded_unpack(payload, offset);
    if (offset != payload.size()) return std::nullopt;
    Packed p;
    handle.get().convert(p);
    const auto& [format, client_id, seq, op, key, value] = p;
    if (format != kCommandFormat) return std::nullopt;
    if (op < static_cast<std::uint8_t>(store::Op::put) ||
        op > static_cast<std::uint8_t>(store::Op::noop))
      return std::nullopt;
    return store::Command{client_id, seq, static_cast<store::Op>(op), key, value};
  } catch (const std::exception&) {  // msgpack::type_error, unpack_error, ...: not a command
    return std::nullopt;
  }
}

}  // namespace meadow::node
