#include "tests/sim/cluster.h"

#include <algorithm>
#include <utility>

#include "common/assert.h"
#include "node/raft/describe.h"

namespace meadow::sim {

using raft::describe;

namespace {
constexpr std::size_t kTraceLines = 4000;
}

// The storage a simulated node keeps across crashes. It reports persisted entries to the
// checker and can crash the node in the middle of process_ready.
class SimStorage : public raft::MemoryStorage {
 public:
  SimStorage(Cluster& cluster, NodeId id) : cluster_(cluster), id_(id) {}
  void persist(const std::optional<raft::HardState>& hard_state,
               const std::vector<Entry>& entries) override;
  /// Installs the image the node staged when the snapshot message arrived.
  void install_snapshot(const raft::SnapshotMeta& snapshot) override;
  /// The durable state machine image: the entries applied up to snapshot().index.
  const std::vector<Entry>& image() const { return image_; }
  void compact_with_image(Index upto, const std::vector<Entry>& applied);

 private:
  /// Applies PersistCrash to a durable write; false if the write is lost.
  bool survive_write();

  std::vector<Entry> image_;
  Cluster& cluster_;
  NodeId id_;
};

class SimSink : public raft::MessageSink {
 public:
  SimSink(Cluster& cluster, NodeId id) : cluster_(cluster), id_(id) {}
  void send(const Message& m) override;

 private:
  Cluster& cluster_;
  NodeId id_;
};

class SimApplier : public raft::Applier {
 public:
  SimApplier(Cluster& cluster, NodeId id) : cluster_(cluster), id_(id) {}
  void apply(const std::vector<Entry>& committed) override;
  void serve_reads(const std::vector<raft::ReadState>& reads) override;
  void restore(const raft::SnapshotMeta& snapshot) override;
  bool persist_and_apply(const std::optional<raft::HardState>& hard_state,
                         const std::vector<Entry>& entries,
                         const std::vector<Entry>& committed) override;

 private:
  Cluster& cluster_;
  NodeId id_;
};

struct Cluster::Node {
  Node(Cluster& cluster, NodeId node_id)
      : id(node_id), storage(cluster, node_id), sink(cluster, node_id), applier(cluster, node_id) {}

  struct PendingWrite {
    Term term;
    std::string data;
  };
  struct PendingRead {
    std::uint64_t read_id;
    Index required;
  };

