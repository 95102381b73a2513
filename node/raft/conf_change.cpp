// Membership changes (Raft thesis §4.1-4.3), one server at a time: configurations are log
// entries of kind `config` holding the whole new configuration, in effect on a node as soon as
// they are in its log (committed or not); a truncated entry takes its configuration with it.
#include <algorithm>
#include <iterator>
#include <utility>

#include "common/assert.h"
#include "node/raft/raft_core.h"

namespace meadow::raft {

void RaftCore::load_membership(const Storage& storage) {
  base_membership_ = storage.snapshot().config;
  if (base_membership_.empty()) {
    base_membership_.voters = config_.voters;
    base_membership_.learners = config_.learners;
    std::sort(base_membership_.voters.begin(), base_membership_.voters.end());
    std::sort(base_membership_.learners.begin(), base_membership_.learners.end());
  }
  // The initial configuration obeys what a decoded one does (non-empty voters, disjoint), or
  // is empty: a node started to join waits to learn its configuration from the leader.
  MEADOW_ASSERT(base_membership_.empty() ||
                decode_cluster_config(encode_cluster_config(base_membership_)) == base_membership_);
  // The configuration entries still in the log after the snapshot (after a restart).
  const Index first = storage.first_index();
  for (Index lo = first; lo <= storage.last_index();) {
    const std::vector<Entry> batch = storage.entries(lo, storage.last_index() + 1, 1 << 20);
    note_config_entries(batch);
    lo += batch.size();
  }
  refresh_membership();
}

void RaftCore::note_config_entries(const std::vector<Entry>& entries) {
  for (const Entry& e : entries) {
    if (e.kind != EntryKind::config) continue;
    // Entries from peers were checked in step(); our own come from propose_conf_change.
    auto decoded = decode_cluster_config(e.data);
    MEADOW_ASSERT(decoded.has_value());
    config_entries_[e.index] = {e.term, std::move(*decoded)};
  }
}

void RaftCore::drop_replaced_config_entries(Index index) {
  for (auto it = config_entries_.upper_bound(index); it != config_entries_.end();) {
    if (log_.match_term(it->first, it->second.first)) {
      ++it;
    } else {
      it = config_entries_.erase(it);
    }
  }
}

ClusterConfig RaftCore::membership_at(Index index) const {
  auto it = config_entries_.upper_bound(index);
  if (it == config_entries_.begin()) return base_membership_;
  return std::prev(it)->second.second;
}

void RaftCore::refresh_membership() {
  // Entries the snapshot covers are no longer in the log; the snapshot's config replaces them.
  const Index snapshot_index = log_.first_index() - 1;
  while (!config_entries_.empty() && config_entries_.begin()->first <= snapshot_index) {
    base_membership_ = config_entries_.begin()->second.second;
    config_entries_.erase(config_entries_.begin());
  }
  ClusterConfig next =
      config_entries_.empty() ? base_membership_ : config_entries_.rbegin()->second.second;
  membership_index_ = config_entries_.empty() ? 0 : config_entries_.rbegin()->first;
  if (next == membership_) return;
  // One line: the addresses' line breaks become " | ".
  std::string text = encode_cluster_config(next);
  for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at)) {
    text.replace(at, 1, " | ");
  }
  log_line(LogLevel::info, "configuration " + text + " at index " + std::to_string(membership_index_));
  membership_ = std::move(next);
  if (role_ != Role::leader) return;
  // Followers of the new configuration get progress; removed ones stop being replicated to
  // once their removal is committed (release_removed_followers), so they can learn of it.
  const ClusterConfig committed = membership_at(log_.committed());
  for (auto it = progress_.begin(); it != progress_.end();) {
    if (it->first != id_ && !membership_.is_member(it->first) &&
        !committed.is_member(it->first)) {
      it = progress_.erase(it);
    } else {
      ++it;
    }
  }
  for (NodeId peer : membership_.members()) {
    progress_.emplace(peer, Progress(log_.last_index() + 1, config_.max_inflight_messages));
  }
  if (lead_transferee_ != kNoNode && !is_voter(lead_transferee_)) abort_leader_transfer();
}

ProposeResult RaftCore::propose_conf_change(const ConfChange& change) {
  if (role_ != Role::leader) return {Status::not_leader, 0, 0, leader_};
  if (lead_transferee_ != kNoNode) return {Status::transferring, 0, 0, leader_};
  // The 2015 single-server change bug (Ongaro, raft-dev): a new leader could append a change
  // based on a configuration that a previous leader's uncommitted change had replaced, and two
  // disjoint majorities could then elect leaders of one term. Committing an entry of our own
  // term (the no-op) first makes every earlier configuration entry committed or discarded.
  if (!committed_in_current_term()) return {Status::leader_not_ready, 0, 0, id_};
  // One change at a time: majorities of configurations one server apart overlap (§4.1).
  if (membership_index_ > log_.committed()) return {Status::change_in_flight, 0, 0, id_};
  ClusterConfig next;
  const ConfChangeError error = apply_conf_change(membership_, change, next);
  if (error != ConfChangeError::none) {
    ProposeResult refused{Status::change_refused, 0, 0, id_};
    refused.change_error = error;
    return refused;
  }
  const Index index = log_.last_index() + 1;
  log_line(LogLevel::info, std::string("proposing ") + conf_change_type_name(change.type) + " " +
                               std::to_string(change.node));
  std::vector<Entry> entries;
  entries.push_back(Entry{term_, 0, EntryKind::config, encode_cluster_config(next)});
  append_entries(std::move(entries));
  broadcast_append();
  return {Status::ok, index, term_, id_};
}

bool RaftCore::can_campaign() const {
  return is_voter(id_) || membership_at(log_.committed()).is_voter(id_);
}

void RaftCore::release_removed_followers() {
  if (role_ != Role::leader || membership_index_ > log_.committed()) return;
  for (auto it = progress_.begin(); it != progress_.end();) {
    const NodeId peer = it->first;
    if (peer == id_ || membership_.is_member(peer) || it->second.match_index() < membership_index_) {
      ++it;
      continue;
    }
    // It holds its removal; tell it the removal committed (so it can exit), then let it go.
    send_heartbeat(peer, "");
    log_line(LogLevel::info, "node " + std::to_string(peer) + " removed: no longer replicating");
    it = progress_.erase(it);
  }
}

void RaftCore::maybe_step_down_after_removal() {
  if (role_ != Role::leader || is_voter(id_) || membership_index_ > log_.committed()) return;
  // Thesis §4.2.2: a leader that is not in the committed configuration steps down. Tell the
  // others the commit index first so they apply the removal without waiting for a new leader.
  log_line(LogLevel::info, "removed from the configuration: stepping down");
  broadcast_append();
  become_follower(term_, kNoNode);
}

}  // namespace meadow::raft
