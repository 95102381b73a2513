// Client protocol bodies: requests a client sends to a node's client endpoint and the replies it
// gets back. Every request and reply carries the request id chosen by the client; writes carry
// (client_id, sequence) for exactly-once application. Depends on msgpack-c only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "transport/wire_fields.h"
#include "transport/wire_raft.h"

namespace meadow::transport::wire {

/// linearizable: served by the leader after a ReadIndex round; stale: any node answers from its
/// local state (the reply says so).
enum class ReadConsistency : std::uint8_t { linearizable = 0, stale = 1 };
/// prefix: keys starting with `start`; range: keys in [start, end) (empty `end` = unbounded).
enum class ScanMode : std::uint8_t { prefix = 0, range = 1 };
/// What a FaultRequest does; see FaultRequest.
enum class FaultAction : std::uint8_t { drop_peers = 0, delay_peers = 1, drop_percent = 2,
                                        clear = 3 };
/// Which traffic of the listed peers a drop_peers fault affects.
enum class FaultDirection : std::uint8_t { both = 0, outgoing = 1, incoming = 2 };
/// Machine-readable cause in an ErrorReply.
enum class ErrorCode : std::uint8_t {
  invalid_request = 0,  ///< the request is well-formed msgpack but makes no sense (bad range…)
  too_large = 1,        ///< key/value/batch exceeds a limit
  unavailable = 2,      ///< node is shutting down, catching up, or has no quorum right now
  busy = 3,             ///< too many requests queued; retry later
  internal = 4,         ///< a bug or storage failure on the node
  unsupported = 5,      ///< request type not implemented by this node
  conflict = 6,         ///< clashes with work in progress (a membership change in flight); final
};
/// Mirrors the core's roles; pre_candidate = campaigning in PreVote.
enum class Role : std::uint8_t { follower = 0, candidate = 1, leader = 2, pre_candidate = 3 };
/// One single-server membership change; see MembershipRequest.
enum class MembershipAction : std::uint8_t { add_learner = 0, promote = 1, remove = 2 };

}  // namespace meadow::transport::wire

MEADOW_WIRE_ENUM(meadow::transport::wire::ReadConsistency,
                 meadow::transport::wire::ReadConsistency::stale)
MEADOW_WIRE_ENUM(meadow::transport::wire::ScanMode, meadow::transport::wire::ScanMode::range)
MEADOW_WIRE_ENUM(meadow::transport::wire::FaultAction, meadow::transport::wire::FaultAction::clear)
MEADOW_WIRE_ENUM(meadow::transport::wire::FaultDirection,
                 meadow::transport::wire::FaultDirection::incoming)
MEADOW_WIRE_ENUM(meadow::transport::wire::ErrorCode,
                 meadow::transport::wire::ErrorCode::conflict)
MEADOW_WIRE_ENUM(meadow::transport::wire::Role, meadow::transport::wire::Role::pre_candidate)
MEADOW_WIRE_ENUM(meadow::transport::wire::MembershipAction,
                 meadow::transport::wire::MembershipAction::remove)

namespace meadow::transport::wire {

// ---------------------------------------------------------------------------------------------
// Requests (client -> node)
// ---------------------------------------------------------------------------------------------

/// Write `value` under `key`. Applied at most once per (client_id, sequence).
struct PutRequest {
  std::uint64_t request_id = 0;
  std::uint64_t client_id = 0;
  std::uint64_t sequence = 0;  ///< per client, starts at 1, increases with each new write
  std::string key;
  std::string value;

  bool operator==(const PutRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id, client_id, sequence, key, value)
};

/// Remove `key` (ok whether or not it existed). Applied at most once per (client_id, sequence).
struct DeleteRequest {
  std::uint64_t request_id = 0;
  std::uint64_t client_id = 0;
  std::uint64_t sequence = 0;
  std::string key;

  bool operator==(const DeleteRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id, client_id, sequence, key)
};

/// Read one key. Answered with ValueReply or NotFoundReply (or NotLeader/Error).
struct GetRequest {
  std::uint64_t request_id = 0;
  std::string key;
  ReadConsistency consistency = ReadConsistency::linearizable;