  NodeId id;
  SimStorage storage;
  SimSink sink;
  SimApplier applier;
  std::unique_ptr<raft::RaftCore> core;
  std::uint64_t incarnation = 0;
  bool crashed = false;  ///< crashed inside process_ready; torn down when it returns
  PersistCrash crash_at = PersistCrash::none;
  std::vector<Entry> applied;
  std::vector<Entry> staged_image;  ///< the image of the snapshot message being stepped
  std::map<Index, PendingWrite> pending_writes;
  std::map<std::string, PendingRead> pending_reads;
};

bool SimStorage::survive_write() {
  auto& node = *cluster_.nodes_.at(id_);
  if (node.crashed) return false;
  if (node.crash_at == PersistCrash::before_write) {
    node.crash_at = PersistCrash::none;
    node.crashed = true;  // power lost before the write reached the disk
    return false;
  }
  return true;
}

void SimStorage::persist(const std::optional<raft::HardState>& hard_state,
                         const std::vector<Entry>& entries) {
  if (!survive_write()) return;
  auto& node = *cluster_.nodes_.at(id_);
  Term prev_term = 0;
  if (!entries.empty()) prev_term = term(entries.front().index - 1).value_or(0);
  MemoryStorage::persist(hard_state, entries);
  cluster_.checker_.on_persist(id_, prev_term, entries);
  if (node.crash_at == PersistCrash::after_write) {
    node.crash_at = PersistCrash::none;
    node.crashed = true;  // durable, but nothing after it happens
  }
}

void SimStorage::install_snapshot(const raft::SnapshotMeta& snapshot) {
  if (!survive_write()) return;
  auto& node = *cluster_.nodes_.at(id_);
  MEADOW_ASSERT(node.staged_image.size() == snapshot.index);
  MEADOW_ASSERT(node.staged_image.back().term == snapshot.term);
  MemoryStorage::install_snapshot(snapshot);
  image_ = node.staged_image;
  ++cluster_.snapshots_installed_;
  if (node.crash_at == PersistCrash::after_write) {
    node.crash_at = PersistCrash::none;
    node.crashed = true;
  }
}

void SimStorage::compact_with_image(Index upto, const std::vector<Entry>& applied) {
  MEADOW_ASSERT(upto <= applied.size());
  if (upto <= snapshot().index) return;
  compact(upto);
  image_.assign(applied.begin(), applied.begin() + static_cast<long>(upto));
}

void SimSink::send(const Message& m) {
  auto& node = *cluster_.nodes_.at(id_);
  if (node.crashed) return;
  if (m.type != raft::MessageType::snapshot) {
    cluster_.send(m);
    return;
  }
  // As the node runtime does: send the state machine as applied now (a newer image than the
  // core asked for is fine: any committed index covers the compacted prefix).
  Message snap = m;
  snap.index = node.applied.size();
  MEADOW_ASSERT(snap.index >= m.index);
  snap.log_term = node.applied.back().term;
  const std::uint64_t image_id = cluster_.images_.size() + 1;
  cluster_.images_[image_id] = node.applied;
  snap.context = std::to_string(image_id);
  // The configuration travels with the image, for the image's index (as the core does for
  // the index it asked for).
  snap.entries = {Entry{snap.log_term, snap.index, raft::EntryKind::config,
                        raft::encode_cluster_config(cluster_.config_at_end_of(node.applied))}};
  cluster_.send(snap);
}

void SimApplier::apply(const std::vector<Entry>& committed) {
  auto& node = *cluster_.nodes_.at(id_);
  if (node.crashed) return;
  for (const Entry& e : committed) {
    cluster_.checker_.on_apply(id_, e, node.applied.size());
    node.applied.push_back(e);
    auto it = node.pending_writes.find(e.index);
    if (it == node.pending_writes.end()) continue;
    if (it->second.term == e.term && it->second.data == e.data) {
      // The client hears "ok" now: the write is acknowledged.
      cluster_.acked_.insert(e.data);
      cluster_.checker_.on_write_acked(e.index);
      cluster_.note("ack " + describe(e) + " on " + std::to_string(id_));
    }
    node.pending_writes.erase(it);
  }
}

void SimApplier::restore(const raft::SnapshotMeta& snapshot) {
  auto& node = *cluster_.nodes_.at(id_);
  if (node.crashed) return;
  // State Machine Safety across snapshots: the image must hold what every node applied there.
  cluster_.checker_.on_restore(id_, node.storage.image());
  node.applied = node.storage.image();
  // Writes proposed here up to the snapshot are not answered by this node (its client times
  // out): the snapshot does not say which entries they became.
  node.pending_writes.erase(node.pending_writes.begin(),
                            node.pending_writes.upper_bound(snapshot.index));
}

// Odd nodes take process_ready's group-commit path (persist and apply before sending), even
// nodes the separate one, so every run exercises both orders. A crash point inside the persist
// stops the apply too, as a torn transaction would.
bool SimApplier::persist_and_apply(const std::optional<raft::HardState>& hard_state,
                                   const std::vector<Entry>& entries,
                                   const std::vector<Entry>& committed) {
  if (id_ % 2 == 0) return false;
  auto& node = *cluster_.nodes_.at(id_);
  if (hard_state || !entries.empty()) node.storage.persist(hard_state, entries);
  apply(committed);
  return true;
}

void SimApplier::serve_reads(const std::vector<raft::ReadState>& reads) {
  auto& node = *cluster_.nodes_.at(id_);
  if (node.crashed) return;
  for (const auto& rs : reads) {
    auto it = node.pending_reads.find(rs.context);
    if (it == node.pending_reads.end()) continue;
    cluster_.checker_.on_read_served(id_, it->second.required, node.applied.size(), rs.index);
    cluster_.served_reads_.insert(it->second.read_id);
    cluster_.note("read " + rs.context + " served on " + std::to_string(id_) + " at " +
                  std::to_string(rs.index));
    node.pending_reads.erase(it);
  }
}

// ---------------------------------------------------------------- setup

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)), rng_(options_.seed) {
  for (std::size_t i = 1; i <= options_.nodes; ++i) ids_.push_back(i);
  const std::size_t voters = options_.initial_voters == 0 ? ids_.size() : options_.initial_voters;
  MEADOW_ASSERT(voters <= ids_.size());
  initial_voters_.assign(ids_.begin(), ids_.begin() + static_cast<long>(voters));
  for (NodeId id : ids_) nodes_.emplace(id, std::make_unique<Node>(*this, id));
  for (NodeId id : ids_) restart(id);
}

