// Node: the status request (what the shell's status table shows) and fault injection.
#include "node/runtime/node.h"

#include <unistd.h>

namespace meadow::node {

namespace wire = transport::wire;

namespace {

wire::Role to_wire(raft::Role role) {
  switch (role) {
    case raft::Role::follower: return wire::Role::follower;
    case raft::Role::pre_candidate: return wire::Role::pre_candidate;
    case raft::Role::candidate: return wire::Role::candidate;
    case raft::Role::leader: return wire::Role::leader;
  }
  return wire::Role::follower;
}

std::int64_t millis_between(std::chrono::steady_clock::time_point from,
                            std::chrono::steady_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace

wire::StatusReply Node::status(std::uint64_t request_id) const {
  const auto now = Clock::now();
  wire::StatusReply s;
  s.request_id = request_id;
  s.node_id = config_.id;
  s.role = to_wire(core_->role());
  s.term = core_->term();
  s.leader_id = core_->leader();
  s.commit_index = core_->commit_index();
  s.last_applied = store_.applied_index();
  s.last_index = core_->last_index();
  const raft::ClusterConfig& membership = core_->membership();
  for (const auto& m : members_in_use()) {
    // The configuration in use, voters first (members_in_use's order), learners too.
    if (!membership.empty())
      s.members.push_back({m.id, membership.is_voter(m.id), m.raft_endpoint, m.client_endpoint});
    if (m.id == config_.id) continue;
    wire::PeerStatus peer{m.id, 0, 0, -1};
    if (auto it = core_->progress().find(m.id); it != core_->progress().end()) {
      peer.match_index = it->second.match_index();
      peer.next_index = it->second.next_index();
    }
    if (auto it = last_contact_.find(m.id); it != last_contact_.end())
      peer.last_contact_ms = millis_between(it->second, now);
    s.peers.push_back(peer);
  }
  s.membership_index = core_->membership_index();
  s.durability = store::durability_name(store_.durability());
  s.counters = peers_->counters();
  s.counters.merge(clients_->counters());
  const auto& c = core_->counters();
  s.counters["raft.pre_elections_started"] = c.pre_elections_started;
  s.counters["raft.elections_started"] = c.elections_started;
  s.counters["raft.elections_won"] = c.elections_won;
  s.counters["raft.messages_rejected"] = c.messages_rejected;
  s.counters["raft.check_quorum_step_downs"] = c.check_quorum_step_downs;
  s.counters["store.persists"] = storage_.persist_count();
  s.counters["state.applied_entries"] = applied_entries_;
  s.counters["client.rejected"] = client_rejections_;
  s.counters["snapshot.index"] = store_.snapshot_meta().index;
  s.counters["snapshot.term"] = store_.snapshot_meta().term;
  s.counters["snapshot.compactions"] = compactions_;
  s.counters["snapshot.installed"] = snapshots_installed_;
  s.counters["snapshot.images"] = snapshot_sender_->counters().images;
  s.counters["snapshot.sent"] = snapshot_sender_->counters().sent;
  s.counters["snapshot.send_failed"] = snapshot_sender_->counters().failed;
  s.counters["snapshot.received"] = snapshot_receiver_->counters().received;
  s.counters["snapshot.refused"] = snapshot_receiver_->counters().refused;
  s.counters["snapshot.stale_chunks"] =
      stale_snapshot_chunks_ + snapshot_receiver_->counters().stale;
  s.counters["snapshot.cancelled"] = snapshot_sender_->counters().cancelled;
  s.counters["log.entries"] = store_.log_entries();
  s.counters["raft.snapshots_requested"] = c.snapshots_requested;
  s.uptime_ms = static_cast<std::uint64_t>(millis_between(started_, now));
  s.pid = static_cast<std::uint64_t>(getpid());
  s.faults = peers_->faults().in_force();
  return s;
}

wire::Reply Node::fault(const wire::FaultRequest& request) {
  if (auto error = peers_->faults().apply(request, config_.id))
    return wire::ErrorReply{request.request_id, wire::ErrorCode::invalid_request, *error};
  logger_.info("faults now: " + peers_->faults().describe());
  return wire::OkReply{request.request_id, 0, 0, 0};
}

}  // namespace meadow::node
