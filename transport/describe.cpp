// Text forms of protocol objects. Keys and values are shown quoted and truncated so one line
// stays one line whatever the payload holds.
#include "transport/describe.h"

#include <cstdio>

namespace meadow::transport::wire {
namespace {

constexpr std::size_t kShownBytes = 40;

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < kShownBytes; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > kShownBytes) out += "...";
  return out + "\"";
}

// Like quoted() but without quotes, for text that is normally plain (endpoints, cluster ids).
std::string plain(const std::string& s) {
  const std::string q = quoted(s);
  return q.substr(1, q.size() - 2);
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

const char* raft_type_name(RaftMessageType type) {
  switch (type) {
    case RaftMessageType::pre_vote: return "PreVote";
    case RaftMessageType::pre_vote_response: return "PreVoteResp";
    case RaftMessageType::vote: return "Vote";
    case RaftMessageType::vote_response: return "VoteResp";
    case RaftMessageType::append: return "Append";
    case RaftMessageType::append_response: return "AppendResp";
    case RaftMessageType::heartbeat: return "Heartbeat";
    case RaftMessageType::heartbeat_response: return "HeartbeatResp";
    case RaftMessageType::timeout_now: return "TimeoutNow";
    case RaftMessageType::snapshot: return "Snapshot";
    case RaftMessageType::snapshot_response: return "SnapshotResp";
  }
  return "?";
}

const char* kind_name(EntryKind kind) {
  switch (kind) {
    case EntryKind::normal: return "normal";
    case EntryKind::noop: return "noop";
    case EntryKind::config: return "config";
  }
  return "?";
}

const char* consistency_name(ReadConsistency c) {
  return c == ReadConsistency::stale ? "stale" : "linearizable";
}

const char* role_name(Role role) {
  switch (role) {
    case Role::follower: return "follower";
    case Role::candidate: return "candidate";
    case Role::leader: return "leader";
    case Role::pre_candidate: return "pre_candidate";
  }
  return "?";
}

const char* fault_name(FaultAction action) {
  switch (action) {
    case FaultAction::drop_peers: return "drop_peers";
    case FaultAction::delay_peers: return "delay_peers";
    case FaultAction::drop_percent: return "drop_percent";
    case FaultAction::clear: return "clear";
  }
  return "?";
}

const char* direction_name(FaultDirection d) {
  switch (d) {
    case FaultDirection::both: return "both";
    case FaultDirection::outgoing: return "out";
    case FaultDirection::incoming: return "in";
  }
  return "?";
}

std::string describe_read(const ReadInfo& r) {
  return " by=" + std::to_string(r.node_id) + " applied=" + std::to_string(r.applied_index) +
         (r.stale ? " stale" : "");
}

std::string id_list(const std::vector<NodeId>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) out += ",";
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

struct RequestText {
  std::string operator()(const PutRequest& r) const {
    return "put#" + std::to_string(r.request_id) + " c=" + hex(r.client_id) +
           " s=" + std::to_string(r.sequence) + " key=" + quoted(r.key) + " " +
           std::to_string(r.value.size()) + "B";
  }
  std::string operator()(const DeleteRequest& r) const {
    return "del#" + std::to_string(r.request_id) + " c=" + hex(r.client_id) +
           " s=" + std::to_string(r.sequence) + " key=" + quoted(r.key);
  }
  std::string operator()(const GetRequest& r) const {
    return "get#" + std::to_string(r.request_id) + " key=" + quoted(r.key) + " " +
           consistency_name(r.consistency);
  }
  std::string operator()(const ScanRequest& r) const {
    std::string what = r.mode == ScanMode::prefix
                           ? "prefix=" + quoted(r.start)
                           : "range=[" + quoted(r.start) + "," + quoted(r.end) + ")";
    return "scan#" + std::to_string(r.request_id) + " " + what +
           " limit=" + std::to_string(r.limit) + " " + consistency_name(r.consistency);
  }
  std::string operator()(const StatusRequest& r) const {
    return "status#" + std::to_string(r.request_id);
  }
  std::string operator()(const SnapshotRequest& r) const {
    return "snapshot#" + std::to_string(r.request_id);
  }
  std::string operator()(const MembershipRequest& r) const {
    std::string out = "membership#" + std::to_string(r.request_id) + " " +
                      membership_action_name(r.action) + " node=" + std::to_string(r.node);
    if (r.action == MembershipAction::add_learner) {
      out += " raft=" + quoted(r.raft_endpoint) + " client=" + quoted(r.client_endpoint);
    }
    return out;
  }
  std::string operator()(const FaultRequest& r) const {
    std::string out = "fault#" + std::to_string(r.request_id) + " " + fault_name(r.action);
    switch (r.action) {
      case FaultAction::drop_peers:
        out += " peers=" + id_list(r.peers) + " dir=" + direction_name(r.direction);
        break;
      case FaultAction::delay_peers:
        out += " peers=" + id_list(r.peers) + " delay=" + std::to_string(r.delay_ms) + "ms";
        if (r.jitter_ms != 0) out += " jitter=" + std::to_string(r.jitter_ms) + "ms";
        break;
      case FaultAction::drop_percent:
        out += " " + std::to_string(r.drop_percent) + "%";
        break;
      case FaultAction::clear:
        break;
    }
    return out;
  }
  std::string operator()(const TransferLeaderRequest& r) const {
    return "transfer_leader#" + std::to_string(r.request_id) + " to=" + std::to_string(r.target);
  }
  std::string operator()(const LogRequest& r) const {
    return "log#" + std::to_string(r.request_id) + " from=" + std::to_string(r.from_index) +
           " count=" + std::to_string(r.count);
  }
  std::string operator()(const SqlRequest& r) const {
    return "sql#" + std::to_string(r.request_id) + " " + quoted(r.sql) +
           " max_rows=" + std::to_string(r.max_rows);
  }
};

struct ReplyText {
  std::string operator()(const OkReply& r) const {
    std::string out = "ok#" + std::to_string(r.request_id);
    if (r.client_id != 0) {
      out += " c=" + hex(r.client_id) + " s=" + std::to_string(r.sequence) +
             " index=" + std::to_string(r.index);
    }
    return out;
  }
  std::string operator()(const ValueReply& r) const {
    return "value#" + std::to_string(r.request_id) + " " + quoted(r.value) + describe_read(r.read);
  }
  std::string operator()(const NotFoundReply& r) const {
    return "not_found#" + std::to_string(r.request_id) + describe_read(r.read);
  }
  std::string operator()(const NotLeaderReply& r) const {
    return "not_leader#" + std::to_string(r.request_id) +
           " leader=" + std::to_string(r.leader_id) +
           (r.leader_endpoint.empty() ? "" : " at " + plain(r.leader_endpoint));
  }
  std::string operator()(const ErrorReply& r) const {
    return "error#" + std::to_string(r.request_id) + " " + error_name(r.code) + ": " +
           quoted(r.message);
  }
  std::string operator()(const ScanReply& r) const {
    return "scan_reply#" + std::to_string(r.request_id) + " items=" +
           std::to_string(r.items.size()) + (r.more ? " more" : "") + describe_read(r.read);
  }
  std::string operator()(const StatusReply& r) const {
    return "status_reply#" + std::to_string(r.request_id) + " node=" +
           std::to_string(r.node_id) + " " + role_name(r.role) +
           " term=" + std::to_string(r.term) + " leader=" + std::to_string(r.leader_id) +
           " commit=" + std::to_string(r.commit_index) +
           " applied=" + std::to_string(r.last_applied) +
           " last=" + std::to_string(r.last_index) + " peers=" + std::to_string(r.peers.size()) +
           " members=" + std::to_string(r.members.size());
  }
  std::string operator()(const LogReply& r) const {
    return "log_reply#" + std::to_string(r.request_id) + " node=" + std::to_string(r.node_id) +
           " entries=" + std::to_string(r.entries.size()) +
           " commit=" + std::to_string(r.commit_index) +
           " applied=" + std::to_string(r.last_applied);
  }
  std::string operator()(const SqlReply& r) const {
    return "sql_reply#" + std::to_string(r.request_id) + " rows=" + std::to_string(r.rows.size()) +
           (r.truncated ? " truncated" : "");
  }
};

}  // namespace

