#include "node/runtime/command_codec.h"

#include <cstdint>
#include <tuple>

#include <msgpack.hpp>

#include "transport/bounded_unpack.h"
#include "transport/string_writer.h"

namespace meadow::node {
namespace {

constexpr std::uint8_t kCommandFormat = 1;
constexpr std::uint32_t kCommandFields = 6;
// Upper bound of the msgpack framing around key and value (array, 4 scalars, 2 str headers).
constexpr std::size_t kCommandOverheadBytes = 1 + 2 + 9 + 9 + 2 + 5 + 5;
// Strings refer into the payload (ScratchUnpacker): no copy until the Command is built.
using Packed = std::tuple<std::uint8_t, std::uint64_t, std::uint64_t, std::uint8_t,
                          std::string_view, std::string_view>;

}  // namespace

std::string encode_command(std::uint64_t client_id, std::uint64_t seq, store::Op op,
                           std::string_view key, std::string_view value) {
  std::string out;
  out.reserve(kCommandOverheadBytes + key.size() + value.size());
  transport::StringWriter writer{out};
  msgpack::packer<transport::StringWriter> packer(writer);
  packer.pack_array(kCommandFields);
  packer.pack(kCommandFormat);
  packer.pack(client_id);
  packer.pack(seq);
  packer.pack(static_cast<std::uint8_t>(op));
  packer.pack(key);
  packer.pack(value);
  return out;
}

std::string encode_command(const store::Command& c) {
  return encode_command(c.client_id, c.seq, c.op, c.key, c.value);
}

std::optional<store::Command> decode_command(std::string_view payload) {
  try {
    std::size_t offset = 0;
    thread_local transport::ScratchUnpacker unpacker;
    const msgpack::object object = unpacker.unpack(payload, offset);
    if (offset != payload.size()) return std::nullopt;
    Packed p;
    object.convert(p);
    const auto& [format, client_id, seq, op, key, value] = p;
    if (format != kCommandFormat) return std::nullopt;
    if (op < static_cast<std::uint8_t>(store::Op::put) ||
        op > static_cast<std::uint8_t>(store::Op::noop))
      return std::nullopt;
    return store::Command{client_id, seq, static_cast<store::Op>(op), std::string(key),
                          std::string(value)};
  } catch (const std::exception&) {  // msgpack::type_error, unpack_error, ...: not a command
    return std::nullopt;
  }
}

}  // namespace meadow::node
