// RaftCore: one node's Raft consensus state machine (Raft paper + thesis, modelled on
// etcd-io/raft). Pure and deterministic: no I/O, clocks, threads or randomness beyond the
// seeded Rng. Inputs: tick / step / propose / read_index / transfer_leadership; output: Ready.
// Depends only on the standard library and the rest of node/raft.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/raft/config.h"
#include "node/raft/progress.h"
#include "node/raft/raft_log.h"
#include "node/raft/ready.h"
#include "node/raft/rng.h"
#include "node/raft/state.h"
#include "node/raft/status.h"
#include "node/raft/storage.h"
#include "node/raft/types.h"

namespace meadow::raft {

/// Running totals for status pages and tests.
struct Counters {
  std::uint64_t pre_elections_started = 0;
  std::uint64_t elections_started = 0;
  std::uint64_t elections_won = 0;
  std::uint64_t messages_rejected = 0;      ///< step() returned Status::invalid
  std::uint64_t append_rejections_received = 0;  ///< leader: follower logs that did not match
  std::uint64_t check_quorum_step_downs = 0;
  std::uint64_t transfers_aborted = 0;
  std::uint64_t snapshots_requested = 0;  ///< leader: snapshot messages emitted (Raft §7)
  std::uint64_t snapshots_restored = 0;   ///< follower: snapshots accepted to replace the log
};

/// Context carried by Vote requests of an election forced by leadership transfer: voters
/// grant it even while they still hear from a leader.
inline constexpr const char* kCampaignTransfer = "transfer";

class RaftCore {
 public:
  /// Starts as a follower from `storage`'s hard state and log; the configuration comes from
  /// storage.snapshot().config and the log's config entries, else config.voters/learners, and
  /// may be empty (a node waiting to be added: it never campaigns). `config` is checked with
  /// MEADOW_ASSERT (a bad config is a programmer error). `storage` must outlive the core and
  /// is only read here; process_ready writes it.
  RaftCore(const Config& config, Storage& storage);
  RaftCore(const RaftCore&) = delete;
  RaftCore& operator=(const RaftCore&) = delete;

  /// Advance logical time by one tick (election timeouts, heartbeats, CheckQuorum).
  void tick();
  /// Handle a message from a peer. Misaddressed or malformed messages (wrong `to`, unknown
  /// sender, term 0) are counted and rejected with Status::invalid; stale ones are ignored
  /// (Status::ok). Never asserts on message content.
  Status step(const Message& message);
  /// Append a command (leader only). ok: the entry's index/term (it may still be lost if
  /// leadership changes: the caller learns the outcome when that index is applied);
  /// not_leader with a leader hint; transferring while a leadership transfer is running or
  /// this leader removed itself from the configuration (it steps down once that commits).
  ProposeResult propose(std::string data);
  /// Like propose() for each of `commands` (non-empty), as consecutive entries starting at the
  /// returned index, announced to the followers once for the whole batch: a runtime that drained
  /// many client writes sends a few large AppendEntries instead of one per write.
  ProposeResult propose_batch(std::vector<std::string> commands);
  /// Start a linearizable read (Raft thesis §6.4). ok: a ReadState with this `context` will
  /// appear in a later Ready once leadership is confirmed by a heartbeat round and the read
  /// index is committed; serve it after applying that Ready. Never appears if leadership is
  /// lost meanwhile (the caller times out). not_leader with a hint on followers; transferring
  /// on a leader that removed itself from the configuration.
  ProposeResult read_index(std::string context);
  /// Hand leadership to `target` (Raft thesis §3.10): bring it up to date, then TimeoutNow.
  /// Proposals are refused until the transfer completes or aborts after an election timeout.
  ProposeResult transfer_leadership(NodeId target);

  /// Propose one membership change (Raft thesis §4.1, one server at a time). The new
  /// configuration takes effect on every node as soon as the entry is in its log. Refused as
  /// values: not_leader; transferring; leader_not_ready until this leader committed an entry of
  /// its own term (the 2015 single-server bug fix); change_in_flight while an earlier change
  /// is uncommitted; change_refused with `change_error` (exists, last_voter, ...). ok: the
  /// entry's index/term. A leader that removes itself steps down once the removal commits.
  ProposeResult propose_conf_change(const ConfChange& change);

  /// Leader: the runtime's snapshot transfer to `to` ended (Raft §7); `ok` = the follower has
  /// it. Moves that follower out of snapshot state so replication (or a new snapshot) resumes.
  /// Ignored unless we lead and `to` is in snapshot state.
  void report_snapshot(NodeId to, bool ok);

  /// True when ready() would return a non-empty batch.
  bool has_ready() const;
  /// The next batch of work; see ready.h for the handling contract. Requires no outstanding
  /// Ready (advance() was called for the previous one).
  Ready ready();
  /// The runtime finished handling `ready` (persisted, sent, applied). A leader's entries
  /// count towards its commit quorum from here on, not from propose() (thesis §10.2.1).
  void advance(const Ready& ready);

