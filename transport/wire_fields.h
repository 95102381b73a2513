// Strict msgpack adaptors for the wire structs: MEADOW_WIRE_FIELDS is MSGPACK_DEFINE_ARRAY that
// rejects an array with a missing or extra field (msgpack-c's own macro silently defaults them),
// and MEADOW_WIRE_ENUM packs an enum as an integer and rejects values outside [0, last].
// Part of meadow::transport; depends on msgpack-c only. Errors surface as exceptions that the
// decoder (wire.cpp) catches and turns into a DropReason; nothing here is seen outside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <type_traits>

#include <msgpack.hpp>

namespace meadow::transport::wire::detail {

/// Thrown while converting when an array has the wrong number of fields.
struct FieldCountError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// Thrown while converting when an enum's integer lies outside its defined range.
struct EnumRangeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename... Fields>
constexpr std::size_t count_fields(const Fields&...) {
  return sizeof...(Fields);
}

/// Throws unless `o` is an array of exactly `expected` elements.
inline void check_field_count(const msgpack::object& o, std::size_t expected) {
  if (o.type != msgpack::type::ARRAY) throw msgpack::type_error();
  if (o.via.array.size != expected) throw FieldCountError("wrong field count");
}

}  // namespace meadow::transport::wire::detail

/// Inside a struct: pack as a msgpack array of the listed members; unpack strictly.
#define MEADOW_WIRE_FIELDS(...)                                                             \
  template <typename Packer>                                                                \
  void msgpack_pack(Packer& msgpack_pk) const {                                             \
    msgpack::type::make_define_array(__VA_ARGS__).msgpack_pack(msgpack_pk);                 \
  }                                                                                         \
  void msgpack_unpack(msgpack::object const& msgpack_o) {                                   \
    ::meadow::transport::wire::detail::check_field_count(                                   \
        msgpack_o, ::meadow::transport::wire::detail::count_fields(__VA_ARGS__));           \
    msgpack::type::make_define_array(__VA_ARGS__).msgpack_unpack(msgpack_o);                \
  }

/// At global scope: serialise enum `E` as its underlying unsigned integer; on decode accept
/// only [0, last].
#define MEADOW_WIRE_ENUM(E, last)                                                           \
  namespace msgpack {                                                                       \
  MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {                                   \
    namespace adaptor {                                                                     \
    template <>                                                                             \
    struct convert<E> {                                                                     \
      msgpack::object const& operator()(msgpack::object const& o, E& v) const {            \
        const auto raw = o.as<std::uint64_t>();                                             \
        if (raw > static_cast<std::uint64_t>(last))                                         \
          throw ::meadow::transport::wire::detail::EnumRangeError("enum out of range");     \
        v = static_cast<E>(raw);                                                            \
        return o;                                                                           \
      }                                                                                     \
    };                                                                                      \
    template <>                                                                             \
    struct pack<E> {                                                                        \
      template <typename Stream>                                                            \
      msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& p, E const& v) const {   \
        p.pack(static_cast<std::uint64_t>(static_cast<std::underlying_type_t<E>>(v)));      \
        return p;                                                                           \
      }                                                                                     \
    };                                                                                      \
    }                                                                                       \
  }                                                                                         \
  }
