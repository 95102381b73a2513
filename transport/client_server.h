// A node's client endpoint: one ROUTER bound for client requests; replies go back to the
// requester's routing id. Never blocks (a vanished client's replies are dropped and counted).
// Owned and called by the node's single loop thread only. Depends on cppzmq, msgpack-c, wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "transport/curve.h"
#include "transport/drop_counters.h"
#include "transport/wire.h"

namespace meadow::transport {

struct ClientServerOptions {
  wire::NodeId self = wire::kNoNode;   ///< written as sender of every reply
  std::string cluster_id;              ///< requests with another cluster id are dropped
  /// Where the ROUTER binds; "tcp://127.0.0.1:*" picks a free port (see bound_endpoint()).
  std::string bind_endpoint = "tcp://127.0.0.1:*";
  int send_hwm = 10000;                ///< outgoing replies queued per client, in messages
  int receive_hwm = 10000;             ///< incoming requests queued, in messages
  std::size_t max_message_bytes = wire::kDefaultMaxMessageBytes;
  std::optional<CurveKeyPair> curve;   ///< our key pair; set = clients must use CURVE
  LogSink log;                         ///< rate-limited drop lines; may be empty
};

/// One request as received: reply to it with send_reply(routing_id, …).
struct IncomingRequest {
  std::string routing_id;   ///< opaque ZeroMQ identity of the requesting connection
  std::uint64_t sender = 0; ///< the envelope's sender (the client's id)
  wire::Request request;
};

class ClientServer {
 public:
  /// Binds the ROUTER. Throws std::runtime_error with a clear text if bind or setup fails.
  /// `context` must outlive this object.
  ClientServer(zmq::context_t& context, ClientServerOptions options);
  ClientServer(const ClientServer&) = delete;
  ClientServer& operator=(const ClientServer&) = delete;

  /// The endpoint actually bound (ZMQ_LAST_ENDPOINT).
  const std::string& bound_endpoint() const { return bound_endpoint_; }

  /// Drains up to `max_requests` pending requests. Invalid input is counted in drops() and
  /// logged (rate limited); never blocks, never throws on bad input.
  std::vector<IncomingRequest> receive(std::size_t max_requests = 1024);

  /// Sends `reply` to the connection `routing_id` without blocking. Returns false if it was
  /// dropped: client gone (counted as unknown_peer) or its queue full (queue_full).
  bool send_reply(const std::string& routing_id, const wire::Reply& reply);

  /// For the node's zmq::poll: readable when receive() has something.
  zmq::pollitem_t poll_item();

  const DropCounters& drops() const { return drops_; }
  /// "client.requests", "client.replies", "client.drop.<reason>", …
  std::map<std::string, std::uint64_t> counters() const;

 private:
  std::optional<IncomingRequest> check_incoming(std::vector<zmq::message_t>& frames);

  ClientServerOptions options_;
  zmq::socket_t router_;
  std::string bound_endpoint_;
  DropCounters drops_;
  std::uint64_t requests_ = 0;
  std::uint64_t replies_ = 0;
  std::string encode_buffer_;  ///< reused by send_reply: no allocation per reply
};

}  // namespace meadow::transport
