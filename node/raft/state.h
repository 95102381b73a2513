// Small value types describing a Raft core's state: its role, the durable HardState
// (Raft Figure 2 "persistent state"), the volatile SoftState and the ReadState of a ReadIndex
// read. Plain data; standard library only.
#pragma once

#include <string>

#include "node/raft/membership.h"
#include "node/raft/types.h"

namespace meadow::raft {

/// A core's role. `pre_candidate` is the PreVote phase (Raft thesis §9.6): the node asks
/// whether it could win before it bumps its term.
enum class Role : std::uint8_t { follower, pre_candidate, candidate, leader };

/// Persistent state that must be durable before any message that depends on it is sent
/// (Raft Figure 2): current term, the vote granted in that term, and the commit index.
struct HardState {
  Term term = 0;
  NodeId voted_for = kNoNode;
  Index commit = 0;

  bool operator==(const HardState&) const = default;
};

/// Volatile state reported for logging and status: who leads and what this node is.
struct SoftState {
  NodeId leader = kNoNode;
  Role role = Role::follower;

  bool operator==(const SoftState&) const = default;
};

/// Where the log starts: everything up to and including `index` is covered by a snapshot (the
/// state machine at that index; the log prefix is compacted away). {0, 0} when there is none.
/// `config` is the membership in effect at `index` (the config entries it covers are gone);
/// empty when the snapshot predates membership changes: the core then keeps the configuration
/// it was started with.
struct SnapshotMeta {
  Index index = 0;
  Term term = 0;
  ClusterConfig config;

  bool operator==(const SnapshotMeta&) const = default;
};

/// A ReadIndex read that became safe: serve it from a state machine whose applied index is
/// >= `index` (Raft thesis §6.4). `context` is the caller's request identifier, echoed.
struct ReadState {
  Index index = 0;
  std::string context;

  bool operator==(const ReadState&) const = default;
};

/// The text form of a role ("follower", "pre_candidate", "candidate", "leader").
const char* role_name(Role role);

}  // namespace meadow::raft
