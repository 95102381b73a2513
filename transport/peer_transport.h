// Node-to-node messaging: one ROUTER bound for incoming Raft messages, one DEALER per peer
// (routing id = our node id in decimal) for outgoing ones. One-way, lossy, never blocking:
// Raft retries, not the transport. Owned and called by the node's single loop thread only.
// Depends on cppzmq, msgpack-c and the wire layer; never on node/, store/ or shell/.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "transport/clock.h"
#include "transport/curve.h"
#include "transport/drop_counters.h"
#include "transport/fault_filter.h"
#include "transport/wire.h"

namespace meadow::transport {

/// How long a removed peer's queued messages may still be delivered (ZMQ_LINGER).
inline constexpr int kRemovedPeerLingerMs = 500;

/// How to reach one peer.
struct PeerAddress {
  wire::NodeId id = wire::kNoNode;
  std::string endpoint;           ///< e.g. "tcp://127.0.0.1:7001"
  std::string curve_public_key;   ///< the peer's CURVE server key (Z85); required iff CURVE on
};

struct PeerTransportOptions {
  wire::NodeId self = wire::kNoNode;   ///< our node id, != kNoNode
  std::string cluster_id;              ///< messages with another cluster id are dropped
  /// Where the ROUTER binds; "tcp://127.0.0.1:*" picks a free port (see bound_endpoint()).
  std::string bind_endpoint = "tcp://127.0.0.1:*";
  std::vector<PeerAddress> peers;      ///< every other node; ids unique, none == self
  int send_hwm = 1000;                 ///< per-peer outgoing queue bound, in messages
  int receive_hwm = 1000;              ///< incoming queue bound, in messages
  std::size_t max_message_bytes = wire::kDefaultMaxMessageBytes;
  std::optional<CurveKeyPair> curve;   ///< our key pair; set = CURVE on for all peer sockets
  std::uint64_t fault_seed = 1;        ///< seeds FaultFilter's random drops
  std::size_t max_delayed_messages = 10000;  ///< bound on messages held by injected delays
  LogSink log;                         ///< rate-limited drop lines; may be empty
  std::function<Clock::time_point()> now = [] { return Clock::now(); };  ///< for delays
};

/// Totals since construction (drops are in drops()).
struct PeerTransportStats {
  std::uint64_t sent = 0;       ///< handed to ZeroMQ
  std::uint64_t received = 0;   ///< decoded and returned by receive()
  std::uint64_t delayed = 0;    ///< currently held by injected delays
};

class PeerTransport {
 public:
  /// Binds the ROUTER and connects a DEALER per peer (connections complete in the background;
  /// ZeroMQ reconnects by itself). Throws std::runtime_error with a clear text if the bind or
  /// the socket setup fails (port in use, bad endpoint, bad CURVE key) — a startup error.
  /// `context` must outlive this object.
  PeerTransport(zmq::context_t& context, PeerTransportOptions options);
  ~PeerTransport();
  PeerTransport(const PeerTransport&) = delete;
  PeerTransport& operator=(const PeerTransport&) = delete;

  /// The endpoint actually bound (ZMQ_LAST_ENDPOINT), e.g. "tcp://127.0.0.1:40123".
  const std::string& bound_endpoint() const { return bound_endpoint_; }
  wire::NodeId self() const { return options_.self; }

  /// Sends `message` to peer `message.to` without blocking. Returns true if handed to ZeroMQ
  /// (or queued by an injected delay); false if dropped (counted: unknown_peer, queue_full,
  /// fault_*). Precondition: message.from == self().
  bool send(const wire::RaftMessage& message);

  /// Drains up to `max_messages` pending incoming messages; returns the valid ones in arrival
  /// order. Invalid ones are counted in drops() and logged (rate limited). Never blocks,
  /// never throws on bad input.
  std::vector<wire::RaftMessage> receive(std::size_t max_messages = 1024);

  /// For the node's zmq::poll: readable when receive() has something. The socket stays owned
  /// by this object; do not read from it directly.
  zmq::pollitem_t poll_item();

  /// Sends held-back (delayed) messages that are due; call each loop iteration.
  void flush_delayed();
  /// When the earliest held-back message becomes due, if any (bound the poll timeout by it).
  std::optional<Clock::time_point> next_delayed_due() const;

  /// Adds (or re-points) a peer. For membership changes. Throws like the constructor.
  void add_peer(const PeerAddress& peer);
  /// Removes a peer (unknown ids are ignored): later sends to it are dropped (unknown_peer);
  /// messages already handed over are still delivered for up to kRemovedPeerLingerMs.
  void remove_peer(wire::NodeId id);

  FaultFilter& faults() { return faults_; }
  const FaultFilter& faults() const { return faults_; }
  const DropCounters& drops() const { return drops_; }
  const PeerTransportStats& stats() const { return stats_; }
  /// Stats and drops as named counters ("peer.sent", "peer.drop.<reason>", …).
  std::map<std::string, std::uint64_t> counters() const;

 private:
  struct Delayed {
    wire::NodeId to;
    std::string bytes;
  };

  void connect_peer(const PeerAddress& peer);
  bool send_now(wire::NodeId to, const std::string& bytes);
  std::optional<wire::RaftMessage> check_incoming(const std::vector<zmq::message_t>& frames);

  PeerTransportOptions options_;
  zmq::context_t& context_;
  zmq::socket_t router_;
  std::string bound_endpoint_;
  std::map<wire::NodeId, std::unique_ptr<zmq::socket_t>> dealers_;
  std::optional<CurveKeyPair> curve_client_keys_;
  FaultFilter faults_;
  DropCounters drops_;
  PeerTransportStats stats_;
  std::multimap<Clock::time_point, Delayed> delayed_;  // by due time, FIFO among equal times
  std::string encode_buffer_;  ///< reused by send(): no allocation per message
};

}  // namespace meadow::transport
