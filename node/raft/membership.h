// Cluster membership: who votes and who only replicates (learners), the one-server-at-a-time
// changes between configurations (Raft thesis §4.1-4.3) and the text form a configuration
// takes inside a log entry of kind `config`. Pure values; standard library only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/raft/types.h"

namespace meadow::raft {

/// Longest address a member may carry (bytes).
inline constexpr std::size_t kMaxMemberAddressBytes = 1024;

/// A configuration: voters elect and form quorums; learners receive entries but never vote,
/// count toward a quorum or campaign. Both lists sorted ascending, disjoint, no kNoNode.
struct ClusterConfig {
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;
  /// Per member, an opaque address the runtime gives meaning to (its endpoints): non-empty,
  /// at most kMaxMemberAddressBytes, no '\n'. Only members have one; a member may have none
  /// (the simulator's nodes need no address). Carried unchanged through changes.
  std::map<NodeId, std::string> addresses;

  bool operator==(const ClusterConfig&) const = default;
  bool empty() const { return voters.empty() && learners.empty(); }
  bool is_voter(NodeId id) const;
  bool is_learner(NodeId id) const;
  bool is_member(NodeId id) const { return is_voter(id) || is_learner(id); }
  /// voters then learners, each ascending.
  std::vector<NodeId> members() const;
  /// The member's address, "" if it has none or is not a member.
  std::string address_of(NodeId id) const;
};

enum class ConfChangeType : std::uint8_t {
  add_learner = 0,  ///< a new node joins without a vote
  promote = 1,      ///< a learner becomes a voter
  remove = 2,       ///< a voter or learner leaves
};

/// One single-server change (thesis §4.1: any two configurations one server apart have
/// overlapping majorities, so no joint consensus is needed).
struct ConfChange {
  ConfChangeType type = ConfChangeType::add_learner;
  NodeId node = kNoNode;
  /// add_learner only: the new member's address ("" = none); ignored by promote and remove.
  std::string address;

  bool operator==(const ConfChange&) const = default;
};

/// Why a change cannot be applied to a configuration (apply_conf_change).
enum class ConfChangeError : std::uint8_t {
  none,
  invalid_node,  ///< node id 0
  exists,        ///< add_learner of an id that is already a voter or learner
  not_learner,   ///< promote of an id that is not a learner
  unknown_node,  ///< remove of an id that is not a member
  last_voter,    ///< remove of the only voter: nobody could commit anything afterwards
  bad_address,   ///< add_learner with an address over kMaxMemberAddressBytes or holding '\n'
};

const char* conf_change_error_name(ConfChangeError error);
const char* conf_change_type_name(ConfChangeType type);

/// The configuration after `change`, or the reason it is refused (`out` unchanged then).
ConfChangeError apply_conf_change(const ClusterConfig& config, const ConfChange& change,
                                  ClusterConfig& out);

/// Text form stored in a config entry's data: "v=1,2,3;l=4" (either list may be empty), then
/// one line "\nID=ADDRESS" per member with an address, ids ascending.
std::string encode_cluster_config(const ClusterConfig& config);
/// Parses encode_cluster_config's form; nullopt for anything malformed (outside input):
/// bad numbers, id 0, duplicates, an id in both lists, no voter at all, or an address line
/// that is not "ID=ADDRESS" for a member (once per member, address non-empty, not too long).
std::optional<ClusterConfig> decode_cluster_config(std::string_view text);

}  // namespace meadow::raft
