// Step: validating a peer message, the term rules every message obeys (Raft §5.1), and
// dispatch to the role's handler.
#include "node/raft/describe.h"
#include "node/raft/raft_core.h"

namespace meadow::raft {

namespace {

bool known_type(MessageType type) {
  return static_cast<std::uint8_t>(type) <= static_cast<std::uint8_t>(MessageType::snapshot_response);
}

// Terms and indexes stay below 2^62: far beyond any real cluster, and it leaves room so that
// `term + 1` can never wrap to 0 (the "no term" value) and the store's signed integers hold
// every value. A hostile or corrupt message with a larger one is rejected.
constexpr std::uint64_t kMaxTermOrIndex = std::uint64_t{1} << 62;

bool is_from_leader(MessageType type) {
  return type == MessageType::append || type == MessageType::heartbeat ||
         type == MessageType::snapshot;
}

/// Field ranges any well-formed message obeys, whatever our state.
bool well_formed(const Message& m) {
  if (m.term == 0 || m.term >= kMaxTermOrIndex || m.log_term > m.term ||
      m.index >= kMaxTermOrIndex || m.commit >= kMaxTermOrIndex)
    return false;
  // A snapshot covers at least one real entry, and may carry the configuration at its index
  // as one config entry there.
  if (m.type == MessageType::snapshot) {
    if (m.index == 0 || m.log_term == 0 || m.entries.size() > 1) return false;
    if (m.entries.size() == 1 &&
        (m.entries[0].kind != EntryKind::config || m.entries[0].index != m.index ||
         m.entries[0].term != m.log_term))
      return false;
  }
  // A configuration entry must parse: a bad one would leave nodes disagreeing on quorums.
  for (const Entry& e : m.entries) {
    if (e.kind == EntryKind::config && !decode_cluster_config(e.data)) return false;
  }
  if (m.type == MessageType::append) {
    // The entry before the batch: index 0 has term 0, every real entry a term >= 1.
    if ((m.index == 0) != (m.log_term == 0)) return false;
    Index expected = m.index + 1;
    Term previous = m.log_term;
    for (const Entry& e : m.entries) {
      if (e.index != expected++ || e.term < previous || e.term == 0 || e.term > m.term)
        return false;
      previous = e.term;
    }
  }
  return true;
}

}  // namespace

Status RaftCore::step(const Message& m) {
  // Outside input: checked here, counted and rejected, never asserted on.
  // Thesis §4.1: messages are processed whatever our configuration says about the sender (a
  // joining node learns the configuration from its leader's entries; responses from
  // non-members find no progress and are dropped; votes only count from voters).
  if (m.to != id_ || m.from == id_ || m.from == kNoNode || !known_type(m.type) ||
      !well_formed(m)) {
    // Rate-limited: the 1st, 2nd, 4th, 8th... rejection is logged.
    const std::uint64_t n = ++counters_.messages_rejected;
    if ((n & (n - 1)) == 0) {
      log_line(LogLevel::warn, "rejected message #" + std::to_string(n) + ": " + describe(m));
    }
    return Status::invalid;
  }

  if (m.term > term_) {
    const bool vote_request = m.type == MessageType::vote || m.type == MessageType::pre_vote;
    if (vote_request) {
      // Thesis §4.2.3 / §9.6: while we hear from a leader (within the minimum election
      // timeout) we ignore vote requests, so a disconnected node that rejoins cannot depose a
      // healthy leader. A transfer's election is the exception: the leader asked for it.
      const bool forced = m.context == kCampaignTransfer;
      const bool in_lease = config_.check_quorum && leader_ != kNoNode &&
                            election_elapsed_ < config_.election_timeout_ticks_min;
      if (!forced && in_lease) return Status::ok;
    }
    if (m.type == MessageType::pre_vote) {
      // A PreVote request never changes our term (thesis §9.6).
    } else if (m.type == MessageType::pre_vote_response && !m.reject) {
      // Granted pre-votes carry the term we would campaign in; the term moves when we
      // actually campaign.
    } else {
      // Raft §5.1: a higher term makes us a follower of that term.
      log_line(LogLevel::info, "higher term from " + describe(m));
      become_follower(m.term, is_from_leader(m.type) ? m.from : kNoNode);
    }
  } else if (m.term < term_) {
    if ((config_.check_quorum || config_.pre_vote) &&
        (m.type == MessageType::append || m.type == MessageType::heartbeat)) {
      // A stale leader (e.g. healed from a partition) would never learn of our term if we
      // stayed silent while PreVote/CheckQuorum keep our term from reaching it: tell it.
      Message resp;
      resp.type = MessageType::append_response;
      resp.to = m.from;
      send(std::move(resp));
    } else if (m.type == MessageType::pre_vote) {
      // Reject with our term so the pre-candidate learns it is behind.
      Message resp;
      resp.type = MessageType::pre_vote_response;
      resp.to = m.from;
      resp.reject = true;
      send(std::move(resp));
    }
    return Status::ok;  // Raft §5.1: stale-term messages are otherwise ignored.
  }

  if (m.type == MessageType::vote || m.type == MessageType::pre_vote) {
    handle_vote_request(m);
    return Status::ok;
  }
  switch (role_) {
    case Role::leader: return step_leader(m);
    case Role::candidate:
    case Role::pre_candidate: return step_candidate(m);
    case Role::follower: return step_follower(m);
  }
  return Status::ok;
}

Status RaftCore::step_leader(const Message& m) {
  switch (m.type) {
    case MessageType::append_response: handle_append_response(m); break;
    case MessageType::heartbeat_response: handle_heartbeat_response(m); break;
    default: break;  // late votes, or another leader of our term (impossible: §5.2)
  }
  release_removed_followers();
  maybe_step_down_after_removal();
  return Status::ok;
}

Status RaftCore::step_candidate(const Message& m) {
  switch (m.type) {
    case MessageType::append:
      // Raft §5.2: a candidate that hears from a leader of its term becomes its follower.
      become_follower(m.term, m.from);
      handle_append(m);
      break;
    case MessageType::heartbeat:
      become_follower(m.term, m.from);
      handle_heartbeat(m);
      break;
    case MessageType::snapshot:
      become_follower(m.term, m.from);
      handle_snapshot(m);
      break;
    case MessageType::pre_vote_response:
    case MessageType::vote_response: {
      const bool ours = (role_ == Role::pre_candidate) == (m.type == MessageType::pre_vote_response);
      if (!ours) break;
      const int result = poll(m.from, !m.reject);
      if (result > 0) {
        if (role_ == Role::pre_candidate) {
          campaign(/*pre_vote=*/false, /*transfer=*/false);
        } else {
          become_leader();
          broadcast_append();
        }
      } else if (result < 0) {
        become_follower(term_, kNoNode);
      }
      break;
    }
    default: break;
  }
  return Status::ok;
}

Status RaftCore::step_follower(const Message& m) {
  switch (m.type) {
    case MessageType::append:
      election_elapsed_ = 0;
      leader_ = m.from;
      handle_append(m);
      break;
    case MessageType::heartbeat:
      election_elapsed_ = 0;
      leader_ = m.from;
      handle_heartbeat(m);
      break;
    case MessageType::snapshot:
      election_elapsed_ = 0;
      leader_ = m.from;
      handle_snapshot(m);
      break;
    case MessageType::timeout_now: handle_timeout_now(m); break;
    default: break;
  }
  return Status::ok;
}

}  // namespace meadow::raft
