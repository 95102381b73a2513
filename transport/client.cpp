// Client: one DEALER per endpoint (created on first use), every request kept pending with its
// encoded bytes so that a retry resends exactly the same (request id, client id, sequence).
// Timers are scanned only when the earliest one is due, so many requests in flight stay cheap.
// Client DEALERs do not set ZMQ_IMMEDIATE: a request to a node that is still starting waits in
// a bounded queue (send_hwm) and is delivered when it connects; a late duplicate is harmless
// because replies are matched by request id and writes are deduplicated by sequence.
#include "transport/client.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <utility>

#include "common/assert.h"
#include "transport/describe.h"
#include "transport/socket_setup.h"

namespace meadow::transport {
namespace {

constexpr std::size_t kNoEndpoint = static_cast<std::size_t>(-1);

std::uint64_t random_client_id() {
  std::random_device device;
  std::uint64_t id = 0;
  while (id == 0) id = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  return id;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

// Which reply alternatives answer which request alternative (NotLeader/Error answer any).
bool reply_fits(const wire::Request& request, const wire::Reply& reply) {
  if (std::holds_alternative<wire::NotLeaderReply>(reply) ||
      std::holds_alternative<wire::ErrorReply>(reply)) {
    return true;
  }
  if (std::holds_alternative<wire::PutRequest>(request) ||
      std::holds_alternative<wire::DeleteRequest>(request) ||
      std::holds_alternative<wire::FaultRequest>(request) ||
      std::holds_alternative<wire::TransferLeaderRequest>(request) ||
      std::holds_alternative<wire::SnapshotRequest>(request) ||
      std::holds_alternative<wire::MembershipRequest>(request)) {
    return std::holds_alternative<wire::OkReply>(reply);
  }
  if (std::holds_alternative<wire::LogRequest>(request)) {
    return std::holds_alternative<wire::LogReply>(reply);
  }
  if (std::holds_alternative<wire::SqlRequest>(request)) {
    return std::holds_alternative<wire::SqlReply>(reply);
  }
  if (std::holds_alternative<wire::GetRequest>(request)) {
    return std::holds_alternative<wire::ValueReply>(reply) ||
           std::holds_alternative<wire::NotFoundReply>(reply);
  }
  if (std::holds_alternative<wire::ScanRequest>(request)) {
    return std::holds_alternative<wire::ScanReply>(reply);
  }
  return std::holds_alternative<wire::StatusReply>(reply);
}

template <typename T>
Result<T> to_result(Completion completion) {
  Result<T> result;
  result.status = completion.status;
  result.message = std::move(completion.message);
  if (!completion.reply) return result;
  if (auto* value = std::get_if<T>(&*completion.reply)) {
    result.value = std::move(*value);
  } else if (auto* missing = std::get_if<wire::NotFoundReply>(&*completion.reply)) {
    if constexpr (std::is_same_v<T, wire::ValueReply>) {
      result.value.request_id = missing->request_id;
      result.value.read = missing->read;
    }
  } else if (auto* error = std::get_if<wire::ErrorReply>(&*completion.reply)) {
    result.server_code = error->code;
  }
  return result;
}

}  // namespace

std::string_view to_string(ClientStatus status) {
  switch (status) {
    case ClientStatus::ok: return "ok";
    case ClientStatus::not_found: return "not_found";
    case ClientStatus::server_error: return "server_error";
    case ClientStatus::deadline_exceeded: return "deadline_exceeded";
    case ClientStatus::invalid_argument: return "invalid_argument";
  }
  return "unknown";
}

struct Client::Connection {
  zmq::socket_t socket;
};

struct Client::Pending {
  std::uint64_t request_id = 0;
  std::uint64_t session = 0;                 // writes: the session id it was sent under
  wire::Request request;
  std::string bytes;                         // the same bytes for every attempt
  std::optional<std::size_t> fixed_endpoint; // status/fault: that node only
  std::size_t endpoint = 0;                  // target of the current attempt
  Clock::time_point submitted;
  Clock::time_point deadline;
  Clock::time_point attempt_deadline;        // give up on the current attempt then
  std::optional<Clock::time_point> retry_at; // waiting to send the next attempt
  std::uint32_t attempts = 0;
  std::map<std::size_t, std::string> outcome;  // endpoint -> what happened last there

