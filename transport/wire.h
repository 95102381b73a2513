// The Meadow wire protocol: every ZeroMQ payload is one msgpack envelope
// [version, cluster_id, sender, type, body] (layout in transport/PROTOCOL.md). encode() turns a
// header + body into bytes; decode() is total: any input yields an envelope or a DecodeError.
// Depends on msgpack-c and the standard library only; no sockets here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "transport/drop_reason.h"
#include "transport/wire_client.h"
#include "transport/wire_raft.h"

namespace meadow::transport::wire {

/// Version written by encode(); decode() accepts [kMinProtocolVersion, kProtocolVersion].
inline constexpr std::uint32_t kProtocolVersion = 1;
inline constexpr std::uint32_t kMinProtocolVersion = 1;
/// Longest accepted cluster id, in bytes.
inline constexpr std::size_t kMaxClusterIdBytes = 64;
/// Default bound on one encoded message (also used for ZMQ_MAXMSGSIZE, see PeerTransport).
inline constexpr std::size_t kDefaultMaxMessageBytes = 16u << 20;

/// Envelope `type` numbers. Stable on the wire: never renumber, only add.
enum class MessageType : std::uint16_t {
  raft = 1,
  put_request = 16,
  delete_request = 17,
  get_request = 18,
  scan_request = 19,
  status_request = 20,
  fault_request = 21,
  membership_request = 22,
  transfer_leader_request = 25,
  log_request = 26,
  sql_request = 27,
  snapshot_request = 30,
  ok_reply = 32,
  value_reply = 33,
  not_found_reply = 34,
  not_leader_reply = 35,
  error_reply = 36,
  scan_reply = 37,
  status_reply = 38,
  log_reply = 42,
  sql_reply = 43,
};

/// Any message body. The alternative determines the envelope's MessageType (wire.cpp's table
/// lists the types in this order).
using Body = std::variant<RaftMessage, PutRequest, DeleteRequest, GetRequest, ScanRequest,
                          StatusRequest, FaultRequest, SnapshotRequest, OkReply, ValueReply,
                          NotFoundReply, NotLeaderReply, ErrorReply, ScanReply, StatusReply,
                          TransferLeaderRequest, LogRequest, SqlRequest, LogReply, SqlReply,
                          MembershipRequest>;

/// The MessageType written for `body`.
MessageType message_type(const Body& body);
/// Lower-case name of `type`, e.g. "put_request"; "unknown" for numbers not in the enum.
std::string_view to_string(MessageType type);

/// Converts between the Body variant and the request/reply sub-variants.
Body to_body(const Request& request);
Body to_body(const Reply& reply);
/// The request in `body`, or nullopt if `body` is a reply or a Raft message.
std::optional<Request> as_request(Body body);
/// The reply in `body`, or nullopt if `body` is a request or a Raft message.
std::optional<Reply> as_reply(Body body);

/// A decoded message.
struct Envelope {
  std::uint32_t version = kProtocolVersion;
  std::string cluster_id;
  std::uint64_t sender = 0;  ///< node id for peers and servers, client id for clients
  Body body;

  bool operator==(const Envelope&) const = default;
};

/// Why decode() refused its input; `detail` is a short human text (for logs).
struct DecodeError {
  DropReason reason = DropReason::malformed;
  std::string detail;
};

/// Exactly one of `envelope` / `error` is meaningful: ok() tells which.
struct DecodeResult {
  std::optional<Envelope> envelope;
  DecodeError error;

  bool ok() const { return envelope.has_value(); }
};

/// What decode() checks beyond well-formedness.
struct DecodeLimits {
  std::string_view cluster_id;                     ///< required cluster id (exact match)
  std::size_t max_message_bytes = kDefaultMaxMessageBytes;  ///< larger inputs: oversized
};

/// Serialises an envelope with version kProtocolVersion. Never fails (may allocate).
std::string encode(std::string_view cluster_id, std::uint64_t sender, const Body& body);
/// The same bytes as encode(), written into `out` (replaced; its capacity is reused, so a
/// sender that keeps `out` does not allocate per message) without copying the message into a
/// Body first.
void encode_into(std::string& out, std::string_view cluster_id, std::uint64_t sender,
                 const RaftMessage& message);
void encode_into(std::string& out, std::string_view cluster_id, std::uint64_t sender,
                 const Request& request);
void encode_into(std::string& out, std::string_view cluster_id, std::uint64_t sender,
                 const Reply& reply);

/// Parses `bytes`. Total: never throws, never aborts, for any input; allocation is bounded by a
/// small multiple of bytes.size() (msgpack sizes are capped by the input length).
DecodeResult decode(std::string_view bytes, const DecodeLimits& limits);

}  // namespace meadow::transport::wire
