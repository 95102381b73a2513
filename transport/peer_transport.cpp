// PeerTransport: ROUTER in, one DEALER per peer out. The rules that keep a dead peer harmless:
// ZMQ_IMMEDIATE (no queueing toward a peer that is not connected), bounded SNDHWM, dontwait
// sends (EAGAIN = drop and count), LINGER 0. Raft tolerates loss; the transport never retries.
#include "transport/peer_transport.h"

#include <stdexcept>
#include <utility>

#include "common/assert.h"
#include "transport/describe.h"
#include "transport/socket_setup.h"

namespace meadow::transport {
namespace {

constexpr std::size_t kKeepEncodeBufferBytes = 1u << 20;

// A routing id is an opaque byte string chosen by the remote side: show it safely.
std::string printable(const zmq::message_t& frame) {
  std::string out;
  const auto* p = static_cast<const unsigned char*>(frame.data());
  for (std::size_t i = 0; i < frame.size() && i < 32; ++i) {
    out.push_back(p[i] >= 0x20 && p[i] < 0x7f ? static_cast<char>(p[i]) : '?');
  }
  return out;
}

void check_options(const PeerTransportOptions& options) {
  if (options.self == wire::kNoNode) throw std::runtime_error("peer transport: node id 0");
  if (options.cluster_id.empty() || options.cluster_id.size() > wire::kMaxClusterIdBytes) {
    throw std::runtime_error("peer transport: cluster id must be 1.." +
                             std::to_string(wire::kMaxClusterIdBytes) + " bytes");
  }
  if (options.send_hwm <= 0 || options.receive_hwm <= 0) {
    throw std::runtime_error("peer transport: high-water marks must be positive");
  }
}

}  // namespace

PeerTransport::PeerTransport(zmq::context_t& context, PeerTransportOptions options)
    : options_(std::move(options)),
      context_(context),
      router_(context, zmq::socket_type::router),
      faults_(options_.fault_seed),
      drops_("peer " + std::to_string(options_.self), options_.log) {
  check_options(options_);
  configure_socket(router_, options_.send_hwm, options_.receive_hwm,
                   options_.max_message_bytes);
  // A restarted peer reconnects with the same routing id: let it take over the old one
  // instead of being ignored until the stale connection times out.
  router_.set(zmq::sockopt::router_handover, 1);
  if (options_.curve) {
    std::string error;
    if (!make_curve_server(router_, *options_.curve, error)) {
      throw std::runtime_error("peer transport: " + error);
    }
    curve_client_keys_ = options_.curve;
  }
  bound_endpoint_ = bind_socket(router_, options_.bind_endpoint);
  for (const PeerAddress& peer : options_.peers) add_peer(peer);
}

PeerTransport::~PeerTransport() = default;

void PeerTransport::add_peer(const PeerAddress& peer) {
  if (peer.id == wire::kNoNode || peer.id == options_.self) {
    throw std::runtime_error("peer transport: invalid peer id " + std::to_string(peer.id));
  }
  auto dealer = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
  configure_socket(*dealer, options_.send_hwm, options_.receive_hwm, options_.max_message_bytes);
  dealer->set(zmq::sockopt::routing_id, std::to_string(options_.self));
  dealer->set(zmq::sockopt::immediate, 1);
  if (curve_client_keys_) {
    std::string error;
    if (peer.curve_public_key.empty()) {
      throw std::runtime_error("peer transport: CURVE is on but peer " + std::to_string(peer.id) +
                               " has no public key");
    }
    if (!make_curve_client(*dealer, peer.curve_public_key, *curve_client_keys_, error)) {
      throw std::runtime_error("peer transport: peer " + std::to_string(peer.id) + ": " + error);
    }
  }
  try {
    dealer->connect(peer.endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("peer transport: cannot connect to peer " +
                             std::to_string(peer.id) + " at " + peer.endpoint + ": " + e.what());
  }
  dealers_[peer.id] = std::move(dealer);
}

void PeerTransport::remove_peer(wire::NodeId id) {
  auto it = dealers_.find(id);
  if (it == dealers_.end()) return;
  // What was just sent still goes out (a removed node learns of its removal this way): ZeroMQ
  // delivers it in the background for a bounded time after the close.
  it->second->set(zmq::sockopt::linger, kRemovedPeerLingerMs);
  dealers_.erase(it);
}

bool PeerTransport::send(const wire::RaftMessage& message) {
  MEADOW_ASSERT(message.from == options_.self);
  const wire::NodeId to = message.to;
  if (faults_.drops_outgoing(to)) {
    drops_.record(DropReason::fault_outgoing, wire::describe(message));
    return false;
  }
  if (faults_.drops_randomly()) {
    drops_.record(DropReason::fault_random, wire::describe(message));
    return false;
  }
  if (dealers_.count(to) == 0) {
    drops_.record(DropReason::unknown_peer, wire::describe(message));
    return false;
  }
  std::string& bytes = encode_buffer_;
  wire::encode_into(bytes, options_.cluster_id, options_.self, message);
  if (const std::uint32_t delay_ms = faults_.draw_delay_ms(to); delay_ms != 0) {
    if (delayed_.size() >= options_.max_delayed_messages) {
      drops_.record(DropReason::delay_queue_full, wire::describe(message));
      return false;
    }
    delayed_.emplace(options_.now() + std::chrono::milliseconds(delay_ms),
                     Delayed{to, bytes});
    stats_.delayed = delayed_.size();
    return true;
  }
  const bool sent = send_now(to, bytes);
  // A rare huge append must not pin its buffer for the life of the node.
  if (bytes.capacity() > kKeepEncodeBufferBytes) std::string().swap(bytes);
  return sent;
}

bool PeerTransport::send_now(wire::NodeId to, const std::string& bytes) {
  const auto it = dealers_.find(to);
  if (it == dealers_.end()) {
    drops_.record(DropReason::unknown_peer, "to " + std::to_string(to));
    return false;
  }
  try {
    if (!it->second->send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
      drops_.record(DropReason::queue_full, "peer " + std::to_string(to) +
                                                " not connected or its queue is full");
      return false;
    }
  } catch (const zmq::error_t& e) {
    drops_.record(DropReason::queue_full, "peer " + std::to_string(to) + ": " + e.what());
    return false;
  }
  ++stats_.sent;
  return true;
}

std::vector<wire::RaftMessage> PeerTransport::receive(std::size_t max_messages) {
  std::vector<wire::RaftMessage> out;
  std::vector<zmq::message_t> frames;
  for (std::size_t i = 0; i < max_messages; ++i) {
    if (!receive_routed(router_, frames, drops_)) break;
    if (auto message = check_incoming(frames)) {
      ++stats_.received;
      out.push_back(std::move(*message));
    }
  }
  return out;
}

std::optional<wire::RaftMessage> PeerTransport::check_incoming(
    const std::vector<zmq::message_t>& frames) {
  const zmq::message_t& routing_id = frames[0];
  const zmq::message_t& payload = frames[1];
  const wire::DecodeResult decoded = wire::decode(
      frame_bytes(payload),
      wire::DecodeLimits{options_.cluster_id, options_.max_message_bytes});
  if (!decoded.ok()) {
    drops_.record(decoded.error.reason,
                  decoded.error.detail + " (from routing id '" + printable(routing_id) + "')");
    return std::nullopt;
  }
  const wire::Envelope& envelope = *decoded.envelope;
  const auto* message = std::get_if<wire::RaftMessage>(&envelope.body);
  if (message == nullptr) {
    drops_.record(DropReason::unexpected_type,
                  std::string(wire::to_string(wire::message_type(envelope.body))) +
                      " on the peer socket");
    return std::nullopt;
  }
  const std::string expected_id = std::to_string(envelope.sender);
  if (routing_id.to_string_view() != expected_id || message->from != envelope.sender) {
    drops_.record(DropReason::sender_mismatch, "routing id '" + printable(routing_id) +
                                                   "' sent " + wire::describe(*message));
    return std::nullopt;
  }
  if (message->to != options_.self) {
    drops_.record(DropReason::misrouted, wire::describe(*message));
    return std::nullopt;
  }
  if (faults_.drops_incoming(message->from)) {
    drops_.record(DropReason::fault_incoming, wire::describe(*message));
    return std::nullopt;
  }
  return *message;
}

zmq::pollitem_t PeerTransport::poll_item() {
  return zmq::pollitem_t{router_.handle(), 0, ZMQ_POLLIN, 0};
}

void PeerTransport::flush_delayed() {
  const Clock::time_point now = options_.now();
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    auto node = delayed_.extract(delayed_.begin());
    send_now(node.mapped().to, node.mapped().bytes);
  }
  stats_.delayed = delayed_.size();
}

std::optional<Clock::time_point> PeerTransport::next_delayed_due() const {
  if (delayed_.empty()) return std::nullopt;
  return delayed_.begin()->first;
}

std::map<std::string, std::uint64_t> PeerTransport::counters() const {
  std::map<std::string, std::uint64_t> out;
  out["peer.sent"] = stats_.sent;
  out["peer.received"] = stats_.received;
  out["peer.delayed"] = stats_.delayed;
  for (const auto& [name, value] : drops_.snapshot()) out["peer." + name] = value;
  return out;
}

}  // namespace meadow::transport
