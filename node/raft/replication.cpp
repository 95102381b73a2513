// Log replication (Raft §5.3): sending AppendEntries with per-follower flow control, the
// follower's consistency check with fast conflict backtracking, acknowledgements, heartbeats,
// and advancing the commit index (§5.4.2).
#include <algorithm>

#include "common/assert.h"
#include "node/raft/raft_core.h"

namespace meadow::raft {

// ---------------------------------------------------------------- leader: sending

bool RaftCore::maybe_send_append(NodeId to, bool send_if_empty) {
  Progress& pr = progress_.at(to);
  if (pr.is_paused()) return false;
  const Index prev = pr.next_index() - 1;
  const auto prev_term = log_.term(prev);
  if (!prev_term || pr.next_index() < log_.first_index()) {
    // The follower needs entries we compacted (Raft §7).
    send_snapshot(to);
    return true;
  }
  std::vector<Entry> entries;
  const Index last = log_.last_index();
  if (pr.next_index() <= last) {
    const Index hi = std::min<Index>(last + 1, pr.next_index() + config_.max_entries_per_message);
    entries = log_.entries(pr.next_index(), hi, config_.max_bytes_per_message);
  }
  if (entries.empty() && !send_if_empty) return false;
  Message m;
  m.type = MessageType::append;
  m.to = to;
  m.index = prev;
  m.log_term = *prev_term;
  m.commit = log_.committed();
  pr.on_append_sent(entries.empty() ? prev : entries.back().index, entries.size());
  m.entries = std::move(entries);
  send(std::move(m));
  return true;
}

void RaftCore::broadcast_append() {
  // Every member, learners included, gets entries (progress_ holds the members, and removed
  // followers until they learn their removal committed).
  for (auto& [peer, pr] : progress_) {
    if (peer != id_) maybe_send_append(peer, true);
  }
}

void RaftCore::send_heartbeat(NodeId to, const std::string& context) {
  Message m;
  m.type = MessageType::heartbeat;
  m.to = to;
  // Never let a follower commit past what it is known to hold: its log beyond match_index
  // may still differ from ours.
  m.commit = std::min(progress_.at(to).match_index(), log_.committed());
  m.context = context;
  send(std::move(m));
}

void RaftCore::broadcast_heartbeat(const std::string& context) {
  for (const auto& [peer, pr] : progress_) {
    if (peer != id_) send_heartbeat(peer, context);
  }
}

void RaftCore::append_entries(std::vector<Entry> entries) {
  const Index last = log_.last_index();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    entries[i].term = term_;
    entries[i].index = last + 1 + i;
  }
  note_config_entries(entries);
  log_.append(std::move(entries));
  refresh_membership();
  // Raft thesis §10.2.1: the leader sends these entries while it persists them, so its own
  // copy counts towards the quorum only once advance() reports it durable (note_persisted);
  // until then a commit needs a majority of durable copies on followers.
}

ProposeResult RaftCore::propose(std::string data) {
  std::vector<std::string> one;
  one.push_back(std::move(data));
  return propose_batch(std::move(one));
}

ProposeResult RaftCore::propose_batch(std::vector<std::string> commands) {
  MEADOW_ASSERT(!commands.empty());
  if (role_ != Role::leader) return {Status::not_leader, 0, 0, leader_};
  // A leader that removed itself steps down once that commits and would not learn the fate of
  // later entries: like a transfer, it hands over and refuses new commands meanwhile.
  if (lead_transferee_ != kNoNode || !is_voter(id_)) return {Status::transferring, 0, 0, leader_};
  const Index first = log_.last_index() + 1;
  std::vector<Entry> entries;
  entries.reserve(commands.size());
  for (auto& data : commands) entries.push_back(Entry{term_, 0, EntryKind::normal, std::move(data)});
  append_entries(std::move(entries));
  broadcast_append();
  return {Status::ok, first, term_, id_};
}

bool RaftCore::maybe_commit() {
  // The highest index stored on a majority: sort match indexes descending, take the
  // quorum-th one.
  // Only voters count, and the leader itself only while it is one (thesis §4.2.2: a leader
  // removing itself replicates the removal without counting its own copy).
  std::vector<Index> matches;
  matches.reserve(progress_.size());
  for (const auto& [id, pr] : progress_) {
    if (is_voter(id)) matches.push_back(pr.match_index());
  }
  if (matches.size() < quorum()) return false;
  std::sort(matches.begin(), matches.end(), std::greater<>());
  const Index candidate = matches[quorum() - 1];
  // Raft §5.4.2 / Figure 8: only an entry of the current term is committed by counting
  // replicas (RaftLog::maybe_commit checks the term).
  if (!log_.maybe_commit(candidate, term_)) return false;
  release_reads_waiting_for_commit();
  return true;
}

