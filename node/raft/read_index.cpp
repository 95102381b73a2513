// ReadIndex (Raft thesis §6.4): a linearizable read without writing to the log. The leader
// records its commit index, confirms it still leads with a heartbeat round acknowledged by a
// majority, and the read is served once the state machine applied that index. Lease-free.
#include <utility>

#include "node/raft/raft_core.h"

namespace meadow::raft {

ProposeResult RaftCore::read_index(std::string context) {
  if (role_ != Role::leader) return {Status::not_leader, 0, 0, leader_};
  // A leader that removed itself is about to step down; its reads would be dropped then.
  if (!is_voter(id_)) return {Status::transferring, 0, 0, leader_};
  // Thesis §6.4 step 1: until the leader commits an entry of its own term (its no-op) it does
  // not know the latest commit index, so the read waits for that.
  if (!committed_in_current_term()) {
    reads_waiting_for_commit_.push_back(std::move(context));
    return {Status::ok, 0, 0, id_};
  }
  start_read(std::move(context));
  return {Status::ok, 0, 0, id_};
}

void RaftCore::start_read(std::string context) {
  PendingRead read;
  read.round = "read-" + std::to_string(next_read_round_++);
  read.context = std::move(context);
  read.index = log_.committed();
  read.acks.insert(id_);
  pending_reads_.push_back(std::move(read));
  const std::string round = pending_reads_.back().round;
  if (quorum() == 1) {
    handle_read_ack(id_, round);
    return;
  }
  // Thesis §6.4 step 2: a heartbeat round; a majority answering proves no newer leader
  // could have committed anything we do not know about.
  broadcast_heartbeat(round);
}

void RaftCore::release_reads_waiting_for_commit() {
  if (role_ != Role::leader || reads_waiting_for_commit_.empty() ||
      !committed_in_current_term()) {
    return;
  }
  std::vector<std::string> waiting = std::move(reads_waiting_for_commit_);
  reads_waiting_for_commit_.clear();
  for (auto& context : waiting) start_read(std::move(context));
}

void RaftCore::handle_read_ack(NodeId from, const std::string& round) {
  std::size_t pos = 0;
  while (pos < pending_reads_.size() && pending_reads_[pos].round != round) ++pos;
  if (pos == pending_reads_.size()) return;  // an old round, already answered
  PendingRead& read = pending_reads_[pos];
  read.acks.insert(from);
  std::size_t voter_acks = 0;  // learners answer heartbeats too, but only voters confirm
  for (NodeId id : read.acks) voter_acks += is_voter(id) ? 1 : 0;
  if (voter_acks < quorum()) return;
  // The round confirmed leadership at a moment after every earlier read arrived, so those are
  // confirmed too (etcd readOnly.advance).
  for (std::size_t i = 0; i <= pos; ++i) {
    read_states_.push_back({pending_reads_.front().index, std::move(pending_reads_.front().context)});
    pending_reads_.pop_front();
  }
}

std::string RaftCore::last_read_round() const {
  return pending_reads_.empty() ? std::string() : pending_reads_.back().round;
}

std::size_t RaftCore::pending_read_count() const {
  return pending_reads_.size() + reads_waiting_for_commit_.size();
}

}  // namespace meadow::raft