std::string describe(const Entry& entry) {
  return std::to_string(entry.term) + "/" + std::to_string(entry.index) + " " +
         kind_name(entry.kind) + " " + std::to_string(entry.data.size()) + "B";
}

std::string describe(const RaftMessage& m) {
  std::string out = std::to_string(m.from) + "->" + std::to_string(m.to) + " " +
                    raft_type_name(m.type) + " term=" + std::to_string(m.term);
  switch (m.type) {
    case RaftMessageType::pre_vote:
    case RaftMessageType::vote:
      out += " log=" + std::to_string(m.log_term) + "/" + std::to_string(m.index);
      break;
    case RaftMessageType::pre_vote_response:
    case RaftMessageType::vote_response:
    case RaftMessageType::snapshot_response:
      out += m.reject ? " reject" : " grant";
      break;
    case RaftMessageType::append:
      out += " log=" + std::to_string(m.log_term) + "/" + std::to_string(m.index) +
             " commit=" + std::to_string(m.commit) +
             " entries=" + std::to_string(m.entries.size());
      break;
    case RaftMessageType::append_response:
      out += " index=" + std::to_string(m.index);
      if (m.reject) {
        out += " reject hint=" + std::to_string(m.reject_hint) +
               " hint_term=" + std::to_string(m.log_term);
      }
      break;
    case RaftMessageType::heartbeat:
      out += " commit=" + std::to_string(m.commit);
      [[fallthrough]];
    case RaftMessageType::heartbeat_response:
      if (!m.context.empty()) out += " ctx=" + std::to_string(m.context.size()) + "B";
      break;
    case RaftMessageType::timeout_now:
      break;
    case RaftMessageType::snapshot:
      out += " log=" + std::to_string(m.log_term) + "/" + std::to_string(m.index);
      break;
  }
  return out;
}

