// The Raft vocabulary shared by the core, the runtime and the simulator: ids, entries and
// messages. Plain data, standard library only (node/raft must not depend on anything else).
// The wire form of these lives in transport/ (a mirror with msgpack adaptors); the runtime
// converts between the two, so this header never learns about serialisation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace meadow::raft {

using NodeId = std::uint64_t;  ///< 0 means "none" (no vote, no known leader)
using Term = std::uint64_t;
using Index = std::uint64_t;   ///< log indexes start at 1; 0 means "before the first entry"

inline constexpr NodeId kNoNode = 0;

enum class EntryKind : std::uint8_t {
  normal = 0,  ///< a client command; `data` is opaque to the core
  noop = 1,    ///< appended by a new leader (Raft §8) to commit entries of earlier terms
  config = 2,  ///< a membership change (reserved for the membership issue)
};

struct Entry {
  Term term = 0;
  Index index = 0;
  EntryKind kind = EntryKind::normal;
  std::string data;

  bool operator==(const Entry&) const = default;
};

enum class MessageType : std::uint8_t {
  pre_vote = 0,           ///< PreVote request (Raft thesis §9.6): would you vote for me?
  pre_vote_response = 1,
  vote = 2,               ///< RequestVote
  vote_response = 3,
  append = 4,             ///< AppendEntries carrying entries (may be empty as a probe)
  append_response = 5,
  heartbeat = 6,          ///< leader liveness + commit; `context` carries a ReadIndex round
  heartbeat_response = 7,
  timeout_now = 8,        ///< leadership transfer: start an election now (Raft thesis §3.10)
  snapshot = 9,           ///< InstallSnapshot (reserved for the snapshot issue)
  snapshot_response = 10,
};

/// One Raft message. Which fields matter depends on `type`:
/// - vote/pre_vote: `log_term`/`index` = candidate's last log term/index.
/// - *_response to votes: `reject`.
/// - append: `log_term`/`index` = term/index of the entry before `entries`; `commit`.
/// - append_response: `index` = last index now matching (accept), or the rejected prev index;
///   on reject `reject_hint` = follower's hint index and `log_term` = term at the hint
///   (fast backtracking, Raft §5.3 / etcd's findConflictByTerm).
/// - heartbeat: `commit`, `context`; heartbeat_response echoes `context`.
struct Message {
  MessageType type = MessageType::append;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Term term = 0;
  Term log_term = 0;
  Index index = 0;
  std::vector<Entry> entries;
  Index commit = 0;
  bool reject = false;
  Index reject_hint = 0;
  std::string context;

  bool operator==(const Message&) const = default;
};

}  // namespace meadow::raft
