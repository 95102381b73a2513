// Node: client requests. Writes go through the log (answered when applied); linearizable reads
// wait for a ReadIndex round, batched per loop iteration (one heartbeat round confirms
// leadership for every read that arrived meanwhile); stale reads answer from local state.
#include "node/runtime/node.h"

#include <type_traits>

#include "node/runtime/command_codec.h"
#include "common/limits.h"

namespace meadow::node {

namespace wire = transport::wire;

namespace {

constexpr std::uint32_t kDefaultScanLimit = 1000;
constexpr std::uint32_t kMaxScanLimit = 100000;
// A scan reply stops at this many key+value bytes (and says `more`), well under the 16 MiB
// message limit of the wire: one scan must not produce a reply nobody can receive.
constexpr std::size_t kMaxScanReplyBytes = 8u << 20;

wire::ErrorReply error_reply(std::uint64_t request_id, wire::ErrorCode code, std::string message) {
  return {request_id, code, std::move(message)};
}

}  // namespace

void Node::handle(transport::IncomingRequest incoming) {
  std::visit(
      [&](auto& request) {
        using T = std::decay_t<decltype(request)>;
        if constexpr (std::is_same_v<T, wire::PutRequest> || std::is_same_v<T, wire::DeleteRequest>) {
          handle_write(std::move(incoming));
        } else if constexpr (std::is_same_v<T, wire::GetRequest> ||
                             std::is_same_v<T, wire::ScanRequest>) {
          handle_read(std::move(incoming));
        } else if constexpr (std::is_same_v<T, wire::StatusRequest>) {
          reply(incoming.routing_id, status(request.request_id));
        } else if constexpr (std::is_same_v<T, wire::SnapshotRequest>) {
          reply(incoming.routing_id, wire::OkReply{request.request_id, 0, 0, compact_log(true)});
        } else if constexpr (std::is_same_v<T, wire::TransferLeaderRequest>) {
          reply(incoming.routing_id, transfer_leader(request));
        } else if constexpr (std::is_same_v<T, wire::LogRequest>) {
          reply(incoming.routing_id, log_range(request));
        } else if constexpr (std::is_same_v<T, wire::SqlRequest>) {
          reply(incoming.routing_id, sql(request));
        } else if constexpr (std::is_same_v<T, wire::MembershipRequest>) {
          handle_membership(std::move(incoming));
        } else {
          static_assert(std::is_same_v<T, wire::FaultRequest>);
          reply(incoming.routing_id, fault(request));
        }
      },
      incoming.request);
}

void Node::handle_write(transport::IncomingRequest incoming) {
  // Views into the request, which is kept until the answer: no copy of key or value.
  struct {
    std::uint64_t client_id, seq;
    store::Op op;
    std::string_view key, value;
  } command{};
  std::uint64_t request_id = 0;
  if (auto* put = std::get_if<wire::PutRequest>(&incoming.request)) {
    command = {put->client_id, put->sequence, store::Op::put, put->key, put->value};
    request_id = put->request_id;
  } else {
    const auto& del = std::get<wire::DeleteRequest>(incoming.request);
    command = {del.client_id, del.sequence, store::Op::del, del.key, {}};
    request_id = del.request_id;
  }
  // Outside input is checked where it arrives (house style): nothing invalid enters the log.
  std::optional<wire::ErrorReply> rejection;
  if (command.key.size() > kMaxKeyBytes) {
    rejection = error_reply(request_id, wire::ErrorCode::too_large,
                            "key of " + std::to_string(command.key.size()) +
                                " bytes exceeds the limit of " +
                                std::to_string(kMaxKeyBytes) + " bytes");
  } else if (command.value.size() > kMaxValueBytes) {
    rejection = error_reply(request_id, wire::ErrorCode::too_large,
                            "value of " + std::to_string(command.value.size()) +
                                " bytes exceeds the limit of " +
                                std::to_string(kMaxValueBytes) + " bytes");
  } else if (command.client_id == 0 || command.seq == 0) {
    rejection = error_reply(request_id, wire::ErrorCode::invalid_request,
                            "a write needs a non-zero client id and sequence number");
  }
  if (rejection) {
    ++client_rejections_;
    reply(incoming.routing_id, *rejection);
    return;
  }
  if (core_->role() != raft::Role::leader) {
    reply(incoming.routing_id, not_leader(request_id));
    return;
  }
  // Proposed with the rest of this loop iteration's writes (propose_writes): one append and one
  // AppendEntries per follower for all of them, not one per write.
  write_batch_.push_back(
      encode_command(command.client_id, command.seq, command.op, command.key, command.value));
  write_batch_requests_.push_back({0, std::move(incoming.routing_id), std::move(incoming.request)});
}

void Node::propose_writes() {
  if (write_batch_.empty()) return;
  const auto proposed = core_->propose_batch(std::move(write_batch_));
  write_batch_.clear();
  for (std::size_t i = 0; i < write_batch_requests_.size(); ++i) {
    PendingWrite& write = write_batch_requests_[i];
    if (proposed.status != raft::Status::ok) {
      reply(write.routing_id, not_leader(wire::request_id_of(write.request)));
      continue;
    }
    write.term = proposed.term;
    pending_writes_.emplace(proposed.index + i, std::move(write));
  }
  write_batch_requests_.clear();
}

void Node::handle_read(transport::IncomingRequest incoming) {
  const bool stale = std::visit(
      [](const auto& r) {
        if constexpr (requires { r.consistency; })
          return r.consistency == wire::ReadConsistency::stale;
        return false;
      },
      incoming.request);
  PendingRead read{std::move(incoming.routing_id), std::move(incoming.request)};
  if (stale) {
    answer_read(read, /*stale=*/true);
  } else if (core_->role() != raft::Role::leader) {
    reply(read.routing_id, not_leader(wire::request_id_of(read.request)));
  } else {
    read_batch_.push_back(std::move(read));
  }
}

void Node::start_read_batch() {
  if (read_batch_.empty()) return;
  std::string context = "reads-" + std::to_string(next_read_batch_++);
  auto started = core_->read_index(context);
  if (started.status != raft::Status::ok) {
    for (const auto& read : read_batch_)
      reply(read.routing_id, not_leader(wire::request_id_of(read.request)));
  } else {
    pending_reads_[context] = std::move(read_batch_);
  }
  read_batch_.clear();
}

void Node::serve_reads(const std::vector<raft::ReadState>& reads) {
  for (const auto& rs : reads) {
    auto it = pending_reads_.find(rs.context);
    if (it == pending_reads_.end()) continue;  // answered already (step-down) or not ours
    for (const auto& read : it->second) answer_read(read, /*stale=*/false);
    pending_reads_.erase(it);
  }
}

void Node::answer_read(const PendingRead& read, bool stale) {
  const wire::ReadInfo info{config_.id, store_.applied_index(), stale};
  if (const auto* get = std::get_if<wire::GetRequest>(&read.request)) {
    auto value = store_.get(get->key);
    if (!value.ok()) {
      reply(read.routing_id, error_reply(get->request_id, wire::ErrorCode::internal,
                                         value.status().describe()));
    } else if (!value->has_value()) {
      reply(read.routing_id, wire::NotFoundReply{get->request_id, info});
    } else {
      reply(read.routing_id, wire::ValueReply{get->request_id, std::move(**value), info});
    }
    return;
  }
  const auto& scan = std::get<wire::ScanRequest>(read.request);
  const std::uint32_t limit =
      scan.limit == 0 ? kDefaultScanLimit : std::min(scan.limit, kMaxScanLimit);
  // Ask for one more than the limit to learn whether the result was cut short.
  auto items = scan.mode == wire::ScanMode::prefix
                   ? store_.scan_prefix(scan.start, limit + 1)
                   : store_.scan_range(scan.start, scan.end, limit + 1);
  if (!items.ok()) {
    reply(read.routing_id, error_reply(scan.request_id, wire::ErrorCode::internal,
                                       items.status().describe()));
    return;
  }
  wire::ScanReply out{scan.request_id, {}, items->size() > limit, info};
  std::size_t bytes = 0;
  for (auto& kv : *items) {
    if (out.items.size() == limit) break;
    bytes += kv.key.size() + kv.value.size();
    if (bytes > kMaxScanReplyBytes && !out.items.empty()) {
      out.more = true;
      break;
    }
    out.items.push_back({std::move(kv.key), std::move(kv.value)});
  }
  reply(read.routing_id, out);
}

void Node::fail_pending_after_step_down() {
  // Outcome unknown to us now: the entries may still commit under the next leader. The client
  // retries with the same (client id, sequence), and the session table applies it once.
  for (auto& [index, write] : pending_writes_)
    reply(write.routing_id, not_leader(wire::request_id_of(write.request)));
  pending_writes_.clear();
  for (auto& [context, reads] : pending_reads_)
    for (const auto& read : reads) reply(read.routing_id, not_leader(wire::request_id_of(read.request)));
  pending_reads_.clear();
  for (auto& [index, changes] : pending_changes_)
    for (const auto& change : changes) reply(change.routing_id, not_leader(change.request_id));
  pending_changes_.clear();
}

void Node::reply(const std::string& routing_id, const wire::Reply& reply) {
  clients_->send_reply(routing_id, reply);  // a vanished client is counted by the server
}

wire::NotLeaderReply Node::not_leader(std::uint64_t request_id) const {
  const raft::NodeId leader = core_->leader() == config_.id ? raft::kNoNode : core_->leader();
  return {request_id, leader, endpoint_of(leader)};
}

std::string Node::endpoint_of(raft::NodeId id) const {
  for (const auto& m : members_in_use())
    if (m.id == id) return m.client_endpoint;
  return "";
}

}  // namespace meadow::node