  bool operator==(const GetRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id, key, consistency)
};

/// Read keys in order: by prefix (`start` = the prefix, `end` ignored) or in [start, end).
/// At most `limit` pairs (0 = the node's default cap). Answered with ScanReply.
struct ScanRequest {
  std::uint64_t request_id = 0;
  ScanMode mode = ScanMode::prefix;
  std::string start;
  std::string end;
  std::uint32_t limit = 0;
  ReadConsistency consistency = ReadConsistency::linearizable;

  bool operator==(const ScanRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id, mode, start, end, limit, consistency)
};

/// Ask the receiving node (leader or not) for its StatusReply.
struct StatusRequest {
  std::uint64_t request_id = 0;

  bool operator==(const StatusRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id)
};

/// Fault injection on the receiving node's peer transport (for experiments):
/// - drop_peers: drop traffic to/from `peers` per `direction` (adds to the current set);
/// - delay_peers: hold outgoing messages to `peers` for `delay_ms` plus a random extra in
///   [0, `jitter_ms`] per message (both 0 removes the delay; each at most one hour);
/// - drop_percent: drop `drop_percent` % in [0, 100] of all outgoing peer messages;
/// - clear: remove every fault.
/// Answered with OkReply (client_id/sequence 0) or ErrorReply(invalid_request).
struct FaultRequest {
  std::uint64_t request_id = 0;
  FaultAction action = FaultAction::clear;
  std::vector<NodeId> peers;
  FaultDirection direction = FaultDirection::both;
  std::uint32_t delay_ms = 0;
  std::uint32_t drop_percent = 0;
  std::uint32_t jitter_ms = 0;

  bool operator==(const FaultRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id, action, peers, direction, delay_ms, drop_percent, jitter_ms)
};

/// Ask the receiving node, which must be the leader, to hand leadership to `target` (Raft
/// thesis §3.10: it brings `target` up to date, then tells it to campaign at once). Answered
/// with OkReply when the transfer has started (poll status to see it complete), NotLeaderReply,
/// or ErrorReply(invalid_request) for an unknown target or the leader itself.
struct TransferLeaderRequest {
  std::uint64_t request_id = 0;
  NodeId target = kNoNode;

  bool operator==(const TransferLeaderRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id, target)
};

/// Read the receiving node's stored Raft log: at most `count` entries (capped at 1000) starting
/// at `from_index`; from_index 0 = the last `count` entries. Answered with LogReply.
struct LogRequest {
  std::uint64_t request_id = 0;
  std::uint64_t from_index = 0;
  std::uint32_t count = 0;

  bool operator==(const LogRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id, from_index, count)
};

/// Run one read-only SQL statement on the receiving node's own SQLite connection (the store
/// holds its file with an exclusive lock, so no other process can read it). Anything that is
/// not a plain SELECT (writes, ATTACH, PRAGMA, BEGIN, several statements) is refused with
/// ErrorReply(invalid_request). At most `max_rows` rows (0 = 100, capped at 1000) and 1 MiB of
/// text; a statement running over 50 ms is stopped (the node's loop, heartbeats included, waits
/// for it), and a node runs one query per loop pass. Answered with SqlReply.
struct SqlRequest {
  std::uint64_t request_id = 0;
  std::string sql;
  std::uint32_t max_rows = 0;

  bool operator==(const SqlRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id, sql, max_rows)
};

/// Take a snapshot on the receiving node now: compact its log up to its applied index.
/// Answered with OkReply whose `index` is the node's snapshot index afterwards.
struct SnapshotRequest {
  std::uint64_t request_id = 0;

