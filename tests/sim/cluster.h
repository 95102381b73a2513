// Cluster: the deterministic simulation environment around real RaftCores. A network with one
// queue per directed link (drop, duplicate, delay, reorder, partitions), crash/restart that
// keeps only what process_ready persisted, and clients that propose and read. Every step runs
// the real process_ready and then the SafetyChecker. One seeded Rng drives everything.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "node/raft/memory_storage.h"
#include "node/raft/raft_core.h"
#include "node/raft/ready_handler.h"
#include "node/raft/rng.h"
#include "tests/sim/safety_checker.h"

namespace meadow::sim {

using raft::Message;

struct ClusterOptions {
  std::size_t nodes = 3;
  std::uint64_t seed = 1;
  std::uint32_t drop_per_million = 0;       ///< each message is lost with this chance
  std::uint32_t duplicate_per_million = 0;  ///< each message is delivered twice
  int max_delay_ticks = 1;                  ///< delivery after [1, max] ticks (reorders)
  std::vector<std::uint32_t> tick_skip_per_million;  ///< per node (used by random_run)
  bool trace = false;                       ///< keep a text trace of events (for replays)
  /// The first `initial_voters` ids form the initial configuration (0: all of them); the rest
  /// start outside it, waiting to be added by a membership change.
  std::size_t initial_voters = 0;
  raft::Config base;                        ///< timeouts, windows; id/voters/seed are filled in
};

/// Where a node crashes inside process_ready (to test the Ready ordering contract).
enum class PersistCrash { none, before_write, after_write };

class Cluster {
 public:
  explicit Cluster(ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // ---- time and delivery ----
  /// One unit of simulated time: every up node ticks (unless `skip_tick` says so), then every
  /// message due now is delivered in a random order.
  void step_time(const std::set<NodeId>& skip_tick = {});
  /// Tick one node once.
  void tick(NodeId id);
  /// Deliver the oldest queued message regardless of its delay; false if none is queued.
  bool deliver_next();
  /// Deliver queued messages regardless of delay until the network is quiet (or `max_rounds`).
  void deliver_all(int max_rounds = 100);
  std::uint64_t now() const { return now_; }

  // ---- faults ----
  void block(NodeId from, NodeId to) { blocked_.insert({from, to}); }
  /// Cut every link between `group` and the rest (both directions).
  void isolate(const std::set<NodeId>& group);
  void heal() { blocked_.clear(); }
  bool blocked(NodeId from, NodeId to) const { return blocked_.count({from, to}) > 0; }
  void crash(NodeId id);
  void restart(NodeId id);
  /// The next persist of `id` crashes the node at that point.
  void crash_on_next_persist(NodeId id, PersistCrash where);
  void set_drop(std::uint32_t per_million) { options_.drop_per_million = per_million; }
  void set_duplicate(std::uint32_t per_million) { options_.duplicate_per_million = per_million; }
  void set_max_delay(int ticks) { options_.max_delay_ticks = ticks; }
  /// Drop every message in flight.
  void clear_network();

  // ---- snapshots (Raft §7) ----
  /// Compact `id`'s log up to `upto` (clamped to what its state machine applied): the
  /// state machine image at that index becomes durable with the storage, the prefix goes.
  void compact(NodeId id, Index upto);
  /// Snapshots installed by followers so far.
  std::uint64_t snapshots_installed() const { return snapshots_installed_; }

  // ---- membership (Raft thesis §4) ----
  /// Propose `change` on `id` (an up node); the result as the core returned it.
  raft::ProposeResult change_membership(NodeId id, const raft::ConfChange& change);
  /// Membership changes the cores accepted so far (status ok).
  std::uint64_t membership_changes() const { return membership_changes_; }
  /// The configuration in effect at the end of a state machine image (entries 1..n).
  raft::ClusterConfig config_at_end_of(const std::vector<Entry>& image) const;

  // ---- clients ----
  /// Propose a command on `id`; tracked so its acknowledgement is checked.
  raft::ProposeResult propose(NodeId id, const std::string& data);
  /// Start a ReadIndex read on `id`. Returns the read's id (or nullopt if refused).
  std::optional<std::uint64_t> read(NodeId id);
  bool read_served(std::uint64_t read_id) const { return served_reads_.count(read_id) > 0; }
  std::size_t reads_served() const { return served_reads_.size(); }
  std::uint64_t crashes() const { return crashes_; }
  /// Whether the write `data` was acknowledged to its client.
  bool acked(const std::string& data) const { return acked_.count(data) > 0; }
  std::size_t acked_count() const { return acked_.size(); }

  // ---- inspection ----
  const std::vector<NodeId>& ids() const { return ids_; }
  bool up(NodeId id) const;
  /// The core of an up node.
  raft::RaftCore& core(NodeId id);
  const raft::MemoryStorage& storage(NodeId id) const;
  /// The applied commands of `id`'s state machine, in order.
  const std::vector<Entry>& applied(NodeId id) const;
  /// Up nodes that are leaders (stale leaders included), ascending.
  std::vector<NodeId> leaders() const;
  /// The leader with the highest term among up nodes, if any.
  std::optional<NodeId> newest_leader() const;
  std::size_t messages_in_flight() const;
  /// Number of messages of `type` delivered so far.
  std::uint64_t delivered(raft::MessageType type) const;
  raft::Rng& rng() { return rng_; }
  SafetyChecker& checker() { return checker_; }
  const std::deque<std::string>& trace() const { return trace_; }
  void note(const std::string& line);

 private:
  struct Node;
  struct InFlight {
    std::uint64_t deliver_at = 0;
    std::uint64_t seq = 0;
    Message message;
  };

  void send(const Message& m);
  void deliver(const Message& m);
  /// Tell the leader `from` whether its snapshot reached `to` (as the node runtime does when a
  /// transfer ends).
  void report_snapshot(NodeId from, NodeId to, bool ok);
  void process(Node& node);
  void finish_crash(Node& node);
  raft::Config config_for(NodeId id) const;

  ClusterOptions options_;
  raft::Rng rng_;
  std::vector<NodeId> ids_;
  std::vector<NodeId> initial_voters_;
  std::map<NodeId, std::unique_ptr<Node>> nodes_;
  std::map<std::pair<NodeId, NodeId>, std::deque<InFlight>> links_;
  std::set<std::pair<NodeId, NodeId>> blocked_;
  std::uint64_t now_ = 0;
  std::uint64_t seq_ = 0;
  std::map<raft::MessageType, std::uint64_t> delivered_;
  SafetyChecker checker_;
  std::set<std::string> acked_;
  std::uint64_t next_read_id_ = 1;
  std::set<std::uint64_t> served_reads_;
  std::deque<std::string> trace_;
  std::uint64_t crashes_ = 0;
  /// State machine images sent in snapshot messages, by the id in the message's context.
  std::map<std::uint64_t, std::vector<Entry>> images_;
  std::vector<std::pair<NodeId, NodeId>> lost_snapshots_;  ///< (leader, follower) to report
  std::uint64_t snapshots_installed_ = 0;
  std::uint64_t membership_changes_ = 0;

  friend class SimStorage;
  friend class SimSink;
  friend class SimApplier;
};

}  // namespace meadow::sim