std::string describe(const Request& request) { return std::visit(RequestText{}, request); }

std::string describe(const Reply& reply) { return std::visit(ReplyText{}, reply); }

std::string describe(const Body& body) {
  return std::visit(
      [](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, RaftMessage>) {
          return describe(b);
        } else if constexpr (std::is_constructible_v<Request, T>) {
          return RequestText{}(b);
        } else {
          return ReplyText{}(b);
        }
      },
      body);
}

std::string describe(const Envelope& envelope) {
  // Appending (rather than "v" + ...) sidesteps GCC 12's false -Wrestrict on string concat.
  std::string out = "v";
  out += std::to_string(envelope.version);
  out += " cluster=";
  out += plain(envelope.cluster_id);
  out += " sender=";
  out += std::to_string(envelope.sender);
  out += " ";
  out += describe(envelope.body);
  return out;
}

std::string describe(const DecodeError& error) {
  return std::string(to_string(error.reason)) + ": " + error.detail;
}

const char* error_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_request: return "invalid_request";
    case ErrorCode::too_large: return "too_large";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::busy: return "busy";
    case ErrorCode::internal: return "internal";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::conflict: return "conflict";
  }
  return "?";
}

const char* membership_action_name(MembershipAction action) {
  switch (action) {
    case MembershipAction::add_learner: return "add_learner";
    case MembershipAction::promote: return "promote";
    case MembershipAction::remove: return "remove";
  }
  return "?";
}

}  // namespace meadow::transport::wire
