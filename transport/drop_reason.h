// Why the transport discarded a message: decode failures (from wire::decode) and transport-level
// reasons (framing, routing, back-pressure, injected faults). Each reason has a stable name used
// as a status counter ("drop.<name>"). Standard library only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace meadow::transport {

enum class DropReason : std::uint8_t {
  // --- decode (wire::decode) ---
  malformed = 0,        ///< not msgpack, truncated, trailing bytes, or a size/depth limit hit
  bad_envelope,         ///< not a 5-element array of the expected header types
  unknown_type,         ///< message type number we do not know
  newer_version,        ///< protocol version above ours
  older_version,        ///< protocol version below the oldest we accept
  wrong_cluster,        ///< cluster id differs from ours
  oversized,            ///< larger than the configured maximum message size
  bad_field_count,      ///< a body (or nested struct) with missing or extra fields
  bad_field_type,       ///< a field of the wrong msgpack type or out of its integer range
  bad_enum_value,       ///< an enum field outside its defined values
  // --- transport ---
  bad_framing,          ///< unexpected number of ZeroMQ frames
  sender_mismatch,      ///< envelope sender differs from the routing id / raft `from`
  misrouted,            ///< a Raft message whose `to` is not this node
  unexpected_type,      ///< valid message of a kind this socket does not accept
  queue_full,           ///< send would block (peer down, not connected, or high-water mark)
  unknown_peer,         ///< send to a node id we have no connection for
  fault_outgoing,       ///< dropped by an injected fault on the way out
  fault_incoming,       ///< dropped by an injected fault on the way in
  fault_random,         ///< dropped by the injected drop percentage
  delay_queue_full,     ///< too many messages held back by an injected delay
  stale_reply,          ///< client: a reply for a request no longer pending
};
inline constexpr std::size_t kDropReasonCount =
    static_cast<std::size_t>(DropReason::stale_reply) + 1;

/// Stable snake_case name of `reason`, e.g. "wrong_cluster".
std::string_view to_string(DropReason reason);

}  // namespace meadow::transport
