// Node: membership changes (Raft thesis §4.1-4.3) as the runtime serves them — the leader's
// handling of MembershipRequest (checks, changes already in effect, a leader removing itself
// handing over first, answers once the config entry commits), following the configuration in
// use with the peer transport, and a removed node's clean exit.
#include <exception>

#include "node/runtime/member_endpoints.h"
#include "node/runtime/node.h"
#include "transport/describe.h"

namespace meadow::node {

namespace wire = transport::wire;

namespace {

raft::ConfChangeType to_raft(wire::MembershipAction action) {
  switch (action) {
    case wire::MembershipAction::add_learner: return raft::ConfChangeType::add_learner;
    case wire::MembershipAction::promote: return raft::ConfChangeType::promote;
    case wire::MembershipAction::remove: return raft::ConfChangeType::remove;
  }
  return raft::ConfChangeType::add_learner;
}

std::string refusal_text(raft::ConfChangeError error, raft::NodeId node) {
  const std::string who = "node " + std::to_string(node);
  switch (error) {
    case raft::ConfChangeError::none: break;
    case raft::ConfChangeError::invalid_node: return "node id must be a positive integer";
    case raft::ConfChangeError::exists:
      return who + " is already a member (with other endpoints); remove it first";
    case raft::ConfChangeError::not_learner:
      return who + " is not a learner: only a learner can be promoted";
    case raft::ConfChangeError::unknown_node: return who + " is not a member of the cluster";
    case raft::ConfChangeError::last_voter:
      return who + " is the last voter: without it nobody could commit anything";
    case raft::ConfChangeError::bad_address: return "the endpoints of " + who + " are too long";
  }
  return who + ": change refused";
}

}  // namespace

void Node::handle_membership(transport::IncomingRequest incoming) {
  const auto r = std::get<wire::MembershipRequest>(incoming.request);
  const auto refuse = [&](wire::ErrorCode code, std::string message) {
    ++client_rejections_;
    reply(incoming.routing_id, wire::ErrorReply{r.request_id, code, std::move(message)});
  };
  // Outside input is checked where it arrives: nothing invalid enters the log.
  if (r.node == raft::kNoNode) return refuse(wire::ErrorCode::invalid_request,
                                             "node id must be a positive integer");
  if (r.action == wire::MembershipAction::add_learner) {
    for (const auto& problem : {endpoint_problem("raft_endpoint", r.raft_endpoint),
                                endpoint_problem("client_endpoint", r.client_endpoint)}) {
      if (!problem.empty()) {
        return refuse(wire::ErrorCode::invalid_request,
                      "add_learner of node " + std::to_string(r.node) + ": " + problem);
      }
    }
  }
  if (core_->role() != raft::Role::leader) return reply(incoming.routing_id, not_leader(r.request_id));

  if (const auto index = change_in_effect(r)) {
    if (*index <= core_->commit_index()) {
      return reply(incoming.routing_id, wire::OkReply{r.request_id, 0, 0, *index});
    }
    // In effect but not committed yet (a retry of the change in flight): answer with it.
    pending_changes_[*index].push_back(
        {core_->log().term(*index).value_or(0), incoming.routing_id, r.request_id});
    return;
  }
  if (r.action == wire::MembershipAction::remove && r.node == config_.id) {
    return reply(incoming.routing_id, hand_over_before_removal(r));
  }

  const Member member{r.node, r.raft_endpoint, r.client_endpoint};
  const std::string address =
      r.action == wire::MembershipAction::add_learner ? member_address(member) : "";
  const auto result = core_->propose_conf_change({to_raft(r.action), r.node, address});
  switch (result.status) {
    case raft::Status::ok:
      logger_.info(std::string("proposed ") + wire::membership_action_name(r.action) +
                   " of node " + std::to_string(r.node) + " at index " +
                   std::to_string(result.index));
      pending_changes_[result.index].push_back({result.term, incoming.routing_id, r.request_id});
      return;
    case raft::Status::leader_not_ready:
      return refuse(wire::ErrorCode::unavailable,
                    "the leader has not yet committed an entry of its term, which a "
                    "membership change must wait for; retry shortly");
    case raft::Status::transferring:
      return refuse(wire::ErrorCode::unavailable, "leadership is being transferred; retry shortly");
    case raft::Status::change_in_flight:
      return refuse(wire::ErrorCode::conflict,
                    "another membership change is in flight (index " +
                        std::to_string(core_->membership_index()) + ")");
    case raft::Status::change_refused:
      return refuse(wire::ErrorCode::invalid_request, refusal_text(result.change_error, r.node));
    default: return reply(incoming.routing_id, not_leader(r.request_id));
  }
}

std::optional<raft::Index> Node::change_in_effect(const wire::MembershipRequest& r) const {
  const raft::ClusterConfig& now = core_->membership();
  switch (r.action) {
    case wire::MembershipAction::add_learner:
      if (now.is_member(r.node) &&
          now.address_of(r.node) == member_address({r.node, r.raft_endpoint, r.client_endpoint}))
        return core_->membership_index();
      break;
    case wire::MembershipAction::promote:
      if (now.is_voter(r.node)) return core_->membership_index();
      break;
    case wire::MembershipAction::remove:
      if (now.is_member(r.node)) break;
      if (core_->membership_at(core_->commit_index()).is_member(r.node))
        return core_->membership_index();  // its removal is the change in flight
      if (auto it = removed_nodes_.find(r.node); it != removed_nodes_.end()) return it->second;
      break;
  }
  return std::nullopt;
}

wire::Reply Node::hand_over_before_removal(const wire::MembershipRequest& r) {
  // Thesis §4.2.2 allows a leader to manage its own removal, but it would keep leading (and
  // replicating) while not counting itself: handing over first keeps the cluster simple.
  if (core_->membership_index() > core_->commit_index()) {
    return wire::ErrorReply{r.request_id, wire::ErrorCode::conflict,
                            "another membership change is in flight (index " +
                                std::to_string(core_->membership_index()) + ")"};
  }
  raft::NodeId target = core_->lead_transferee();  // a transfer already runs: point there
  if (target == raft::kNoNode) {
    raft::Index best = 0;
    for (const auto& [id, progress] : core_->progress()) {
      if (id == config_.id || !core_->membership().is_voter(id)) continue;
      if (target == raft::kNoNode || progress.match_index() > best) {
        best = progress.match_index();
        target = id;
      }
    }
  }
  if (target == raft::kNoNode) {
    return wire::ErrorReply{r.request_id, wire::ErrorCode::invalid_request,
                            refusal_text(raft::ConfChangeError::last_voter, r.node)};
  }
  if (core_->lead_transferee() == raft::kNoNode) {
    logger_.info("asked to remove myself: handing leadership to node " + std::to_string(target) +
                 " first");
    core_->transfer_leadership(target);
  }
  // The client follows the redirect and asks the new leader, which removes this node.
  return wire::NotLeaderReply{r.request_id, target, endpoint_of(target)};
}

std::vector<Member> Node::members_in_use() const {
  // A joining node has no configuration yet: it talks to the nodes its command line names.
  if (core_->membership().empty()) return config_.members;
  return members_of(core_->membership(), config_.members);
}

void Node::sync_membership() {
  // Nodes being removed stay reachable until their removal commits: they must learn of it.
  // A leader replicates to them until they hold it (their progress goes then).
  const raft::Index committed_index = core_->commit_index();
  if (synced_once_ && core_->membership() == synced_membership_ &&
      (core_->membership_index() <= committed_index) == synced_committed_ &&
      core_->progress().size() == synced_progress_size_) {
    return;
  }
  synced_once_ = true;
  synced_membership_ = core_->membership();
  synced_committed_ = core_->membership_index() <= committed_index;
  synced_progress_size_ = core_->progress().size();
  std::map<raft::NodeId, std::string> wanted;
  for (const auto& [id, progress] : core_->progress()) {
    if (auto it = peer_endpoints_.find(id); it != peer_endpoints_.end()) wanted[id] = it->second;
  }
  for (const Member& m : members_of(core_->membership_at(committed_index), config_.members)) {
    if (m.id != config_.id && !m.raft_endpoint.empty()) wanted[m.id] = m.raft_endpoint;
  }
  for (const Member& m : members_in_use()) {
    if (m.id != config_.id && !m.raft_endpoint.empty()) wanted[m.id] = m.raft_endpoint;
  }
  for (auto it = peer_endpoints_.begin(); it != peer_endpoints_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    peers_->remove_peer(it->first);
    logger_.info("disconnected from node " + std::to_string(it->first) + " (not a member)");
    it = peer_endpoints_.erase(it);
  }
  for (const auto& [id, endpoint] : wanted) {
    if (auto it = peer_endpoints_.find(id); it != peer_endpoints_.end() && it->second == endpoint)
      continue;
    try {
      peers_->add_peer({id, endpoint, ""});
      peer_endpoints_[id] = endpoint;
      logger_.info("peer " + std::to_string(id) + " at " + endpoint);
    } catch (const std::exception& e) {  // an endpoint ZeroMQ cannot connect to
      logger_.warn(std::string("cannot reach node ") + std::to_string(id) + ": " + e.what());
    }
  }
}

void Node::on_applied_configs(const std::vector<raft::Entry>& committed) {
  for (const raft::Entry& entry : committed) {
    if (entry.kind == raft::EntryKind::config) {
      // Our own log's entries: the core checked them when they arrived.
      if (auto config = raft::decode_cluster_config(entry.data)) {
        note_applied_config(*config, entry.index);
      }
    }
    auto it = pending_changes_.find(entry.index);
    if (it == pending_changes_.end()) continue;
    for (const PendingChange& change : it->second) {
      if (entry.kind == raft::EntryKind::config && entry.term == change.term) {
        reply(change.routing_id, wire::OkReply{change.request_id, 0, 0, entry.index});
      } else {
        reply(change.routing_id, not_leader(change.request_id));  // another leader's entry
      }
    }
    pending_changes_.erase(it);
  }
}

void Node::note_applied_config(const raft::ClusterConfig& config, raft::Index index) {
  for (raft::NodeId id : applied_membership_.members()) {
    if (!config.is_member(id)) removed_nodes_[id] = index;
  }
  for (raft::NodeId id : config.members()) removed_nodes_.erase(id);
  if (applied_membership_.is_member(config_.id) && !config.is_member(config_.id)) {
    removed_at_ = index;
  }
  applied_membership_ = config;
}

}  // namespace meadow::node
