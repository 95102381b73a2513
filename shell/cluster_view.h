// ClusterView: one snapshot of what the shell knows about every node — whether its process is
// alive (when the shell knows its pid) and the status it reported (if it answered in time) —
// and the leader derived from it. Plain data and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shell/json_value.h"
#include "transport/wire_client.h"

namespace meadow::shell {

struct NodeView {
  std::uint64_t id = 0;
  std::string endpoint;          ///< client endpoint
  std::int64_t pid = 0;          ///< 0 = unknown (no manifest) or not running
  bool pid_known = false;        ///< the shell can see the node's process (manifest mode)
  bool process_alive = false;    ///< when pid_known
  std::optional<transport::wire::StatusReply> status;  ///< if it answered in time

  /// Up = its process is alive (when known), else = it answered.
  bool up() const { return pid_known ? process_alive : status.has_value(); }
};

struct ClusterView {
  std::vector<NodeView> nodes;  ///< ascending ids
  std::uint64_t leader = 0;     ///< 0 = no node reports itself leader
  std::uint64_t term = 0;       ///< the leader's term, else the highest term reported

  const NodeView* node(std::uint64_t id) const;
  std::vector<std::uint64_t> down_ids() const;
  std::size_t up_count() const;
};

/// Sets `view.leader`/`view.term` from the statuses: the node reporting role leader with the
/// highest term (an old leader cut off by a partition may still think it leads an older term).
void derive_leader(ClusterView& view);

/// "follower", "candidate", "leader", "pre-candidate".
std::string role_name(transport::wire::Role role);

/// A configuration split by vote, each list ascending (as StatusReply.members orders them).
struct Members {
  std::vector<std::uint64_t> voters, learners;
};
Members members_of(const transport::wire::StatusReply& status);
/// {"voters":[...],"learners":[...]} of `status`'s configuration (JSON output).
JsonValue members_json(const transport::wire::StatusReply& status);

/// "1, 3" — for messages naming nodes.
std::string join_ids(const std::vector<std::uint64_t>& ids);

}  // namespace meadow::shell
