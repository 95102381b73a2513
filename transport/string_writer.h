// StringWriter: a msgpack-c packer stream that appends to a std::string, so a message is packed
// straight into the buffer it is sent or stored from (msgpack::sbuffer would malloc 8 KiB per
// message and the result would be copied out again). Header-only; standard library only.
#pragma once

#include <cstddef>
#include <string>

namespace meadow::transport {

struct StringWriter {
  std::string& out;
  /// The packer's stream interface.
  void write(const char* bytes, std::size_t size) { out.append(bytes, size); }
};

}  // namespace meadow::transport