bool RaftCore::committed_in_current_term() const {
  return log_.term(log_.committed()) == term_;
}

// ---------------------------------------------------------------- follower: receiving

void RaftCore::handle_append(const Message& m) {
  Message resp;
  resp.type = MessageType::append_response;
  resp.to = m.from;
  // step() has checked the entries: contiguous after m.index, terms in [log_term, term].
  if (m.index < log_.committed()) {
    // Everything up to our commit index already matches the leader (§5.4.3); tell it so.
    resp.index = log_.committed();
    send(std::move(resp));
    return;
  }
  if (const auto last_new = log_.maybe_append(m.index, m.log_term, m.commit, m.entries)) {
    resp.index = *last_new;
    // Thesis §4.1: the latest configuration in the log is used, committed or not; entries a
    // conflict truncated take their configuration with them.
    drop_replaced_config_entries(m.index);
    note_config_entries(m.entries);
    refresh_membership();
  } else {
    // Raft §5.3: reject, with a hint so the leader can skip a whole conflicting term per
    // round trip instead of one entry (etcd findConflictByTerm).
    const auto [hint, hint_term] =
        log_.find_conflict_by_term(std::min(m.index, log_.last_index()), m.log_term);
    resp.index = m.index;
    resp.reject = true;
    resp.reject_hint = hint;
    resp.log_term = hint_term;
  }
  send(std::move(resp));
}

void RaftCore::handle_heartbeat(const Message& m) {
  // The leader sends min(match, commit), so this never exceeds what we hold; clamp anyway
  // because it is outside input.
  log_.commit_to(std::min(m.commit, log_.last_index()));
  Message resp;
  resp.type = MessageType::heartbeat_response;
  resp.to = m.from;
  resp.context = m.context;
  send(std::move(resp));
}

// ---------------------------------------------------------------- leader: acknowledgements

void RaftCore::handle_append_response(const Message& m) {
  if (progress_.count(m.from) == 0) return;  // not (or no longer) a member
  Progress& pr = progress_.at(m.from);
  pr.set_recent_active(true);
  if (m.reject) {
    ++counters_.append_rejections_received;
    // Use the follower's hint: jump to the last index of ours whose term is <= the
    // follower's term at the hint; everything between cannot match.
    Index next_probe = m.reject_hint;
    if (m.log_term > 0) next_probe = log_.find_conflict_by_term(m.reject_hint, m.log_term).first;
    if (pr.maybe_decr_to(m.index, next_probe)) {
      if (pr.state() == ProgressState::replicate) pr.become_probe();
      maybe_send_append(m.from, true);
    }
    return;
  }
  if (m.index > log_.last_index()) {  // cannot acknowledge what we never sent
    ++counters_.messages_rejected;
    return;
  }
  const bool was_paused = pr.is_paused();
  if (!pr.maybe_update(m.index) &&
      !(pr.match_index() == m.index && pr.state() == ProgressState::probe)) {
    return;  // stale
  }
  if (pr.state() == ProgressState::probe ||
      (pr.state() == ProgressState::snapshot && pr.match_index() + 1 >= log_.first_index())) {
    // A probe found its match, or the snapshot brought the follower to where our log starts.
    pr.become_replicate();
  }
  if (maybe_commit()) {
    broadcast_append();  // spread the new commit index
  } else if (was_paused) {
    maybe_send_append(m.from, true);
  }
  // Fill the pipeline.
  while (maybe_send_append(m.from, false)) {
  }
  if (m.from == lead_transferee_ && pr.match_index() == log_.last_index()) {
    Message t;
    t.type = MessageType::timeout_now;
    t.to = m.from;
    send(std::move(t));
  }
}

void RaftCore::handle_heartbeat_response(const Message& m) {
  if (progress_.count(m.from) == 0) return;  // not (or no longer) a member
  Progress& pr = progress_.at(m.from);
  pr.set_recent_active(true);
  pr.on_heartbeat_response();
  if (pr.match_index() < log_.last_index()) maybe_send_append(m.from, true);
  if (!m.context.empty()) handle_read_ack(m.from, m.context);
}

}  // namespace meadow::raft
