// Leadership transfer (Raft thesis §3.10): the leader brings the target's log up to date,
// sends it TimeoutNow, and refuses proposals meanwhile; the transfer is abandoned after an
// election timeout (tick_heartbeat).
#include "node/raft/raft_core.h"

namespace meadow::raft {

ProposeResult RaftCore::transfer_leadership(NodeId target) {
  if (role_ != Role::leader) return {Status::not_leader, 0, 0, leader_};
  if (!is_voter(target)) return {Status::unknown_peer, 0, 0, leader_};
  if (target == id_ || target == lead_transferee_) return {Status::ok, 0, 0, leader_};
  abort_leader_transfer();  // a newer request replaces a running one
  lead_transferee_ = target;
  election_elapsed_ = 0;  // the deadline: one election timeout from now
  log_line(LogLevel::info, "transferring leadership to " + std::to_string(target));
  if (progress_.at(target).match_index() == log_.last_index()) {
    Message m;
    m.type = MessageType::timeout_now;
    m.to = target;
    send(std::move(m));
  } else {
    maybe_send_append(target, true);
  }
  return {Status::ok, 0, 0, leader_};
}

void RaftCore::abort_leader_transfer() { lead_transferee_ = kNoNode; }

void RaftCore::handle_timeout_now(const Message& m) {
  if (!can_campaign()) return;  // a learner (or removed node) cannot win an election
  log_line(LogLevel::info, "timeout_now from " + std::to_string(m.from) + ": campaigning");
  // Skip PreVote: the leader asked us to take over, and voters honour the transfer context
  // even while they hear from that leader.
  campaign(/*pre_vote=*/false, /*transfer=*/true);
}

}  // namespace meadow::raft
