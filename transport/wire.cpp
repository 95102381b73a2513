// Envelope encoding and the total decoder. Every msgpack exception is caught here and mapped to
// a DropReason; the unpack limits keep a hostile length prefix from allocating more than a
// small multiple of the input (msgpack-c pre-allocates arrays and maps by their declared size).
#include "transport/wire.h"

#include "transport/bounded_unpack.h"
#include "transport/string_writer.h"

#include <exception>
#include <new>
#include <utility>

namespace meadow::transport::wire {
namespace {

constexpr std::size_t kEnvelopeFields = 5;

// One row per Body alternative, in variant order.
constexpr MessageType kTypeOfIndex[] = {
    MessageType::raft,
    MessageType::put_request,
    MessageType::delete_request,
    MessageType::get_request,
    MessageType::scan_request,
    MessageType::status_request,
    MessageType::fault_request,
    MessageType::snapshot_request,
    MessageType::ok_reply,
    MessageType::value_reply,
    MessageType::not_found_reply,
    MessageType::not_leader_reply,
    MessageType::error_reply,
    MessageType::scan_reply,
    MessageType::status_reply,
    MessageType::transfer_leader_request,
    MessageType::log_request,
    MessageType::sql_request,
    MessageType::log_reply,
    MessageType::sql_reply,
    MessageType::membership_request,
};
static_assert(std::size(kTypeOfIndex) == std::variant_size_v<Body>);

template <std::size_t I = 0>
bool convert_body(std::uint64_t type, const msgpack::object& o, Body& out) {
  if constexpr (I == std::variant_size_v<Body>) {
    return false;
  } else {
    if (type == static_cast<std::uint64_t>(kTypeOfIndex[I])) {
      std::variant_alternative_t<I, Body> value;
      o.convert(value);
      out = std::move(value);
      return true;
    }
    return convert_body<I + 1>(type, o, out);
  }
}

// The alternative held by `body` as a `Sub` (Request or Reply), if it is one of Sub's.
template <typename Sub>
std::optional<Sub> narrow(Body body) {
  return std::visit(
      [](auto&& b) -> std::optional<Sub> {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_constructible_v<Sub, T> && !std::is_same_v<T, RaftMessage>) {
          return Sub{std::move(b)};
        } else {
          return std::nullopt;
        }
      },
      std::move(body));
}

// Index of alternative T in Body (its row in kTypeOfIndex).
template <typename T, std::size_t I = 0>
constexpr std::size_t body_index() {
  if constexpr (std::is_same_v<T, std::variant_alternative_t<I, Body>>) {
    return I;
  } else {
    return body_index<T, I + 1>();
  }
}

template <typename T>
void pack_envelope(std::string& out, std::string_view cluster_id, std::uint64_t sender,
                   const T& body) {
  StringWriter writer{out};
  msgpack::packer<StringWriter> packer(writer);
  packer.pack_array(kEnvelopeFields);
  packer.pack(kProtocolVersion);
  packer.pack(cluster_id);
  packer.pack(sender);
  packer.pack(static_cast<std::uint64_t>(kTypeOfIndex[body_index<T>()]));
  packer.pack(body);
}

// Most messages are small: one allocation of this size covers them.
constexpr std::size_t kInitialEncodeBytes = 256;

DecodeResult fail(DropReason reason, std::string detail) {
  DecodeResult result;
  result.error = DecodeError{reason, std::move(detail)};
  return result;
}

}  // namespace

MessageType message_type(const Body& body) { return kTypeOfIndex[body.index()]; }

std::string_view to_string(MessageType type) {
  switch (type) {
    case MessageType::raft: return "raft";
    case MessageType::put_request: return "put_request";
    case MessageType::delete_request: return "delete_request";
    case MessageType::get_request: return "get_request";
    case MessageType::scan_request: return "scan_request";
    case MessageType::status_request: return "status_request";
    case MessageType::fault_request: return "fault_request";
    case MessageType::snapshot_request: return "snapshot_request";
    case MessageType::membership_request: return "membership_request";
    case MessageType::ok_reply: return "ok_reply";
    case MessageType::value_reply: return "value_reply";
    case MessageType::not_found_reply: return "not_found_reply";
    case MessageType::not_leader_reply: return "not_leader_reply";
    case MessageType::error_reply: return "error_reply";
    case MessageType::scan_reply: return "scan_reply";
    case MessageType::status_reply: return "status_reply";
    case MessageType::transfer_leader_request: return "transfer_leader_request";
    case MessageType::log_request: return "log_request";
    case MessageType::sql_request: return "sql_request";
    case MessageType::log_reply: return "log_reply";
    case MessageType::sql_reply: return "sql_reply";
  }
  return "unknown";
}

Body to_body(const Request& request) {
  return std::visit([](const auto& r) { return Body{r}; }, request);
}

Body to_body(const Reply& reply) {
  return std::visit([](const auto& r) { return Body{r}; }, reply);
}

