// Names of drop reasons: they are status counter names, so keep them stable.
#include "transport/drop_reason.h"

namespace meadow::transport {

std::string_view to_string(DropReason reason) {
  switch (reason) {
    case DropReason::malformed: return "malformed";
    case DropReason::bad_envelope: return "bad_envelope";
    case DropReason::unknown_type: return "unknown_type";
    case DropReason::newer_version: return "newer_version";
    case DropReason::older_version: return "older_version";
    case DropReason::wrong_cluster: return "wrong_cluster";
    case DropReason::oversized: return "oversized";
    case DropReason::bad_field_count: return "bad_field_count";
    case DropReason::bad_field_type: return "bad_field_type";
    case DropReason::bad_enum_value: return "bad_enum_value";
    case DropReason::bad_framing: return "bad_framing";
    case DropReason::sender_mismatch: return "sender_mismatch";
    case DropReason::misrouted: return "misrouted";
    case DropReason::unexpected_type: return "unexpected_type";
    case DropReason::queue_full: return "queue_full";
    case DropReason::unknown_peer: return "unknown_peer";
    case DropReason::fault_outgoing: return "fault_outgoing";
    case DropReason::fault_incoming: return "fault_incoming";
    case DropReason::fault_random: return "fault_random";
    case DropReason::delay_queue_full: return "delay_queue_full";
    case DropReason::stale_reply: return "stale_reply";
  }
  return "unknown";
}

}  // namespace meadow::transport
