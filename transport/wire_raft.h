// Wire mirror of the Raft vocabulary (node/raft/types.h): same fields, same enum values, with
// msgpack adaptors. transport/ must not include node/, so the node runtime converts between
// raft::Message and wire::RaftMessage field by field. Depends on msgpack-c only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "transport/wire_fields.h"

namespace meadow::transport::wire {

using NodeId = std::uint64_t;  ///< 0 means "none", as raft::kNoNode
inline constexpr NodeId kNoNode = 0;

/// Mirrors raft::EntryKind (same integer values).
enum class EntryKind : std::uint8_t { normal = 0, noop = 1, config = 2 };
inline constexpr EntryKind kLastEntryKind = EntryKind::config;

/// Mirrors raft::MessageType (same integer values).
enum class RaftMessageType : std::uint8_t {
  pre_vote = 0,
  pre_vote_response = 1,
  vote = 2,
  vote_response = 3,
  append = 4,
  append_response = 5,
  heartbeat = 6,
  heartbeat_response = 7,
  timeout_now = 8,
  snapshot = 9,
  snapshot_response = 10,
};
inline constexpr RaftMessageType kLastRaftMessageType = RaftMessageType::snapshot_response;

}  // namespace meadow::transport::wire

MEADOW_WIRE_ENUM(meadow::transport::wire::EntryKind, meadow::transport::wire::kLastEntryKind)
MEADOW_WIRE_ENUM(meadow::transport::wire::RaftMessageType,
                 meadow::transport::wire::kLastRaftMessageType)

namespace meadow::transport::wire {

/// Mirrors raft::Entry.
struct Entry {
  std::uint64_t term = 0;
  std::uint64_t index = 0;
  EntryKind kind = EntryKind::normal;
  std::string data;

  bool operator==(const Entry&) const = default;
  MEADOW_WIRE_FIELDS(term, index, kind, data)
};

/// Mirrors raft::Message; see node/raft/types.h for which fields matter per type.
struct RaftMessage {
  RaftMessageType type = RaftMessageType::append;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  std::uint64_t term = 0;
  std::uint64_t log_term = 0;
  std::uint64_t index = 0;
  std::vector<Entry> entries;
  std::uint64_t commit = 0;
  bool reject = false;
  std::uint64_t reject_hint = 0;
  std::string context;

  bool operator==(const RaftMessage&) const = default;
  MEADOW_WIRE_FIELDS(type, from, to, term, log_term, index, entries, commit, reject,
                     reject_hint, context)
};

}  // namespace meadow::transport::wire
