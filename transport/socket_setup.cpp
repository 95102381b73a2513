// Socket plumbing. ZeroMQ errors here are startup errors (bind) or impossible states; receive
// maps EAGAIN to "nothing pending" via cppzmq's optional result.
#include "transport/socket_setup.h"

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace meadow::transport {

void configure_socket(zmq::socket_t& socket, int send_hwm, int receive_hwm,
                      std::size_t max_message_bytes) {
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::sndhwm, send_hwm);
  socket.set(zmq::sockopt::rcvhwm, receive_hwm);
  const std::size_t cap = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max() / 2);
  const auto bound = static_cast<std::int64_t>(max_message_bytes < cap ? max_message_bytes : cap);
  socket.set(zmq::sockopt::maxmsgsize, 2 * bound);
}

std::string bind_socket(zmq::socket_t& socket, const std::string& endpoint) {
  try {
    socket.bind(endpoint);
    return socket.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot bind " + endpoint + ": " + e.what());
  }
}

bool receive_multipart(zmq::socket_t& socket, std::vector<zmq::message_t>& frames,
                       std::size_t max_frames, bool& truncated) {
  frames.clear();
  truncated = false;
  zmq::message_t frame;
  if (!socket.recv(frame, zmq::recv_flags::dontwait)) return false;
  bool more = frame.more();
  frames.push_back(std::move(frame));
  // The remaining frames of a multipart message are already here (ZeroMQ delivers atomically).
  while (more) {
    zmq::message_t next;
    if (!socket.recv(next, zmq::recv_flags::dontwait)) break;
    more = next.more();
    if (frames.size() < max_frames) {
      frames.push_back(std::move(next));
    } else {
      truncated = true;
    }
  }
  return true;
}

bool receive_routed(zmq::socket_t& router, std::vector<zmq::message_t>& frames,
                    DropCounters& drops) {
  // Bounded so that a flood of junk cannot keep the caller's loop here forever.
  constexpr int kMaxSkipped = 1024;
  bool truncated = false;
  for (int skipped = 0; skipped < kMaxSkipped; ++skipped) {
    if (!receive_multipart(router, frames, 2, truncated)) return false;
    if (!truncated && frames.size() == 2) return true;
    drops.record(DropReason::bad_framing, "expected [routing id, payload]");
  }
  return false;
}

}  // namespace meadow::transport