  bool operator==(const SnapshotRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id)
};

/// Change the cluster's membership by one server (Raft thesis §4.1), sent to the leader
/// (redirected like a write). add_learner: `node` joins without a vote, reachable at the two
/// endpoints (required); promote: a learner becomes a voter; remove: a voter or learner leaves
/// (a leader removing itself hands leadership to another voter first). Answered once the
/// change is committed with OkReply (`index` = the config entry's log index); a change that is
/// already in effect (same node, same endpoints) is answered Ok at once, so retries are safe.
/// Refusals: ErrorReply(invalid_request) for an existing id, promoting a non-learner, removing
/// an unknown node or the last voter, bad endpoints; ErrorReply(conflict) while another change
/// is in flight; ErrorReply(unavailable) while a new leader has not yet committed an entry of
/// its term (the client retries that one).
struct MembershipRequest {
  std::uint64_t request_id = 0;
  MembershipAction action = MembershipAction::add_learner;
  NodeId node = kNoNode;
  std::string raft_endpoint;    ///< add_learner only: where peers reach the new node
  std::string client_endpoint;  ///< add_learner only: where clients reach it

  bool operator==(const MembershipRequest&) const = default;
  MEADOW_WIRE_FIELDS(request_id, action, node, raft_endpoint, client_endpoint)
};

using Request =
    std::variant<PutRequest, DeleteRequest, GetRequest, ScanRequest, StatusRequest, FaultRequest,
                 TransferLeaderRequest, LogRequest, SqlRequest, SnapshotRequest,
                 MembershipRequest>;

// ---------------------------------------------------------------------------------------------
// Replies (node -> client)
// ---------------------------------------------------------------------------------------------

/// Who answered a read and how fresh it is.
struct ReadInfo {
  NodeId node_id = kNoNode;         ///< the node that served the read
  std::uint64_t applied_index = 0;  ///< its last applied log index when it answered
  bool stale = false;               ///< true unless the read was linearizable

  bool operator==(const ReadInfo&) const = default;
  MEADOW_WIRE_FIELDS(node_id, applied_index, stale)
};

/// A write (or a fault request) took effect. For writes `client_id`/`sequence` echo the request
/// and `index` is the log index at which it applied (for a duplicate: the original's, or 0 if
/// the node no longer knows it).
struct OkReply {
  std::uint64_t request_id = 0;
  std::uint64_t client_id = 0;
  std::uint64_t sequence = 0;
  std::uint64_t index = 0;

  bool operator==(const OkReply&) const = default;
  MEADOW_WIRE_FIELDS(request_id, client_id, sequence, index)
};

/// The value of the key a GetRequest asked for.
struct ValueReply {
  std::uint64_t request_id = 0;
  std::string value;
  ReadInfo read;

  bool operator==(const ValueReply&) const = default;
  MEADOW_WIRE_FIELDS(request_id, value, read)
};

/// The key a GetRequest asked for does not exist.
struct NotFoundReply {
  std::uint64_t request_id = 0;
  ReadInfo read;

  bool operator==(const NotFoundReply&) const = default;
  MEADOW_WIRE_FIELDS(request_id, read)
};

/// This node is not the leader. `leader_id` = kNoNode and `leader_endpoint` empty when unknown;
/// `leader_endpoint` is the leader's client endpoint if the node knows it.
struct NotLeaderReply {
  std::uint64_t request_id = 0;
  NodeId leader_id = kNoNode;
  std::string leader_endpoint;

  bool operator==(const NotLeaderReply&) const = default;
  MEADOW_WIRE_FIELDS(request_id, leader_id, leader_endpoint)
};

/// The request failed on the node.
struct ErrorReply {
  std::uint64_t request_id = 0;
  ErrorCode code = ErrorCode::internal;
  std::string message;

  bool operator==(const ErrorReply&) const = default;
  MEADOW_WIRE_FIELDS(request_id, code, message)
};

struct KeyValue {
  std::string key;
  std::string value;

  bool operator==(const KeyValue&) const = default;
  MEADOW_WIRE_FIELDS(key, value)
};

/// Result of a ScanRequest, in key order. `more` = the limit cut the result short.
struct ScanReply {
  std::uint64_t request_id = 0;
  std::vector<KeyValue> items;
  bool more = false;
  ReadInfo read;

  bool operator==(const ScanReply&) const = default;
  MEADOW_WIRE_FIELDS(request_id, items, more, read)
};

/// What a node knows about one peer (leader's view; followers report zeros).
struct PeerStatus {
  NodeId id = kNoNode;
  std::uint64_t match_index = 0;
  std::uint64_t next_index = 0;
  std::int64_t last_contact_ms = -1;  ///< ms since we last heard from it; -1 = never