  Clock::time_point next_timer() const {
    return std::min(deadline, retry_at ? *retry_at : attempt_deadline);
  }
};

Client::Client(ClientOptions options)
    : options_(std::move(options)),
      client_id_(options_.client_id != 0 ? options_.client_id : random_client_id()),
      context_(1),
      drops_("client", options_.log) {
  MEADOW_ASSERT(!options_.endpoints.empty());
  const bool any_curve =
      std::any_of(options_.endpoints.begin(), options_.endpoints.end(),
                  [](const ClientEndpoint& e) { return !e.curve_public_key.empty(); });
  if (any_curve) curve_keys_ = generate_curve_key_pair();
}

Client::~Client() {
  connections_.clear();  // sockets before the context
}

Client::Connection& Client::connection(std::size_t endpoint_index) {
  if (connections_.size() <= endpoint_index) connections_.resize(endpoint_index + 1);
  if (!connections_[endpoint_index]) {
    const ClientEndpoint& endpoint = options_.endpoints[endpoint_index];
    auto conn = std::make_unique<Connection>(
        Connection{zmq::socket_t(context_, zmq::socket_type::dealer)});
    configure_socket(conn->socket, options_.send_hwm, options_.send_hwm,
                     options_.max_message_bytes);
    if (!endpoint.curve_public_key.empty()) {
      std::string error;
      if (!curve_keys_ ||
          !make_curve_client(conn->socket, endpoint.curve_public_key, *curve_keys_, error)) {
        // Leave the socket unconnected: every attempt there times out and the final error
        // names the endpoint; the log says why.
        drops_.record(DropReason::queue_full, endpoint.endpoint + ": " + error);
        connections_[endpoint_index] = std::move(conn);
        return *connections_[endpoint_index];
      }
    }
    try {
      conn->socket.connect(endpoint.endpoint);
    } catch (const zmq::error_t& e) {
      drops_.record(DropReason::queue_full,
                    "cannot connect " + endpoint.endpoint + ": " + e.what());
    }
    connections_[endpoint_index] = std::move(conn);
  }
  return *connections_[endpoint_index];
}

std::uint64_t Client::take_session() {
  // The node keeps one (last sequence, reply) per session, so a session must never have two
  // writes in flight: a retry of the older one arriving after the newer one would be taken for
  // a duplicate and acknowledged without being applied. Pipelined writes each borrow a session.
  if (idle_sessions_.empty())
    idle_sessions_.push_back(session_sequence_.empty() ? client_id_ : random_client_id());
  const std::uint64_t session = idle_sessions_.back();
  idle_sessions_.pop_back();
  return session;
}

std::size_t Client::endpoint_index_for(const wire::NotLeaderReply& hint) {
  const auto& eps = options_.endpoints;
  if (!hint.leader_endpoint.empty()) {
    for (std::size_t i = 0; i < eps.size(); ++i) {
      if (eps[i].endpoint == hint.leader_endpoint) return i;
    }
    // A node we were not told about (e.g. added by a membership change): learn it.
    options_.endpoints.push_back(ClientEndpoint{hint.leader_id, hint.leader_endpoint, {}});
    return options_.endpoints.size() - 1;
  }
  if (hint.leader_id != wire::kNoNode) {
    for (std::size_t i = 0; i < eps.size(); ++i) {
      if (eps[i].id == hint.leader_id) return i;
    }
  }
  return kNoEndpoint;
}

std::uint64_t Client::submit(wire::Request request, std::optional<std::size_t> endpoint_index) {
  const Clock::time_point now = Clock::now();
  const std::uint64_t request_id = next_request_id_++;
  wire::set_request_id(request, request_id);
  std::uint64_t session = 0;
  if (wire::is_write(request)) {
    session = take_session();
    const std::uint64_t sequence = ++session_sequence_[session];
    if (auto* put = std::get_if<wire::PutRequest>(&request)) {
      put->client_id = session;
      put->sequence = sequence;
    } else if (auto* del = std::get_if<wire::DeleteRequest>(&request)) {
      del->client_id = session;
      del->sequence = sequence;
    }
  }
  if (endpoint_index && *endpoint_index >= options_.endpoints.size()) {
    Completion done;
    done.request_id = request_id;
    done.status = ClientStatus::invalid_argument;
    done.message = "endpoint index " + std::to_string(*endpoint_index) + " out of range (" +
                   std::to_string(options_.endpoints.size()) + " endpoints)";
    finished_.emplace(request_id, std::move(done));
    if (session != 0) idle_sessions_.push_back(session);
    return request_id;
  }
  auto pending = std::make_unique<Pending>();
  pending->request_id = request_id;
  pending->session = session;
  wire::encode_into(pending->bytes, options_.cluster_id, client_id_, request);
  pending->request = std::move(request);
  pending->fixed_endpoint = endpoint_index;
  pending->submitted = now;
  pending->deadline = now + options_.deadline;
  Pending& p = *pending;
  pending_.emplace(request_id, std::move(pending));
  send_attempt(p, endpoint_index.value_or(leader_guess_), now);
  return request_id;
}

void Client::send_attempt(Pending& p, std::size_t endpoint_index, Clock::time_point now) {
  p.endpoint = endpoint_index;
  p.retry_at.reset();
  Connection& conn = connection(endpoint_index);
  bool sent = false;
  try {
    sent = conn.socket.send(zmq::buffer(p.bytes), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    sent = false;
  }
  if (sent) {
    ++p.attempts;
    p.attempt_deadline = now + options_.attempt_timeout;
  } else {
    // Queue full towards that endpoint: count the attempt as failed and move on shortly.
    drops_.record(DropReason::queue_full, options_.endpoints[endpoint_index].endpoint);
    p.outcome[endpoint_index] = "send queue full";
    p.retry_at = now + options_.no_leader_backoff;
    if (!p.fixed_endpoint) p.endpoint = (endpoint_index + 1) % options_.endpoints.size();
  }
  next_timer_ = std::min(next_timer_, p.next_timer());
}

void Client::finish(std::uint64_t request_id, ClientStatus status,
                    std::optional<wire::Reply> reply, std::string message, Clock::time_point now) {
  const auto it = pending_.find(request_id);
  MEADOW_ASSERT(it != pending_.end());
  Completion done;
  done.request_id = request_id;
  done.status = status;
  done.reply = std::move(reply);
  done.message = std::move(message);
  done.latency = now - it->second->submitted;
  done.attempts = it->second->attempts;
  if (it->second->session != 0) idle_sessions_.push_back(it->second->session);
  pending_.erase(it);
  finished_.emplace(request_id, std::move(done));
}

void Client::on_reply(const wire::Reply& reply, std::size_t from_endpoint, Clock::time_point now) {
  const std::uint64_t request_id = wire::request_id_of(reply);
  const auto it = pending_.find(request_id);
  if (it == pending_.end()) {
    drops_.record(DropReason::stale_reply, wire::describe(reply));
    return;
  }
  Pending& p = *it->second;
  if (!reply_fits(p.request, reply)) {
    drops_.record(DropReason::unexpected_type, wire::describe(reply) + " answering " +
                                                   wire::describe(p.request));
    return;
  }
  const std::string& where = options_.endpoints[from_endpoint].endpoint;
  if (const auto* not_leader = std::get_if<wire::NotLeaderReply>(&reply)) {
    if (p.fixed_endpoint) {
      finish(request_id, ClientStatus::server_error, reply, where + " is not the leader", now);
      return;
    }
    if (from_endpoint != p.endpoint) return;  // an old attempt's answer; the current one runs
    const std::size_t hinted = endpoint_index_for(*not_leader);
    p.outcome[from_endpoint] = not_leader->leader_id == wire::kNoNode
                                   ? "not leader, leader unknown"
                                   : "not leader, hint " + std::to_string(not_leader->leader_id);
    if (hinted != kNoEndpoint && hinted != from_endpoint) {
      leader_guess_ = hinted;
      if (p.attempts < options_.endpoints.size()) {
        send_attempt(p, hinted, now);
      } else {
        // Nodes with stale views may point at each other: follow, but not in a tight loop.
        p.endpoint = hinted;
        p.retry_at = now + options_.no_leader_backoff;
        next_timer_ = std::min(next_timer_, p.next_timer());
      }
    } else {
      // Election in progress: pause, then try the next node.
      p.endpoint = (from_endpoint + 1) % options_.endpoints.size();
      p.retry_at = now + options_.no_leader_backoff;
      next_timer_ = std::min(next_timer_, p.next_timer());
    }
    return;
  }
  if (const auto* error = std::get_if<wire::ErrorReply>(&reply)) {
    const bool transient = error->code == wire::ErrorCode::unavailable ||
                           error->code == wire::ErrorCode::busy;
    if (transient) {
      if (from_endpoint != p.endpoint) return;
      p.outcome[from_endpoint] = "unavailable: " + error->message;
      if (!p.fixed_endpoint) p.endpoint = (from_endpoint + 1) % options_.endpoints.size();
      p.retry_at = now + options_.no_leader_backoff;
      next_timer_ = std::min(next_timer_, p.next_timer());
      return;
    }
    finish(request_id, ClientStatus::server_error, reply, where + ": " + error->message, now);
    return;
  }
  if (!p.fixed_endpoint) leader_guess_ = from_endpoint;
  const ClientStatus status = std::holds_alternative<wire::NotFoundReply>(reply)
                                  ? ClientStatus::not_found
                                  : ClientStatus::ok;
  finish(request_id, status, reply, {}, now);
}

void Client::drive_timers(Clock::time_point now) {
  next_timer_ = Clock::time_point::max();
  std::vector<std::uint64_t> expired;
  for (auto& [request_id, pending] : pending_) {
    Pending& p = *pending;
    if (now >= p.deadline) {
      expired.push_back(request_id);
      continue;
    }
    if (p.retry_at) {
      if (now >= *p.retry_at) send_attempt(p, p.endpoint, now);
    } else if (now >= p.attempt_deadline) {
      p.outcome[p.endpoint] = "timeout";
      const std::size_t next =
          p.fixed_endpoint ? *p.fixed_endpoint : (p.endpoint + 1) % options_.endpoints.size();
      send_attempt(p, next, now);
    }
    next_timer_ = std::min(next_timer_, p.next_timer());
  }
  for (const std::uint64_t request_id : expired) {
    const Pending& p = *pending_.at(request_id);
    std::string tried;
    for (const auto& [index, what] : p.outcome) {
      if (!tried.empty()) tried += ", ";
      tried += options_.endpoints[index].endpoint + " (" + what + ")";
    }
    if (tried.empty()) tried = options_.endpoints[p.endpoint].endpoint + " (no reply)";
    // Nodes drop requests of another cluster without a word (they count them): when nothing
    // answered at all, the cluster id is as likely a cause as dead nodes.
    const bool silence = std::all_of(p.outcome.begin(), p.outcome.end(),
                                     [](const auto& o) { return o.second == "timeout"; });
    if (silence)
      tried += "; no node answered at all: are they running, and is '" + options_.cluster_id +
               "' their cluster id?";
    const std::string head =
        p.fixed_endpoint ? "no reply from " + options_.endpoints[*p.fixed_endpoint].endpoint
                         : std::string("no leader / no quorum reachable");
    finish(request_id, ClientStatus::deadline_exceeded, std::nullopt,
           wire::describe(p.request) + ": " + head + " within " +
               seconds_text(options_.deadline) + " after " + std::to_string(p.attempts) +
               " attempts; tried " + tried,
           now);
  }
}

void Client::drain(std::size_t endpoint_index, Clock::time_point now) {
  if (endpoint_index >= connections_.size() || !connections_[endpoint_index]) return;
  zmq::socket_t& socket = connections_[endpoint_index]->socket;
  std::vector<zmq::message_t>& frames = frames_;  // reused: no allocation per drain
  bool truncated = false;
  while (receive_multipart(socket, frames, 1, truncated)) {
    if (truncated || frames.size() != 1) {
      drops_.record(DropReason::bad_framing, "expected one frame");
      continue;
    }
    wire::DecodeResult decoded = wire::decode(
        frame_bytes(frames[0]),
        wire::DecodeLimits{options_.cluster_id, options_.max_message_bytes});
    if (!decoded.ok()) {
      drops_.record(decoded.error.reason, decoded.error.detail);
      continue;
    }
    const wire::MessageType type = wire::message_type(decoded.envelope->body);
    std::optional<wire::Reply> reply = wire::as_reply(std::move(decoded.envelope->body));
    if (!reply) {
      drops_.record(DropReason::unexpected_type, std::string(wire::to_string(type)));
      continue;
    }
    on_reply(*reply, endpoint_index, now);
  }
}

void Client::progress(Clock::time_point until, std::optional<std::uint64_t> wanted) {
  for (;;) {
    Clock::time_point now = Clock::now();
    for (std::size_t i = 0; i < connections_.size(); ++i) drain(i, now);
    if (now >= next_timer_) drive_timers(now);
    const bool done = wanted ? finished_.count(*wanted) != 0 : !finished_.empty();
    if (done || now >= until) return;
    // Wake for the earliest timer or `until`, and at least once a second (no overflow when
    // both are "never").
    const Clock::time_point wake = std::min({until, next_timer_, now + std::chrono::seconds(1)});
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - now);
    std::vector<zmq::pollitem_t>& items = poll_items_;  // reused: no allocation per wait
    items.clear();
    for (const auto& conn : connections_) {
      if (conn) items.push_back(zmq::pollitem_t{conn->socket.handle(), 0, ZMQ_POLLIN, 0});
    }
    try {
      zmq::poll(items.data(), items.size(), wait);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
  }
}

std::vector<Completion> Client::poll_completions(std::chrono::milliseconds max_wait) {
  progress(Clock::now() + max_wait, std::nullopt);
  std::vector<Completion> out;
  out.reserve(finished_.size());
  for (auto& [id, completion] : finished_) out.push_back(std::move(completion));
  finished_.clear();
  return out;
}

Completion Client::call(wire::Request request, std::optional<std::size_t> endpoint_index) {
  const std::uint64_t request_id = submit(std::move(request), endpoint_index);
  // The deadline timer guarantees completion; other requests finishing meanwhile stay in
  // finished_ for poll_completions().
  progress(Clock::time_point::max(), request_id);
  const auto it = finished_.find(request_id);
  MEADOW_ASSERT(it != finished_.end());
  Completion done = std::move(it->second);
  finished_.erase(it);
  return done;
}

Result<wire::OkReply> Client::put(const std::string& key, const std::string& value) {
  return to_result<wire::OkReply>(call(wire::PutRequest{0, 0, 0, key, value}));
}

Result<wire::OkReply> Client::del(const std::string& key) {
  return to_result<wire::OkReply>(call(wire::DeleteRequest{0, 0, 0, key}));
}

Result<wire::ValueReply> Client::get(const std::string& key,
                                     wire::ReadConsistency consistency) {
  return to_result<wire::ValueReply>(call(wire::GetRequest{0, key, consistency}));
}

Result<wire::ScanReply> Client::scan(wire::ScanMode mode, const std::string& start,
                                     const std::string& end, std::uint32_t limit,
                                     wire::ReadConsistency consistency) {
  return to_result<wire::ScanReply>(
      call(wire::ScanRequest{0, mode, start, end, limit, consistency}));
}

Result<wire::StatusReply> Client::status(std::size_t endpoint_index) {
  return to_result<wire::StatusReply>(call(wire::StatusRequest{0}, endpoint_index));
}

Result<wire::OkReply> Client::snapshot(std::size_t endpoint_index) {
  return to_result<wire::OkReply>(call(wire::SnapshotRequest{0}, endpoint_index));
}

Result<wire::OkReply> Client::fault(std::size_t endpoint_index, wire::FaultRequest request) {
  return to_result<wire::OkReply>(call(std::move(request), endpoint_index));
}

}  // namespace meadow::transport
