// The runtime's meaning of a configuration member's opaque address (raft::ClusterConfig::
// addresses): "RAFT_ENDPOINT CLIENT_ENDPOINT". Checking endpoints from outside (membership
// requests), the initial configuration from the command line, and the members of a
// configuration with their endpoints. Depends on node/raft only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/raft/membership.h"
#include "node/runtime/node_config.h"

namespace meadow::node {

/// Longest endpoint accepted in a membership request (bytes).
inline constexpr std::size_t kMaxEndpointBytes = 256;

/// Why `endpoint` is not a usable tcp:// endpoint ("" = it is): empty, too long, not tcp://,
/// or holding spaces or control characters. `what` names it in the message.
std::string endpoint_problem(std::string_view what, std::string_view endpoint);

/// "RAFT CLIENT": the address a configuration stores for `member`.
std::string member_address(const Member& member);
/// The member `id` of a configuration with `address` (member_address's form; the client
/// endpoint may be empty); nullopt if it does not parse.
std::optional<Member> member_from_address(raft::NodeId id, std::string_view address);

/// Every member as a voter, with its endpoints: a fresh cluster's configuration.
raft::ClusterConfig initial_config(const std::vector<Member>& members);

/// "voters 1,2,3 learners 4" (log lines).
std::string describe_members(const raft::ClusterConfig& config);

/// The members of `config` with their endpoints, voters first. A member listed in
/// `command_line` takes its endpoints from there (a relaunched cluster may have moved ports;
/// an empty client endpoint there keeps the stored one); the others from their address in
/// `config`, else they have none.
std::vector<Member> members_of(const raft::ClusterConfig& config,
                               const std::vector<Member>& command_line);

}  // namespace meadow::node
