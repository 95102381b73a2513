#include "node/runtime/node.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "node/raft/describe.h"
#include "node/runtime/member_endpoints.h"
#include "node/runtime/raft_codec.h"

namespace meadow::node {

namespace wire = transport::wire;

namespace {

// Beside meadow.db from its first open on: "this directory held a database" (see Node::open).
constexpr char kDatabaseMarker[] = "meadow.node";

// Creates `path` (durably: file and directory fsynced) unless it exists.
bool write_marker(const std::string& path, std::string& error) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return true;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  static constexpr char kText[] = "this data directory holds a meadow node's database\n";
  const bool ok = fd >= 0 && ::write(fd, kText, sizeof kText - 1) == sizeof kText - 1 &&
                  ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  const int dir = ::open(std::filesystem::path(path).parent_path().c_str(),
                         O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool dir_ok = dir >= 0 && ::fsync(dir) == 0;
  if (dir >= 0) ::close(dir);
  if (!ok || !dir_ok) {
    error = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

const Member& NodeConfig::self() const {
  for (const auto& m : members)
    if (m.id == id) return m;
  MEADOW_ASSERT(false && "validated config has an entry for its own id");
  return members.front();
}

std::unique_ptr<Node> Node::open(const NodeConfig& config, Logger& logger, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    error = "cannot create data directory " + config.data_dir + ": " + ec.message();
    return nullptr;
  }
  store::OpenOptions options;
  options.cluster_id = config.cluster_id;
  options.node_id = config.id;
  options.durability = config.durability;
  // A node that lost its database must not come back empty: it would forget its vote (and could
  // vote twice in one term, Raft §5.2) and its log (and could make a majority for a leader that
  // lacks acknowledged writes, §5.4). The marker beside the database remembers it existed.
  const std::string db_path = config.data_dir + "/meadow.db";
  const std::string marker = config.data_dir + "/" + kDatabaseMarker;
  if (std::filesystem::exists(marker, ec) && !std::filesystem::exists(db_path, ec)) {
    error = db_path + " is missing, but " + marker +
            " says this data directory held the node's database: its term, vote and log are "
            "lost. Refusing to start empty (it could vote twice in a term and lose "
            "acknowledged writes). Restore the file; to rejoin as an empty node on purpose, "
            "remove the whole data directory (safe only while the other nodes hold a majority "
            "with every acknowledged write).";
    return nullptr;
  }
  // The configuration lives in the database: the command line's members only start a fresh one
  // (or upgrade a format-1 file, which predates membership changes). A joining node starts
  // with none and learns it from the leader.
  const bool fresh = !std::filesystem::exists(db_path, ec);
  if (!(fresh && config.join)) {
    options.initial_config = raft::encode_cluster_config(initial_config(config.members));
  }
  auto opened = store::Store::open(db_path, options);
  if (!opened.ok()) {
    error = opened.status().message();
    return nullptr;
  }
  if (!write_marker(marker, error)) return nullptr;
  if (opened->upgraded()) {
    logger.info("upgraded " + opened->path() + " to format " +
                std::to_string(store::kFormatVersion) +
                ": its configuration is now stored, taken from the command line's members");
  }
  if (!fresh && config.join) {
    logger.info("--join ignored: " + opened->path() +
                " exists, so this node's configuration comes from it");
  }
  std::unique_ptr<Node> node(new Node(config, logger, std::move(opened).value()));
  const raft::ClusterConfig& in_use = node->core_->membership();
  const raft::ClusterConfig given = initial_config(config.members);
  if (!fresh && !config.join && (in_use.voters != given.voters || in_use.learners != given.learners)) {
    logger.info("members from the command line ignored: the configuration in use is " +
                describe_members(in_use) + " (from the database; the command line only gives "
                "endpoints)");
  }
  try {
    const Member& self = config.self();
    transport::PeerTransportOptions peer_options;
    peer_options.self = config.id;
    peer_options.cluster_id = config.cluster_id;
    peer_options.bind_endpoint = config.listen.empty() ? self.raft_endpoint : config.listen;
    peer_options.fault_seed = config.id;
    peer_options.log = [&logger](std::string_view line) { logger.warn(line); };
    node->peers_ = std::make_unique<transport::PeerTransport>(node->context_, peer_options);

    transport::ClientServerOptions client_options;
    client_options.self = config.id;
    client_options.cluster_id = config.cluster_id;
    client_options.bind_endpoint =
        config.client_listen.empty() ? self.client_endpoint : config.client_listen;
    client_options.log = [&logger](std::string_view line) { logger.warn(line); };
    node->clients_ = std::make_unique<transport::ClientServer>(node->context_, client_options);
    node->start_snapshots();
    node->sync_membership();
  } catch (const std::exception& e) {  // bind failures: address in use, bad endpoint
    error = e.what();
    return nullptr;
  }
  logger.info("listening: raft " + node->peers_->bound_endpoint() + ", clients " +
              node->clients_->bound_endpoint() + ", data " + node->store_.path() +
              " (durability " + store::durability_name(config.durability) + ")");
  return node;
}

Node::Node(const NodeConfig& config, Logger& logger, store::Store store)
    : config_(config),
      logger_(logger),
      store_(std::move(store)),
      storage_(store_, config.data_dir) {
  raft::Config rc;
  rc.id = config.id;  // the configuration comes from storage_ (the database)
  rc.election_timeout_ticks_min = config.election_timeout_min_ms / config.tick_ms;
  rc.election_timeout_ticks_max = config.election_timeout_max_ms / config.tick_ms;
  rc.heartbeat_interval_ticks = std::max(1, config.heartbeat_ms / config.tick_ms);
  rc.applied = store_.applied_index();
  // Election timeouts must differ between nodes and between runs of one node: mix in the pid.
  rc.rng_seed = (static_cast<std::uint64_t>(config.id) << 32) ^ static_cast<std::uint64_t>(getpid()) ^
                static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
  rc.log_sink = &logger;
  core_ = std::make_unique<raft::RaftCore>(rc, storage_);
  last_soft_state_ = core_->soft_state();
  applied_membership_ = core_->membership_at(store_.applied_index());
  logger_.set_term_source([this] { return core_->term(); });
  const auto hs = core_->hard_state();
  logger_.info("recovered " + raft::describe(hs) + " log=" + std::to_string(core_->last_index()) +
               " applied=" + std::to_string(store_.applied_index()) + " keys=" +
               std::to_string(store_.count().ok() ? *store_.count() : 0));
}

Node::~Node() { logger_.set_term_source([term = core_->term()] { return term; }); }

void Node::run(int stop_fd) {
  next_tick_ = Clock::now() + std::chrono::milliseconds(config_.tick_ms);
  for (;;) {
    std::vector<zmq::pollitem_t> items = {peers_->poll_item(), clients_->poll_item()};
    if (stop_fd >= 0) items.push_back({nullptr, stop_fd, ZMQ_POLLIN, 0});
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(poll_timeout_ms(Clock::now())));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
    if (stop_fd >= 0 && (items[2].revents & ZMQ_POLLIN)) {
      logger_.info("stopping (signal): finishing the current batch");
      while (raft::process_ready(*core_, storage_, *this, *this)) after_ready();
      fail_pending_after_step_down();  // clients retry elsewhere now, not after a timeout
      return;
    }
    drain_peers();
    drain_clients();
    tick_due(Clock::now());
    peers_->flush_delayed();
    while (raft::process_ready(*core_, storage_, *this, *this)) after_ready();
    snapshot_housekeeping();
    if (removed_at_) {
      logger_.info("removed from the cluster at index " + std::to_string(*removed_at_) +
                   ": exiting");
      fail_pending_after_step_down();
      return;
    }
  }
}

void Node::drain_peers() {
  const auto now = Clock::now();
  for (const auto& w : peers_->receive()) {
    last_contact_[w.from] = now;
    if (take_snapshot_message(w)) continue;
    core_->step(from_wire(w));  // invalid ones are counted by the core
  }
}

void Node::drain_clients() {
  sql_ran_this_pass_ = false;
  for (auto& incoming : clients_->receive()) handle(std::move(incoming));
  propose_writes();
  start_read_batch();
}

void Node::tick_due(Clock::time_point now) {
  // After a stall (SIGSTOP, a slow fsync) catch up on missed ticks, but less than one election
  // timeout's worth: a longer burst would run CheckQuorum twice with no messages handled in
  // between and depose a leader whose followers all answered. Older ticks are dropped.
  int budget = std::max(1, config_.election_timeout_min_ms / config_.tick_ms - 1);
  while (now >= next_tick_ && budget-- > 0) {
    core_->tick();
    next_tick_ += std::chrono::milliseconds(config_.tick_ms);
  }
  if (now >= next_tick_) next_tick_ = now + std::chrono::milliseconds(config_.tick_ms);
}

int Node::poll_timeout_ms(Clock::time_point now) const {
  auto due = next_tick_;
  if (auto delayed = peers_->next_delayed_due()) due = std::min(due, *delayed);
  if (due <= now) return 0;
  return static_cast<int>(
      std::chrono::ceil<std::chrono::milliseconds>(due - now).count());
}

void Node::after_ready() {
  sync_membership();
  const raft::SoftState now = core_->soft_state();
  if (now == last_soft_state_) return;
  const bool was_leader = last_soft_state_.role == raft::Role::leader;
  // The core logs its own role changes; the runtime adds who leads, as followers see it.
  if (now.role != raft::Role::leader && now.leader != last_soft_state_.leader) {
    logger_.info(now.leader == raft::kNoNode ? std::string("no known leader")
                                             : "leader is " + std::to_string(now.leader));
  }
  if (was_leader && now.role != raft::Role::leader) {
    fail_pending_after_step_down();
  }
  last_soft_state_ = now;
}

void Node::send(const raft::Message& message) {
  if (message.type == raft::MessageType::snapshot) return request_snapshot(message);
  peers_->send(to_wire(message));
}

}  // namespace meadow::node
