// ClientServer: ROUTER for client requests. Replies use dontwait and ROUTER_MANDATORY, so a
// reply to a vanished client (EHOSTUNREACH) or to one whose queue is full (EAGAIN) is dropped
// and counted instead of silently discarded or blocking.
#include "transport/client_server.h"

#include <stdexcept>
#include <utility>

#include "transport/describe.h"
#include "transport/socket_setup.h"

namespace meadow::transport {

ClientServer::ClientServer(zmq::context_t& context, ClientServerOptions options)
    : options_(std::move(options)),
      router_(context, zmq::socket_type::router),
      drops_("client-server " + std::to_string(options_.self), options_.log) {
  if (options_.cluster_id.empty() || options_.cluster_id.size() > wire::kMaxClusterIdBytes) {
    throw std::runtime_error("client server: cluster id must be 1.." +
                             std::to_string(wire::kMaxClusterIdBytes) + " bytes");
  }
  configure_socket(router_, options_.send_hwm, options_.receive_hwm, options_.max_message_bytes);
  router_.set(zmq::sockopt::router_mandatory, 1);
  if (options_.curve) {
    std::string error;
    if (!make_curve_server(router_, *options_.curve, error)) {
      throw std::runtime_error("client server: " + error);
    }
  }
  bound_endpoint_ = bind_socket(router_, options_.bind_endpoint);
}

std::vector<IncomingRequest> ClientServer::receive(std::size_t max_requests) {
  std::vector<IncomingRequest> out;
  std::vector<zmq::message_t> frames;
  for (std::size_t i = 0; i < max_requests; ++i) {
    if (!receive_routed(router_, frames, drops_)) break;
    if (auto request = check_incoming(frames)) {
      ++requests_;
      out.push_back(std::move(*request));
    }
  }
  return out;
}

std::optional<IncomingRequest> ClientServer::check_incoming(std::vector<zmq::message_t>& frames) {
  const zmq::message_t& payload = frames[1];
  wire::DecodeResult decoded = wire::decode(
      frame_bytes(payload),
      wire::DecodeLimits{options_.cluster_id, options_.max_message_bytes});
  if (!decoded.ok()) {
    drops_.record(decoded.error.reason, decoded.error.detail);
    return std::nullopt;
  }
  const wire::MessageType type = wire::message_type(decoded.envelope->body);
  std::optional<wire::Request> request = wire::as_request(std::move(decoded.envelope->body));
  if (!request) {
    drops_.record(DropReason::unexpected_type,
                  std::string(wire::to_string(type)) + " on the client socket");
    return std::nullopt;
  }
  return IncomingRequest{frames[0].to_string(), decoded.envelope->sender, std::move(*request)};
}

bool ClientServer::send_reply(const std::string& routing_id, const wire::Reply& reply) {
  std::string& bytes = encode_buffer_;
  wire::encode_into(bytes, options_.cluster_id, options_.self, reply);
  try {
    const auto more = zmq::send_flags::sndmore | zmq::send_flags::dontwait;
    if (!router_.send(zmq::buffer(routing_id), more)) {
      drops_.record(DropReason::queue_full, wire::describe(reply));
      return false;
    }
    // The routing frame is accepted, so the payload frame goes into the same pipe.
    if (!router_.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
      drops_.record(DropReason::queue_full, wire::describe(reply));
      return false;
    }
  } catch (const zmq::error_t& e) {
    const DropReason reason =
        e.num() == EHOSTUNREACH ? DropReason::unknown_peer : DropReason::queue_full;
    drops_.record(reason, wire::describe(reply) + ": " + e.what());
    return false;
  }
  ++replies_;
  return true;
}

zmq::pollitem_t ClientServer::poll_item() {
  return zmq::pollitem_t{router_.handle(), 0, ZMQ_POLLIN, 0};
}

std::map<std::string, std::uint64_t> ClientServer::counters() const {
  std::map<std::string, std::uint64_t> out;
  out["client.requests"] = requests_;
  out["client.replies"] = replies_;
  for (const auto& [name, value] : drops_.snapshot()) out["client." + name] = value;
  return out;
}

}  // namespace meadow::transport
