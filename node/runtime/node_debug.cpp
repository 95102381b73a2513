// Node: requests for experiments and inspection — leadership transfer, a stretch of the Raft log
// with commit/applied marks, and read-only SQL on the node's own database connection.
#include "node/runtime/node.h"

#include "node/runtime/command_codec.h"
#include "node/runtime/member_endpoints.h"

namespace meadow::node {

namespace wire = transport::wire;

namespace {

constexpr std::uint32_t kMaxLogEntries = 1000;
constexpr std::uint32_t kDefaultSqlRows = 100;
constexpr std::uint32_t kMaxSqlRows = 1000;
constexpr std::size_t kMaxSqlBytes = 1u << 20;
// The loop answers nobody, peers included, while a query runs: keep it well under the
// shortest election timeout so a slow query cannot cost the cluster its leader.
constexpr std::chrono::milliseconds kMaxSqlTime{50};
constexpr std::size_t kMaxShownBytes = 40;

/// Bytes as one printable line: printable ASCII kept, the rest \xHH, cut after kMaxShownBytes.
std::string printable(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < kMaxShownBytes; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (bytes.size() > kMaxShownBytes) out += "...";
  return out;
}

std::string describe_entry(std::uint8_t kind, const std::string& payload) {
  if (kind == static_cast<std::uint8_t>(raft::EntryKind::noop)) return "no-op";
  if (kind == static_cast<std::uint8_t>(raft::EntryKind::config)) {
    const auto config = raft::decode_cluster_config(payload);
    return config ? "config " + describe_members(*config) : "config ?";
  }
  const auto command = decode_command(payload);
  if (!command) return "? (" + std::to_string(payload.size()) + " bytes)";
  switch (command->op) {
    case store::Op::put: return "put " + printable(command->key) + "=" + printable(command->value);
    case store::Op::del: return "delete " + printable(command->key);
    case store::Op::noop: return "no-op";
  }
  return "?";
}

}  // namespace

wire::Reply Node::transfer_leader(const wire::TransferLeaderRequest& request) {
  if (core_->role() != raft::Role::leader) return not_leader(request.request_id);
  const bool member = core_->membership().is_member(request.target);
  if (!member || request.target == config_.id)
    return wire::ErrorReply{request.request_id, wire::ErrorCode::invalid_request,
                            request.target == config_.id
                                ? "node " + std::to_string(request.target) + " is already leader"
                                : "node " + std::to_string(request.target) +
                                      " is not a member of this cluster"};
  const auto result = core_->transfer_leadership(request.target);
  if (result.status == raft::Status::not_leader) return not_leader(request.request_id);
  if (result.status != raft::Status::ok)
    return wire::ErrorReply{request.request_id, wire::ErrorCode::invalid_request,
                            "node " + std::to_string(request.target) + " is not a voter"};
  return wire::OkReply{request.request_id, 0, 0, 0};
}

wire::Reply Node::log_range(const wire::LogRequest& request) {
  wire::LogReply out;
  out.request_id = request.request_id;
  out.node_id = config_.id;
  out.first_index = store_.first_index();
  out.last_index = store_.last_index();
  out.commit_index = core_->commit_index();
  out.last_applied = store_.applied_index();
  const std::uint64_t count = std::min<std::uint64_t>(request.count == 0 ? 20 : request.count,
                                                      kMaxLogEntries);
  std::uint64_t lo = request.from_index;
  if (lo == 0) lo = out.last_index >= count ? out.last_index - count + 1 : 1;
  lo = std::max(lo, out.first_index);
  const std::uint64_t hi = std::min(out.last_index + 1, lo + count);  // [lo, hi)
  if (lo < hi) {
    auto entries = store_.entries(lo, hi, 4u << 20);
    if (!entries.ok())
      return wire::ErrorReply{request.request_id, wire::ErrorCode::internal,
                              entries.status().describe()};
    for (const auto& e : *entries)
      out.entries.push_back({e.index, e.term, describe_entry(e.kind, e.payload)});
  }
  return out;
}

wire::Reply Node::sql(const wire::SqlRequest& request) {
  const std::size_t rows =
      std::min(request.max_rows == 0 ? kDefaultSqlRows : request.max_rows, kMaxSqlRows);
  // One query per loop pass: a burst of queries must not add up to an election timeout.
  if (sql_ran_this_pass_)
    return wire::ErrorReply{request.request_id, wire::ErrorCode::busy,
                            "another query ran in this pass of the node's loop; retry"};
  sql_ran_this_pass_ = true;
  auto result = store_.query_readonly(request.sql, rows, kMaxSqlBytes, kMaxSqlTime);
  // An interrupted query is final (not `busy`): a retry would only stall the node again.
  if (!result.ok())
    return wire::ErrorReply{request.request_id, wire::ErrorCode::invalid_request,
                            result.status().message()};
  return wire::SqlReply{request.request_id, std::move(result->columns), std::move(result->rows),
                        result->truncated};
}

}  // namespace meadow::node
