// RaftCore setup, logical time, role transitions and the Ready/advance cycle. Message handling
// is split by event: step.cpp (dispatch, term rules), election.cpp, replication.cpp,
// read_index.cpp, transfer.cpp.
#include "node/raft/raft_core.h"

#include <algorithm>
#include <utility>

#include "common/assert.h"
#include "node/raft/describe.h"

namespace meadow::raft {

const char* role_name(Role role) {
  switch (role) {
    case Role::follower: return "follower";
    case Role::pre_candidate: return "pre_candidate";
    case Role::candidate: return "candidate";
    case Role::leader: return "leader";
  }
  return "?";
}

const char* status_name(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::not_leader: return "not_leader";
    case Status::transferring: return "transferring";
    case Status::invalid: return "invalid";
    case Status::unknown_peer: return "unknown_peer";
    case Status::change_in_flight: return "change_in_flight";
    case Status::leader_not_ready: return "leader_not_ready";
    case Status::change_refused: return "change_refused";
  }
  return "?";
}

RaftCore::RaftCore(const Config& config, Storage& storage)
    : config_(config), id_(config.id), log_(storage, config.applied), rng_(config.rng_seed) {
  MEADOW_ASSERT(id_ != kNoNode);
  MEADOW_ASSERT(config_.election_timeout_ticks_min > config_.heartbeat_interval_ticks);
  MEADOW_ASSERT(config_.heartbeat_interval_ticks >= 1);
  MEADOW_ASSERT(config_.election_timeout_ticks_max > config_.election_timeout_ticks_min);
  MEADOW_ASSERT(config_.max_inflight_messages >= 1 && config_.max_entries_per_message >= 1);
  load_membership(storage);

  const HardState hs = storage.hard_state();
  term_ = hs.term;
  voted_for_ = hs.voted_for;
  prev_hard_state_ = hs;
  become_follower(term_, kNoNode);
  prev_soft_state_ = soft_state();
  log_line(LogLevel::info, "start " + describe(hs) + " last=" + std::to_string(last_term()) +
                               "/" + std::to_string(last_index()) +
                               " applied=" + std::to_string(log_.applied()));
}

void RaftCore::log_line(LogLevel level, const std::string& line) const {
  if (config_.log_sink != nullptr) config_.log_sink->log(level, id_, line);
}

void RaftCore::send(Message message) {
  message.from = id_;
  if (message.term == 0) message.term = term_;
  msgs_.push_back(std::move(message));
}

// ---------------------------------------------------------------- time

void RaftCore::tick() {
  if (role_ == Role::leader) {
    tick_heartbeat();
  } else {
    tick_election();
  }
}

void RaftCore::reset_randomized_election_timeout() {
  // Raft §5.2: randomized timeouts make split votes rare.
  randomized_election_timeout_ = static_cast<int>(
      rng_.between(config_.election_timeout_ticks_min, config_.election_timeout_ticks_max));
}

bool RaftCore::past_election_timeout() const {
  return election_elapsed_ >= randomized_election_timeout_;
}

void RaftCore::tick_election() {
  ++election_elapsed_;
  if (!can_campaign()) {
    // Learners and removed nodes never campaign. Their clock keeps running (capped), so the
    // vote lease expires and they answer a voter that campaigns after the leader is gone:
    // a promoted node that has not seen its promotion yet still owes its vote.
    election_elapsed_ = std::min(election_elapsed_, config_.election_timeout_ticks_max);
  } else if (past_election_timeout()) {
    election_elapsed_ = 0;
    campaign(config_.pre_vote, /*transfer=*/false);
  }
}

void RaftCore::tick_heartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= config_.election_timeout_ticks_min) {
    election_elapsed_ = 0;
    // Raft §6.2 (CheckQuorum): a leader that heard from no majority within an election
    // timeout steps down, so a partitioned leader stops serving.
    if (config_.check_quorum && !check_quorum_active()) {
      ++counters_.check_quorum_step_downs;
      log_line(LogLevel::info, "check quorum failed: stepping down");
      become_follower(term_, kNoNode);
      return;
    }
    // Thesis §3.10: a transfer that did not finish within an election timeout is abandoned.
    if (lead_transferee_ != kNoNode) {
      ++counters_.transfers_aborted;
      abort_leader_transfer();
    }
  }
  if (role_ != Role::leader) return;
  release_removed_followers();
  maybe_step_down_after_removal();
  if (role_ != Role::leader) return;
  if (heartbeat_elapsed_ >= config_.heartbeat_interval_ticks) {
    heartbeat_elapsed_ = 0;
    broadcast_heartbeat(last_read_round());
  }
}

// ---------------------------------------------------------------- role transitions