Cluster::~Cluster() = default;

raft::Config Cluster::config_for(NodeId id) const {
  raft::Config c = options_.base;
  c.id = id;
  c.voters = initial_voters_;
  // The simulated state machine is volatile: rebuilt from the snapshot image plus the log.
  c.applied = nodes_.at(id)->storage.snapshot().index;
  const auto& node = *nodes_.at(id);
  c.rng_seed = options_.seed * 1'000'003 + id * 7'919 + node.incarnation * 104'729;
  return c;
}

void Cluster::crash_on_next_persist(NodeId id, PersistCrash where) {
  nodes_.at(id)->crash_at = where;
}
bool Cluster::up(NodeId id) const { return nodes_.at(id)->core != nullptr; }
raft::RaftCore& Cluster::core(NodeId id) {
  MEADOW_ASSERT(up(id));
  return *nodes_.at(id)->core;
}
const raft::MemoryStorage& Cluster::storage(NodeId id) const { return nodes_.at(id)->storage; }
const std::vector<Entry>& Cluster::applied(NodeId id) const { return nodes_.at(id)->applied; }

void Cluster::note(const std::string& line) {
  if (!options_.trace) return;
  trace_.push_back("t=" + std::to_string(now_) + " " + line);
  if (trace_.size() > kTraceLines) trace_.pop_front();
}

// ---------------------------------------------------------------- membership

raft::ProposeResult Cluster::change_membership(NodeId id, const raft::ConfChange& change) {
  Node& node = *nodes_.at(id);
  MEADOW_ASSERT(node.core != nullptr);
  const raft::ProposeResult result = node.core->propose_conf_change(change);
  if (result.status == raft::Status::ok) ++membership_changes_;
  note(std::string("membership ") + raft::conf_change_type_name(change.type) + " " +
       std::to_string(change.node) + " on " + std::to_string(id) + ": " +
       raft::status_name(result.status) +
       (result.status == raft::Status::change_refused
            ? std::string(" ") + raft::conf_change_error_name(result.change_error)
            : std::string()));
  process(node);
  return result;
}

raft::ClusterConfig Cluster::config_at_end_of(const std::vector<Entry>& image) const {
  for (auto it = image.rbegin(); it != image.rend(); ++it) {
    if (it->kind == raft::EntryKind::config) return *raft::decode_cluster_config(it->data);
  }
  return raft::ClusterConfig{initial_voters_, {}, {}};
}

// ---------------------------------------------------------------- nodes

void Cluster::process(Node& node) {
  // Both orders of process_ready run in every seed, on different nodes and differently per
  // seed: a leader's AppendEntries before its own persist (as the node runtime does; a crash
  // point inside the persist then lets them out while the leader's copy is lost) or after it.
  const auto order = ((node.id + options_.seed) / 2) % 2 == 0 ? raft::SendOrder::leader_first
                                                               : raft::SendOrder::after_persist;
  while (node.core && !node.crashed &&
         raft::process_ready(*node.core, node.storage, node.sink, node.applier, order)) {
  }
  if (node.crashed) {
    finish_crash(node);
    return;
  }
  if (node.core) checker_.after_step(*node.core);
}

