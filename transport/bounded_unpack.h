// Unpacking msgpack from untrusted bytes with allocation bounded by the input size. msgpack-c
// reserves memory for an array, map, string or binary from its declared length, so without
// limits a 5-byte input can ask for gigabytes. Used by every decoder of outside input.
#pragma once

#include <cstddef>
#include <string_view>

#include <msgpack.hpp>

namespace meadow::transport {

/// Nesting depth accepted by bounded_unpack (the wire format needs far less).
inline constexpr std::size_t kMaxUnpackDepth = 32;

/// Unpacks one msgpack object from the start of `bytes`, setting `offset` past it. Each array
/// element or map pair takes at least one or two input bytes, so capping declared sizes by the
/// input length refuses no honest input. Throws msgpack's exceptions on bad input (the caller
/// catches them where the input arrived).
inline msgpack::object_handle bounded_unpack(std::string_view bytes, std::size_t& offset) {
  const msgpack::unpack_limit caps(bytes.size(), bytes.size() / 2, bytes.size(), bytes.size(),
                                   bytes.size(), kMaxUnpackDepth);
  return msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, caps);
}

/// bounded_unpack without allocating for small inputs: the msgpack zone is kept from one call to
/// the next (a fresh zone costs two mallocs, one of 8 KiB), and strings and binaries point into
/// `bytes` instead of being copied. The object returned is valid while `bytes` lives and until
/// the next unpack() on this ScratchUnpacker. One per call site and thread (not thread-safe).
class ScratchUnpacker {
 public:
  msgpack::object unpack(std::string_view bytes, std::size_t& offset) {
    // A zone keeps its last chunk when cleared; do not hold on to one grown by a big message.
    if (last_was_big_) {
      zone_ = msgpack::zone();
    } else {
      zone_.clear();
    }
    last_was_big_ = bytes.size() > kKeepZoneForBytes;
    const msgpack::unpack_limit caps(bytes.size(), bytes.size() / 2, bytes.size(), bytes.size(),
                                     bytes.size(), kMaxUnpackDepth);
    const auto reference = [](msgpack::type::object_type, std::size_t, void*) { return true; };
    return msgpack::unpack(zone_, bytes.data(), bytes.size(), offset, reference, nullptr, caps);
  }

 private:
  static constexpr std::size_t kKeepZoneForBytes = 64u << 10;
  msgpack::zone zone_;
  bool last_was_big_ = false;
};

}  // namespace meadow::transport