std::optional<Request> as_request(Body body) { return narrow<Request>(std::move(body)); }

std::optional<Reply> as_reply(Body body) { return narrow<Reply>(std::move(body)); }

std::string encode(std::string_view cluster_id, std::uint64_t sender, const Body& body) {
  std::string out;
  out.reserve(kInitialEncodeBytes);
  std::visit([&](const auto& b) { pack_envelope(out, cluster_id, sender, b); }, body);
  return out;
}

void encode_into(std::string& out, std::string_view cluster_id, std::uint64_t sender,
                 const RaftMessage& message) {
  out.clear();
  out.reserve(kInitialEncodeBytes);
  pack_envelope(out, cluster_id, sender, message);
}

void encode_into(std::string& out, std::string_view cluster_id, std::uint64_t sender,
                 const Request& request) {
  out.clear();
  out.reserve(kInitialEncodeBytes);
  std::visit([&](const auto& b) { pack_envelope(out, cluster_id, sender, b); }, request);
}

void encode_into(std::string& out, std::string_view cluster_id, std::uint64_t sender,
                 const Reply& reply) {
  out.clear();
  out.reserve(kInitialEncodeBytes);
  std::visit([&](const auto& b) { pack_envelope(out, cluster_id, sender, b); }, reply);
}

DecodeResult decode(std::string_view bytes, const DecodeLimits& limits) {
  if (bytes.size() > limits.max_message_bytes) {
    return fail(DropReason::oversized, std::to_string(bytes.size()) + " bytes > " +
                                           std::to_string(limits.max_message_bytes));
  }
  if (bytes.empty()) return fail(DropReason::malformed, "empty message");
  try {
    std::size_t offset = 0;
    // Every field is converted into owned values below, so a zone reused per thread is safe.
    thread_local ScratchUnpacker unpacker;
    const msgpack::object root = unpacker.unpack(bytes, offset);
    if (offset != bytes.size()) {
      return fail(DropReason::malformed,
                  std::to_string(bytes.size() - offset) + " trailing bytes after the envelope");
    }
    if (root.type != msgpack::type::ARRAY || root.via.array.size != kEnvelopeFields) {
      return fail(DropReason::bad_envelope, "not a 5-element array");
    }
    const msgpack::object* field = root.via.array.ptr;
    if (field[0].type != msgpack::type::POSITIVE_INTEGER ||
        field[1].type != msgpack::type::STR ||
        field[2].type != msgpack::type::POSITIVE_INTEGER ||
        field[3].type != msgpack::type::POSITIVE_INTEGER) {
      return fail(DropReason::bad_envelope, "header field of the wrong type");
    }
    const std::uint64_t version = field[0].via.u64;
    if (version > kProtocolVersion) {
      return fail(DropReason::newer_version, "version " + std::to_string(version));
    }
    if (version < kMinProtocolVersion) {
      return fail(DropReason::older_version, "version " + std::to_string(version));
    }
    const std::string_view cluster(field[1].via.str.ptr, field[1].via.str.size);
    if (cluster.size() > kMaxClusterIdBytes || cluster != limits.cluster_id) {
      return fail(DropReason::wrong_cluster,
                  "cluster '" + std::string(cluster.substr(0, kMaxClusterIdBytes)) + "'");
    }
    const std::uint64_t type = field[3].via.u64;
    Envelope envelope;
    envelope.version = static_cast<std::uint32_t>(version);
    envelope.cluster_id = std::string(cluster);
    envelope.sender = field[2].via.u64;
    try {
      if (!convert_body(type, field[4], envelope.body)) {
        return fail(DropReason::unknown_type, "type " + std::to_string(type));
      }
    } catch (const detail::FieldCountError&) {
      return fail(DropReason::bad_field_count,
                  std::string(to_string(static_cast<MessageType>(type))) + ": wrong field count");
    } catch (const detail::EnumRangeError&) {
      return fail(DropReason::bad_enum_value,
                  std::string(to_string(static_cast<MessageType>(type))) + ": enum out of range");
    } catch (const msgpack::type_error&) {
      return fail(DropReason::bad_field_type,
                  std::string(to_string(static_cast<MessageType>(type))) + ": field type");
    }
    DecodeResult result;
    result.envelope = std::move(envelope);
    return result;
  } catch (const msgpack::insufficient_bytes&) {
    return fail(DropReason::malformed, "truncated msgpack");
  } catch (const msgpack::depth_size_overflow&) {
    return fail(DropReason::malformed, "msgpack nesting too deep");
  } catch (const msgpack::size_overflow&) {
    return fail(DropReason::malformed, "msgpack size limit exceeded");
  } catch (const std::bad_alloc&) {
    return fail(DropReason::malformed, "out of memory while decoding");
  } catch (const std::exception& e) {
    return fail(DropReason::malformed, e.what());
  } catch (...) {
    return fail(DropReason::malformed, "unknown decoder error");
  }
}

}  // namespace meadow::transport::wire
