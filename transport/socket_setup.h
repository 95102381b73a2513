// Socket plumbing shared by PeerTransport, ClientServer and Client: the bounded, non-lingering
// option set, bind with the resolved endpoint, and non-blocking multipart receive.
// Internal to meadow::transport (not used by other layers). Depends on cppzmq, DropCounters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "transport/drop_counters.h"

namespace meadow::transport {

/// Sets LINGER 0, SNDHWM/RCVHWM, and MAXMSGSIZE = 2 * max_message_bytes: ZeroMQ disconnects a
/// peer that sends more than that (never allocating it); messages in (max, 2*max] arrive and
/// are counted as oversized by the decoder, so the drop is visible.
void configure_socket(zmq::socket_t& socket, int send_hwm, int receive_hwm,
                      std::size_t max_message_bytes);

/// Binds `socket` to `endpoint` and returns ZMQ_LAST_ENDPOINT (resolves a "*" port).
/// Throws std::runtime_error naming the endpoint and the cause on failure.
std::string bind_socket(zmq::socket_t& socket, const std::string& endpoint);

/// Receives one whole multipart message without blocking into `frames` (cleared first).
/// Returns false if nothing was pending. At most `max_frames` frames are kept; extra frames
/// are read and discarded, and `truncated` is set.
bool receive_multipart(zmq::socket_t& socket, std::vector<zmq::message_t>& frames,
                       std::size_t max_frames, bool& truncated);

/// Reads the next message from a ROUTER into `frames` = [routing id, payload] without blocking.
/// Messages with another number of frames are counted as bad_framing in `drops` and skipped.
/// Returns false when nothing (well-framed) is pending, or after skipping 1024 bad ones (the
/// socket stays readable, so the caller's poll comes back).
bool receive_routed(zmq::socket_t& router, std::vector<zmq::message_t>& frames,
                    DropCounters& drops);

/// The bytes of `frame` (valid while the frame lives).
inline std::string_view frame_bytes(const zmq::message_t& frame) {
  return std::string_view(static_cast<const char*>(frame.data()), frame.size());
}

}  // namespace meadow::transport