  bool operator==(const PeerStatus&) const = default;
  MEADOW_WIRE_FIELDS(id, match_index, next_index, last_contact_ms)
};

/// One member of the configuration a node is using (the latest one in its log).
struct MemberInfo {
  NodeId id = kNoNode;
  bool voter = false;  ///< false = learner
  std::string raft_endpoint;
  std::string client_endpoint;

  bool operator==(const MemberInfo&) const = default;
  MEADOW_WIRE_FIELDS(id, voter, raft_endpoint, client_endpoint)
};

/// A node's view of itself. `counters` holds named totals, e.g. "drop.malformed",
/// "peer.sent", "client.requests" (see transport/PROTOCOL.md for the transport's names).
struct StatusReply {
  std::uint64_t request_id = 0;
  NodeId node_id = kNoNode;
  Role role = Role::follower;
  std::uint64_t term = 0;
  NodeId leader_id = kNoNode;
  std::uint64_t commit_index = 0;
  std::uint64_t last_applied = 0;
  std::uint64_t last_index = 0;
  std::vector<PeerStatus> peers;
  std::string durability;  ///< e.g. "synchronous=FULL"
  std::map<std::string, std::uint64_t> counters;
  std::uint64_t uptime_ms = 0;
  std::uint64_t pid = 0;
  /// Injected faults in force on this node, e.g. "drop_out={3} drop_in={3} delay={} drop=0%";
  /// empty = none. Faults live in memory only: a restart clears them.
  std::string faults;
  /// The configuration this node uses (the latest in its log, committed or not): voters
  /// first, then learners, each ascending by id.
  std::vector<MemberInfo> members;
  /// Log index of the entry that set `members`; 0 = the initial configuration.
  std::uint64_t membership_index = 0;

  bool operator==(const StatusReply&) const = default;
  MEADOW_WIRE_FIELDS(request_id, node_id, role, term, leader_id, commit_index, last_applied,
                     last_index, peers, durability, counters, uptime_ms, pid, faults, members,
                     membership_index)
};

/// One log entry as LogReply shows it.
struct LogEntryInfo {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  std::string command;  ///< one line, e.g. "put k=v", "delete k", "no-op"

  bool operator==(const LogEntryInfo&) const = default;
  MEADOW_WIRE_FIELDS(index, term, command)
};

/// A stretch of one node's log with its commit and applied marks. first_index/last_index bound
/// what the node stores (first_index > last_index when it stores nothing).
struct LogReply {
  std::uint64_t request_id = 0;
  NodeId node_id = kNoNode;
  std::uint64_t first_index = 0;
  std::uint64_t last_index = 0;
  std::uint64_t commit_index = 0;
  std::uint64_t last_applied = 0;
  std::vector<LogEntryInfo> entries;

  bool operator==(const LogReply&) const = default;
  MEADOW_WIRE_FIELDS(request_id, node_id, first_index, last_index, commit_index, last_applied,
                     entries)
};

/// Result of a SqlRequest: column names and rows as text (NULL as "NULL", blobs as x'hex').
/// `truncated` = more rows or bytes than the limits.
struct SqlReply {
  std::uint64_t request_id = 0;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  bool truncated = false;

  bool operator==(const SqlReply&) const = default;
  MEADOW_WIRE_FIELDS(request_id, columns, rows, truncated)
};

using Reply = std::variant<OkReply, ValueReply, NotFoundReply, NotLeaderReply, ErrorReply,
                           ScanReply, StatusReply, LogReply, SqlReply>;

/// The request id carried by any request or reply.
std::uint64_t request_id_of(const Request& request);
std::uint64_t request_id_of(const Reply& reply);
/// Sets the request id of any request.
void set_request_id(Request& request, std::uint64_t request_id);
/// True for requests that change state (put, delete) and so carry (client_id, sequence).
bool is_write(const Request& request);

}  // namespace meadow::transport::wire
