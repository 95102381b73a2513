// Leader election: campaigns (Raft §5.2), the voting rule with the election restriction
// (§5.4.1), PreVote (thesis §9.6) and the CheckQuorum liveness test (thesis §6.2).
#include "common/assert.h"
#include "node/raft/raft_core.h"

namespace meadow::raft {

void RaftCore::campaign(bool pre_vote, bool transfer) {
  Term vote_term = 0;
  MessageType type{};
  if (pre_vote) {
    become_pre_candidate();
    vote_term = term_ + 1;  // the term we would use; ours stays unchanged
    type = MessageType::pre_vote;
  } else {
    become_candidate();
    vote_term = term_;
    type = MessageType::vote;
  }
  if (poll(id_, true) > 0) {  // a single-node cluster wins at once
    if (pre_vote) {
      campaign(false, transfer);
    } else {
      become_leader();
    }
    return;
  }
  for (NodeId peer : membership_.voters) {
    if (peer == id_) continue;
    Message m;
    m.type = type;
    m.to = peer;
    m.term = vote_term;
    m.index = log_.last_index();
    m.log_term = log_.last_term();
    if (transfer) m.context = kCampaignTransfer;
    send(std::move(m));
  }
}

void RaftCore::handle_vote_request(const Message& m) {
  const bool pre = m.type == MessageType::pre_vote;
  // Raft §5.2: at most one vote per term, first come first served (a repeated request from the
  // node we voted for is answered again). A pre-vote for a future term binds nothing.
  const bool can_vote = voted_for_ == m.from || (voted_for_ == kNoNode && leader_ == kNoNode) ||
                        (pre && m.term > term_);
  // Raft §5.4.1: only for a candidate whose log is at least as up to date as ours.
  const bool grant = can_vote && log_.is_up_to_date(m.index, m.log_term);
  Message resp;
  resp.type = pre ? MessageType::pre_vote_response : MessageType::vote_response;
  resp.to = m.from;
  resp.reject = !grant;
  if (grant) {
    // A granted pre-vote answers in the requested term, so the pre-candidate can count it.
    resp.term = m.term;
    if (!pre) {
      // The vote goes into the HardState of the next Ready, which is persisted before this
      // response is sent (Raft Figure 2), so a restart cannot vote twice in this term.
      election_elapsed_ = 0;
      voted_for_ = m.from;
    }
  }
  send(std::move(resp));
}

int RaftCore::poll(NodeId from, bool granted) {
  votes_.emplace(from, granted);  // the first answer from a voter counts (duplicates ignored)
  std::size_t yes = 0;
  std::size_t no = 0;
  for (const auto& [id, vote] : votes_) {
    if (is_voter(id)) (vote ? yes : no) += 1;  // a learner's answer counts for nothing
  }
  if (yes >= quorum()) return 1;
  if (no > membership_.voters.size() - quorum()) return -1;
  return 0;
}

bool RaftCore::check_quorum_active() {
  std::size_t active = 0;
  for (auto& [id, pr] : progress_) {
    if (is_voter(id) && (id == id_ || pr.recent_active())) ++active;
    if (id != id_) pr.set_recent_active(false);
  }
  return active >= quorum();
}

}  // namespace meadow::raft
