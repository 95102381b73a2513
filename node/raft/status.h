// Outcomes of the core's inputs as values (house style: expected outcomes are not
// exceptions). Standard library only.
#pragma once

#include <cstdint>

#include "node/raft/types.h"

namespace meadow::raft {

enum class Status : std::uint8_t {
  ok,
  not_leader,     ///< this node does not lead; see the leader hint
  transferring,   ///< the leader is handing leadership over and accepts no proposals
  invalid,        ///< malformed or misaddressed input (wrong `to`, unknown sender, term 0)
  unknown_peer,   ///< transfer target is not a voter
};

/// Result of `propose` / `read_index` / `transfer_leadership`.
struct ProposeResult {
  Status status = Status::ok;
  Index index = 0;               ///< propose: index assigned to the entry (status ok)
  Term term = 0;                 ///< propose: term of that entry (status ok)
  NodeId leader_hint = kNoNode;  ///< not_leader: the leader this node knows of, or kNoNode
};

const char* status_name(Status status);

}  // namespace meadow::raft