void RaftCore::reset(Term term) {
  if (term_ != term) {
    term_ = term;
    voted_for_ = kNoNode;
  }
  leader_ = kNoNode;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  reset_randomized_election_timeout();
  abort_leader_transfer();
  votes_.clear();
  progress_.clear();
  // Reads in progress need a leader of this term to confirm them; they are dropped and the
  // callers time out and retry.
  reads_waiting_for_commit_.clear();
  pending_reads_.clear();
}

void RaftCore::become_follower(Term term, NodeId leader) {
  reset(term);
  role_ = Role::follower;
  leader_ = leader;
  log_line(LogLevel::info, "became follower term=" + std::to_string(term_) +
                               " leader=" + std::to_string(leader_));
}

void RaftCore::become_pre_candidate() {
  MEADOW_ASSERT(role_ != Role::leader);
  // PreVote (thesis §9.6) changes neither term nor vote: a node that cannot win does not
  // disrupt the cluster by bumping terms.
  reset(term_);
  role_ = Role::pre_candidate;
  ++counters_.pre_elections_started;
  log_line(LogLevel::info, "became pre_candidate term=" + std::to_string(term_));
}

void RaftCore::become_candidate() {
  MEADOW_ASSERT(role_ != Role::leader);
  // Raft §5.2: increment currentTerm, vote for self.
  reset(term_ + 1);
  voted_for_ = id_;
  role_ = Role::candidate;
  ++counters_.elections_started;
  log_line(LogLevel::info, "became candidate term=" + std::to_string(term_));
}

void RaftCore::become_leader() {
  MEADOW_ASSERT(role_ == Role::candidate);
  reset(term_);
  role_ = Role::leader;
  leader_ = id_;
  ++counters_.elections_won;
  // Raft Figure 2: next_index = leader last log index + 1, match_index = 0.
  for (NodeId peer : membership_.members()) {
    progress_.emplace(peer, Progress(log_.last_index() + 1, config_.max_inflight_messages));
  }
  progress_.emplace(id_, Progress(log_.last_index() + 1, config_.max_inflight_messages));
  // The leader's own match index is what it has persisted (thesis §10.2.1); it grows in
  // advance() as the runtime reports its entries durable.
  Progress& self = progress_.at(id_);
  self.maybe_update(log_.persisted_index());
  self.become_replicate();
  self.set_recent_active(true);
  // Raft §8: a new leader commits a no-op of its own term, which commits every earlier entry
  // (§5.4.2) and lets ReadIndex know the commit index is current.
  append_entries({Entry{term_, 0, EntryKind::noop, {}}});
  log_line(LogLevel::info, "became leader term=" + std::to_string(term_) +
                               " last=" + std::to_string(log_.last_index()));
}

// ---------------------------------------------------------------- Ready

bool RaftCore::has_ready() const {
  if (ready_outstanding_) return false;
  return soft_state() != prev_soft_state_ || hard_state() != prev_hard_state_ ||
         log_.pending_snapshot() || !log_.unstable_entries().empty() || log_.has_next_committed() || !msgs_.empty() ||
         !read_states_.empty();
}

Ready RaftCore::ready() {
  MEADOW_ASSERT(!ready_outstanding_);
  Ready rd;
  if (soft_state() != prev_soft_state_) rd.soft_state = soft_state();
  if (hard_state() != prev_hard_state_) rd.hard_state = hard_state();
  rd.snapshot = log_.pending_snapshot();
  rd.entries = log_.unstable_entries();
  rd.committed_entries = log_.next_committed();
  if (!rd.committed_entries.empty()) log_.applying_to(rd.committed_entries.back().index);
  rd.messages = std::move(msgs_);
  msgs_.clear();
  // Every read state's index is <= the commit index, and all committed entries are in this
  // Ready (or an earlier one), so the reads are safe once it is applied.
  rd.read_states = std::move(read_states_);
  read_states_.clear();
  ready_outstanding_ = true;
  return rd;
}

void RaftCore::advance(const Ready& rd) {
  MEADOW_ASSERT(ready_outstanding_);
  ready_outstanding_ = false;
  if (rd.soft_state) prev_soft_state_ = *rd.soft_state;
  if (rd.hard_state) prev_hard_state_ = *rd.hard_state;
  if (rd.snapshot) log_.snapshot_installed(*rd.snapshot);
  if (!rd.entries.empty()) log_.stable_to(rd.entries.back().index, rd.entries.back().term);
  if (!rd.committed_entries.empty()) log_.applied_to(rd.committed_entries.back().index);
  note_persisted();
}

void RaftCore::note_persisted() {
  if (role_ != Role::leader) return;
  const auto self = progress_.find(id_);
  if (self == progress_.end()) return;
  // The leader acknowledges its own durable entries, as a follower's append response would;
  // a commit this completes is spread at once.
  if (self->second.maybe_update(log_.persisted_index()) && maybe_commit()) broadcast_append();
}

}  // namespace meadow::raft
