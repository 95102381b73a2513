// The Meadow client library (shell, one-shot commands, bench, tests): finds the leader among the
// cluster's client endpoints, follows not-leader hints, retries on timeout with the same
// (client id, sequence) so a write applies exactly once, and fails with a clear error when the
// deadline passes. Not thread-safe: one Client per thread. Depends on cppzmq, msgpack-c, wire.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "transport/clock.h"
#include "transport/curve.h"
#include "transport/drop_counters.h"
#include "transport/wire.h"

namespace meadow::transport {

/// One node's client endpoint.
struct ClientEndpoint {
  wire::NodeId id = wire::kNoNode;  ///< node id if known (lets leader_id hints be followed)
  std::string endpoint;             ///< e.g. "tcp://127.0.0.1:7101"
  std::string curve_public_key;     ///< the node's CURVE server key (Z85); empty = no CURVE
};

struct ClientOptions {
  std::vector<ClientEndpoint> endpoints;  ///< at least one
  std::string cluster_id;
  /// Wait this long for a reply before trying the next endpoint (same request id and sequence).
  std::chrono::milliseconds attempt_timeout{500};
  /// Give up on a request this long after submit().
  std::chrono::milliseconds deadline{5000};
  /// Pause before retrying after "not leader" without a usable hint (election in progress).
  std::chrono::milliseconds no_leader_backoff{50};
  std::uint64_t client_id = 0;  ///< 0 = random 64-bit id from std::random_device
  std::size_t max_message_bytes = wire::kDefaultMaxMessageBytes;
  int send_hwm = 100000;        ///< per-endpoint outgoing queue bound, in messages
  LogSink log;                  ///< rate-limited drop lines; may be empty
};

enum class ClientStatus : std::uint8_t {
  ok = 0,
  not_found,          ///< get: the key does not exist (value.read says who answered)
  server_error,       ///< the node answered ErrorReply (`server_code`, `message`)
  deadline_exceeded,  ///< no leader / no quorum reachable before the deadline (`message` says
                      ///< which endpoints were tried and what happened)
  invalid_argument,   ///< rejected locally (e.g. endpoint index out of range)
};
std::string_view to_string(ClientStatus status);

/// Outcome of a synchronous call; `value` is meaningful when ok() (and for not_found).
template <typename T>
struct Result {
  ClientStatus status = ClientStatus::ok;
  T value{};
  std::string message;  ///< empty when ok
  wire::ErrorCode server_code = wire::ErrorCode::internal;  ///< when server_error
  bool ok() const { return status == ClientStatus::ok; }
};

/// A finished asynchronous request.
struct Completion {
  std::uint64_t request_id = 0;
  ClientStatus status = ClientStatus::ok;
  std::optional<wire::Reply> reply;  ///< the final reply (absent on deadline_exceeded)
  std::string message;               ///< error text when status != ok
  Clock::duration latency{};         ///< submit() to completion
  std::uint32_t attempts = 0;        ///< sends made, >= 1 unless rejected locally
};

class Client {
 public:
  /// Creates sockets lazily (first use of an endpoint). Precondition: !endpoints.empty().
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sender id of every request and the session id of writes made one at a time (pipelined
  /// writes borrow further sessions, see take_session()).
  std::uint64_t client_id() const { return client_id_; }
  const std::vector<ClientEndpoint>& endpoints() const { return options_.endpoints; }
  /// Index into endpoints() of the node currently believed to be leader.
  std::size_t leader_guess() const { return leader_guess_; }

  // --- synchronous API: each call blocks until its reply or its deadline ---
  Result<wire::OkReply> put(const std::string& key, const std::string& value);
  Result<wire::OkReply> del(const std::string& key);
  Result<wire::ValueReply> get(
      const std::string& key,
      wire::ReadConsistency consistency = wire::ReadConsistency::linearizable);
  /// keys in [start, end) if `mode` is range, keys starting with `start` if prefix.
  Result<wire::ScanReply> scan(
      wire::ScanMode mode, const std::string& start, const std::string& end,
      std::uint32_t limit,
      wire::ReadConsistency consistency = wire::ReadConsistency::linearizable);
  /// Status of one node (endpoint index), not redirected.
  Result<wire::StatusReply> status(std::size_t endpoint_index);
  /// Take a snapshot now on one node (endpoint index), not redirected; OkReply.index is its
  /// snapshot index afterwards.
  Result<wire::OkReply> snapshot(std::size_t endpoint_index);
  /// Fault injection on one node (endpoint index), not redirected.
  Result<wire::OkReply> fault(std::size_t endpoint_index, wire::FaultRequest request);

  // --- asynchronous / pipelined API ---
  /// Sends `request` (its request id, and for writes client id and sequence, are assigned
  /// here) to the leader, or to `endpoint_index` only if given. Returns the request id.
  /// Any number may be in flight; completions come from poll_completions().
  std::uint64_t submit(wire::Request request, std::optional<std::size_t> endpoint_index = {});
  /// Waits up to `max_wait` for progress (0 = just check); drives retries and deadlines and
  /// returns every request that finished, in no particular order.
  std::vector<Completion> poll_completions(std::chrono::milliseconds max_wait);
  /// Requests submitted and not yet returned by poll_completions().
  std::size_t in_flight() const { return pending_.size() + finished_.size(); }

  /// Submits and waits for that one request (other completions stay queued for
  /// poll_completions()).
  Completion call(wire::Request request, std::optional<std::size_t> endpoint_index = {});

  const DropCounters& drops() const { return drops_; }

 private:
  struct Pending;
  struct Connection;

  Connection& connection(std::size_t endpoint_index);
  std::size_t endpoint_index_for(const wire::NotLeaderReply& hint);
  void send_attempt(Pending& pending, std::size_t endpoint_index, Clock::time_point now);
  void on_reply(const wire::Reply& reply, std::size_t from_endpoint, Clock::time_point now);
  void drive_timers(Clock::time_point now);
  void finish(std::uint64_t request_id, ClientStatus status, std::optional<wire::Reply> reply,
              std::string message, Clock::time_point now);
  void drain(std::size_t endpoint_index, Clock::time_point now);
  /// Runs sockets and timers until `wanted` (or, if none, any request) has finished or
  /// `until` passes.
  void progress(Clock::time_point until, std::optional<std::uint64_t> wanted);

  ClientOptions options_;
  std::uint64_t client_id_ = 0;
  std::uint64_t take_session();

  std::uint64_t next_request_id_ = 1;
  /// Write sessions: client ids with their last sequence number; client_id_ is the first.
  /// At most one write per session is in flight (see take_session()).
  std::map<std::uint64_t, std::uint64_t> session_sequence_;
  std::vector<std::uint64_t> idle_sessions_;
  std::size_t leader_guess_ = 0;
  Clock::time_point next_timer_ = Clock::time_point::max();  // earliest pending timer
  zmq::context_t context_;
  std::optional<CurveKeyPair> curve_keys_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::map<std::uint64_t, std::unique_ptr<Pending>> pending_;
  std::map<std::uint64_t, Completion> finished_;
  DropCounters drops_;
  std::vector<zmq::message_t> frames_;        ///< drain()'s receive buffer, reused
  std::vector<zmq::pollitem_t> poll_items_;   ///< progress()'s poll set, reused
};

}  // namespace meadow::transport
