// Outcomes of the core's inputs as values (house style: expected outcomes are not
// exceptions). Standard library only.
#pragma once

#include <cstdint>

#include "node/raft/membership.h"
#include "node/raft/types.h"

namespace meadow::raft {

enum class Status : std::uint8_t {
  ok,
  not_leader,     ///< this node does not lead; see the leader hint
  transferring,   ///< the leader is handing leadership over and accepts no proposals
  invalid,        ///< malformed or misaddressed input (wrong `to`, unknown sender, term 0)
  unknown_peer,   ///< transfer target is not a voter
  change_in_flight,  ///< a configuration change is not committed yet (one at a time, §4.1)
  leader_not_ready,  ///< the leader has not committed an entry of its term yet (2015 fix)
  change_refused,    ///< the change does not apply to the configuration; see change_error
};

/// Result of `propose` / `read_index` / `transfer_leadership`.
struct ProposeResult {
  Status status = Status::ok;
  Index index = 0;               ///< propose: index assigned to the entry (status ok)
  Term term = 0;                 ///< propose: term of that entry (status ok)
  NodeId leader_hint = kNoNode;  ///< not_leader: the leader this node knows of, or kNoNode
  ConfChangeError change_error = ConfChangeError::none;  ///< change_refused: why
};

const char* status_name(Status status);

}  // namespace meadow::raft