void Cluster::finish_crash(Node& node) {
  note("crash " + std::to_string(node.id));
  ++crashes_;
  node.core.reset();
  node.crashed = false;
  node.crash_at = PersistCrash::none;
  node.applied.clear();
  node.pending_writes.clear();  // clients of this node time out
  node.pending_reads.clear();
}

void Cluster::crash(NodeId id) {
  Node& node = *nodes_.at(id);
  if (!node.core) return;
  finish_crash(node);
}

void Cluster::restart(NodeId id) {
  Node& node = *nodes_.at(id);
  if (node.core) return;
  ++node.incarnation;
  node.applied = node.storage.image();
  node.core = std::make_unique<raft::RaftCore>(config_for(id), node.storage);
  checker_.on_restart(id);
  note("start " + std::to_string(id) + " " + describe(node.storage.hard_state()));
  process(node);
}

void Cluster::tick(NodeId id) {
  Node& node = *nodes_.at(id);
  if (!node.core) return;
  const raft::Role before = node.core->role();
  node.core->tick();
  if (node.core->role() != before) {
    note(std::to_string(id) + " " + raft::role_name(before) + "->" +
         raft::role_name(node.core->role()) + " term=" + std::to_string(node.core->term()));
  }
  process(node);
}

// ---------------------------------------------------------------- network

void Cluster::send(const Message& m) {
  if (blocked(m.from, m.to) || rng_.chance(options_.drop_per_million)) {
    note("drop " + describe(m));
    if (m.type == raft::MessageType::snapshot) lost_snapshots_.push_back({m.from, m.to});
    return;
  }
  const int copies = rng_.chance(options_.duplicate_per_million) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    const auto delay = static_cast<std::uint64_t>(rng_.between(1, options_.max_delay_ticks + 1));
    links_[{m.from, m.to}].push_back({now_ + delay, seq_++, m});
  }
}

void Cluster::report_snapshot(NodeId from, NodeId to, bool ok) {
  if (!up(from)) return;
  note("snapshot " + std::to_string(from) + "->" + std::to_string(to) + (ok ? " done" : " lost"));
  Node& leader = *nodes_.at(from);
  leader.core->report_snapshot(to, ok);
  process(leader);
}

void Cluster::deliver(const Message& m) {
  const bool snapshot = m.type == raft::MessageType::snapshot;
  if (blocked(m.from, m.to) || !up(m.to)) {
    if (snapshot) report_snapshot(m.from, m.to, false);
    return;
  }
  ++delivered_[m.type];
  if (options_.trace) note(describe(m));
  Node& node = *nodes_.at(m.to);
  if (snapshot) node.staged_image = images_.at(std::stoull(m.context));
  const raft::Role before = node.core->role();
  node.core->step(m);
  if (node.core->role() != before) {
    note(std::to_string(m.to) + " " + raft::role_name(before) + "->" +
         raft::role_name(node.core->role()) + " term=" + std::to_string(node.core->term()));
  }
  process(node);
  if (snapshot) report_snapshot(m.from, m.to, true);
}

void Cluster::compact(NodeId id, Index upto) {
  Node& node = *nodes_.at(id);
  if (!node.core) return;
  upto = std::min<Index>(upto, node.applied.size());
  if (upto <= node.storage.snapshot().index) return;
  note("compact " + std::to_string(id) + " to " + std::to_string(upto));
  node.storage.compact_with_image(upto, node.applied);
}