  // ---- status ----
  NodeId id() const { return id_; }
  Role role() const { return role_; }
  Term term() const { return term_; }
  NodeId voted_for() const { return voted_for_; }
  /// The leader of the current term as far as this node knows, or kNoNode.
  NodeId leader() const { return leader_; }
  Index commit_index() const { return log_.committed(); }
  Index last_applied() const { return log_.applied(); }
  Index last_index() const { return log_.last_index(); }
  Term last_term() const { return log_.last_term(); }
  /// The log as this core sees it (storage + not yet persisted suffix).
  const RaftLog& log() const { return log_; }
  /// The configuration in use: the latest one in the log, committed or not (thesis §4.1).
  const ClusterConfig& membership() const { return membership_; }
  /// Index of the log entry that set membership(), or 0 when it comes from the snapshot or the
  /// initial Config. A change is in flight while this is > commit_index().
  Index membership_index() const { return membership_index_; }
  /// The configuration in effect at log index `index` (>= the snapshot's index): what a
  /// snapshot taken there must carry.
  ClusterConfig membership_at(Index index) const;
  /// Leader only (empty otherwise): per-member (voters and learners) replication progress,
  /// including self, and of removed followers until they hold their committed removal.
  const std::map<NodeId, Progress>& progress() const { return progress_; }
  /// The transfer target while a leadership transfer runs, else kNoNode.
  NodeId lead_transferee() const { return lead_transferee_; }
  /// ReadIndex requests not yet confirmed (leader only).
  std::size_t pending_read_count() const;
  const Counters& counters() const { return counters_; }
  const Config& config() const { return config_; }
  HardState hard_state() const { return {term_, voted_for_, log_.committed()}; }
  SoftState soft_state() const { return {leader_, role_}; }

 private:
  struct PendingRead {
    std::string round;     ///< heartbeat context identifying this read's round
    std::string context;   ///< the caller's context, echoed in the ReadState
    Index index = 0;       ///< commit index when the read arrived
    std::set<NodeId> acks;
  };

  // raft_core.cpp: setup, time, role transitions, Ready.
  void reset(Term term);
  void become_follower(Term term, NodeId leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void tick_election();
  void tick_heartbeat();
  void reset_randomized_election_timeout();
  bool past_election_timeout() const;
  std::size_t quorum() const { return membership_.voters.size() / 2 + 1; }
  bool is_voter(NodeId id) const { return membership_.is_voter(id); }
  void send(Message message);
  void log_line(LogLevel level, const std::string& line) const;
  /// Leader: its own entries up to RaftLog::persisted_index() are durable now; count them
  /// towards the commit quorum (thesis §10.2.1).
  void note_persisted();

  // step.cpp: validation, term handling (Raft §5.1), dispatch by role.
  Status step_leader(const Message& m);
  Status step_candidate(const Message& m);
  Status step_follower(const Message& m);

  // election.cpp: Raft §5.2, §5.4.1, PreVote (thesis §9.6), CheckQuorum (§6.2).
  void campaign(bool pre_vote, bool transfer);
  void handle_vote_request(const Message& m);
  /// Records a vote; returns +1 won, -1 lost, 0 pending.
  int poll(NodeId from, bool granted);
  bool check_quorum_active();

  // replication.cpp: Raft §5.3, §5.4.2, flow control.
  bool maybe_send_append(NodeId to, bool send_if_empty);
  void broadcast_append();
  void send_heartbeat(NodeId to, const std::string& context);
  void broadcast_heartbeat(const std::string& context);
  void append_entries(std::vector<Entry> entries);
  bool maybe_commit();
  void handle_append(const Message& m);
  void handle_heartbeat(const Message& m);
  void handle_append_response(const Message& m);
  void handle_heartbeat_response(const Message& m);
  bool committed_in_current_term() const;

  // snapshot.cpp: Raft §7 (InstallSnapshot).
  void send_snapshot(NodeId to);
  void handle_snapshot(const Message& m);

  // read_index.cpp: Raft thesis §6.4.
  void start_read(std::string context);
  void release_reads_waiting_for_commit();
  void handle_read_ack(NodeId from, const std::string& round);
  std::string last_read_round() const;

  // conf_change.cpp: Raft thesis §4.1-4.3.
  void load_membership(const Storage& storage);
  /// Record the config entries among `entries` (now in the log).
  void note_config_entries(const std::vector<Entry>& entries);
  /// Forget config entries after `index` that the log no longer holds (a follower truncated).
  void drop_replaced_config_entries(Index index);
  /// Recompute membership_ from the snapshot's config and the config entries; a leader adds
  /// and drops follower progress to match.
  void refresh_membership();
  /// Leader: a removed follower that holds its committed removal is told the commit index
  /// once more and dropped (until then it is replicated to, so it learns it was removed).
  void release_removed_followers();
  /// Leader no longer a voter whose removal committed: hand over by stepping down.
  void maybe_step_down_after_removal();
  /// A voter may campaign; so may a node whose own removal is not committed yet (as far as it
  /// knows): if the removing leader failed, the remaining voters may need it to finish the
  /// removal (it wins with the new configuration's votes, commits, then steps down).
  bool can_campaign() const;

  // transfer.cpp: Raft thesis §3.10.
  void abort_leader_transfer();
  void handle_timeout_now(const Message& m);

  Config config_;
  NodeId id_;
  ClusterConfig base_membership_;  ///< in effect at the snapshot (or the initial Config)
  /// Config entries in the log after the snapshot: index -> (term, configuration).
  std::map<Index, std::pair<Term, ClusterConfig>> config_entries_;
  ClusterConfig membership_;
  Index membership_index_ = 0;
  RaftLog log_;
  Rng rng_;
  Term term_ = 0;
  NodeId voted_for_ = kNoNode;
  Role role_ = Role::follower;
  NodeId leader_ = kNoNode;
  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int randomized_election_timeout_ = 0;
  std::map<NodeId, bool> votes_;
  std::map<NodeId, Progress> progress_;
  NodeId lead_transferee_ = kNoNode;
  std::vector<Message> msgs_;
  std::vector<std::string> reads_waiting_for_commit_;
  std::deque<PendingRead> pending_reads_;
  std::vector<ReadState> read_states_;
  std::uint64_t next_read_round_ = 1;
  HardState prev_hard_state_;
  SoftState prev_soft_state_;
  bool ready_outstanding_ = false;
  Counters counters_;
};

}  // namespace meadow::raft