void Cluster::step_time(const std::set<NodeId>& skip_tick) {
  ++now_;
  for (const auto& [from, to] : std::exchange(lost_snapshots_, {})) {
    report_snapshot(from, to, false);
  }
  for (NodeId id : ids_) {
    if (up(id) && skip_tick.count(id) == 0) tick(id);
  }
  std::vector<InFlight> due;
  for (auto& [link, queue] : links_) {
    for (auto it = queue.begin(); it != queue.end();) {
      if (it->deliver_at <= now_) {
        due.push_back(std::move(*it));
        it = queue.erase(it);
      } else {
        ++it;
      }
    }
  }
  // Messages due in the same tick arrive in a random order (reordering across links too).
  for (std::size_t i = due.size(); i > 1; --i) {
    std::swap(due[i - 1], due[rng_.below(i)]);
  }
  for (const auto& f : due) deliver(f.message);
}

bool Cluster::deliver_next() {
  std::deque<InFlight>* oldest = nullptr;
  for (auto& [link, queue] : links_) {
    if (!queue.empty() && (oldest == nullptr || queue.front().seq < oldest->front().seq)) {
      oldest = &queue;
    }
  }
  if (oldest == nullptr) return false;
  const Message m = std::move(oldest->front().message);
  oldest->pop_front();
  deliver(m);
  return true;
}

void Cluster::deliver_all(int max_rounds) {
  for (int round = 0; round < max_rounds; ++round) {
    std::vector<InFlight> all;
    for (auto& [link, queue] : links_) {
      for (auto& f : queue) all.push_back(std::move(f));
      queue.clear();
    }
    if (all.empty()) return;
    for (const auto& f : all) deliver(f.message);
  }
}

void Cluster::isolate(const std::set<NodeId>& group) {
  for (NodeId a : ids_) {
    for (NodeId b : ids_) {
      if ((group.count(a) > 0) != (group.count(b) > 0)) block(a, b);
    }
  }
}

void Cluster::clear_network() {
  for (auto& [link, queue] : links_) queue.clear();
}

std::size_t Cluster::messages_in_flight() const {
  std::size_t n = 0;
  for (const auto& [link, queue] : links_) n += queue.size();
  return n;
}

std::uint64_t Cluster::delivered(raft::MessageType type) const {
  auto it = delivered_.find(type);
  return it == delivered_.end() ? 0 : it->second;
}

// ---------------------------------------------------------------- clients

raft::ProposeResult Cluster::propose(NodeId id, const std::string& data) {
  Node& node = *nodes_.at(id);
  if (!node.core) return {raft::Status::not_leader, 0, 0, raft::kNoNode};
  const auto result = node.core->propose(data);
  if (result.status == raft::Status::ok) {
    node.pending_writes[result.index] = {result.term, data};
    note("propose \"" + data + "\" on " + std::to_string(id) + " at " +
         std::to_string(result.term) + "/" + std::to_string(result.index));
  }
  process(node);
  return result;
}

std::optional<std::uint64_t> Cluster::read(NodeId id) {
  Node& node = *nodes_.at(id);
  if (!node.core) return std::nullopt;
  const std::uint64_t read_id = next_read_id_++;
  const std::string context = "r" + std::to_string(read_id);
  const auto result = node.core->read_index(context);
  if (result.status != raft::Status::ok) return std::nullopt;
  node.pending_reads[context] = {read_id, checker_.max_acked_index()};
  note("read " + context + " on " + std::to_string(id) + " needs " +
       std::to_string(checker_.max_acked_index()));
  process(node);
  return read_id;
}

std::vector<NodeId> Cluster::leaders() const {
  std::vector<NodeId> out;
  for (NodeId id : ids_) {
    const auto& node = *nodes_.at(id);
    if (node.core && node.core->role() == raft::Role::leader) out.push_back(id);
  }
  return out;
}

std::optional<NodeId> Cluster::newest_leader() const {
  std::optional<NodeId> best;
  for (NodeId id : leaders()) {
    if (!best || nodes_.at(id)->core->term() > nodes_.at(*best)->core->term()) best = id;
  }
  return best;
}

}  // namespace meadow::sim
