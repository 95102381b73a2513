#include "node/runtime/node_command.h"

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <set>
#include <sys/signalfd.h>
#include <unistd.h>

#include "node/runtime/node.h"
#include "transport/manifest.h"

namespace meadow::node {
namespace {

struct NodeArgs {
  NodeConfig config;
  std::vector<std::string> peers;             // ID=ENDPOINT
  std::vector<std::string> client_endpoints;  // ID=ENDPOINT
  std::string manifest;                       // --cluster FILE
  CLI::App* command = nullptr;
  std::string durability = "full";
  std::string log_level = "info";
};

NodeArgs& args() {
  static NodeArgs a;
  return a;
}

/// Parses "ID=ENDPOINT" into (id, endpoint); an error message on failure.
std::optional<std::string> parse_pair(const std::string& text, raft::NodeId& id,
                                      std::string& endpoint) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return "expected ID=ENDPOINT, got '" + text + "'";
  try {
    std::size_t used = 0;
    if (!std::isdigit(static_cast<unsigned char>(text[0]))) throw std::invalid_argument("id");
    const unsigned long long value = std::stoull(text.substr(0, eq), &used);
    if (used != eq || value == 0) throw std::invalid_argument("id");
    id = value;
  } catch (const std::exception&) {
    return "node id must be a positive integer in '" + text + "'";
  }
  endpoint = text.substr(eq + 1);
  return std::nullopt;
}

/// Builds members from the flags and checks the whole config; an error message on failure.
std::optional<std::string> build_config(NodeArgs& a) {
  NodeConfig& c = a.config;
  std::set<raft::NodeId> seen;
  if (!a.manifest.empty()) {
    if (!a.peers.empty()) return "give either --cluster or --peers, not both";
    if (a.command->count("--cluster-id"))
      return "--cluster-id comes from the manifest with --cluster; do not give both";
    std::string error;
    auto manifest = transport::read_manifest(a.manifest, error);
    if (!manifest) return error;
    c.cluster_id = manifest->cluster_id;
    for (const auto& n : manifest->nodes) {
      seen.insert(n.id);
      c.members.push_back({n.id, n.raft_endpoint, n.client_endpoint});
      if (n.id == c.id && c.data_dir.empty()) c.data_dir = n.data_dir;
    }
    if (!seen.count(c.id))
      return "--id " + std::to_string(c.id) + " is not a node of " + a.manifest;
  } else if (a.peers.empty()) {
    return "the cluster's members are needed: give --peers or --cluster";
  }
  if (c.data_dir.empty()) return "--data-dir is required";
  for (const auto& p : a.peers) {
    Member m;
    if (auto error = parse_pair(p, m.id, m.raft_endpoint)) return "--peers: " + *error;
    if (!seen.insert(m.id).second) return "--peers: node id " + std::to_string(m.id) + " appears twice";
    c.members.push_back(m);
  }
  for (const auto& p : a.client_endpoints) {
    raft::NodeId id = 0;
    std::string endpoint;
    if (auto error = parse_pair(p, id, endpoint)) return "--client-endpoints: " + *error;
    auto it = std::find_if(c.members.begin(), c.members.end(), [&](auto& m) { return m.id == id; });
    if (it == c.members.end())
      return "--client-endpoints: node " + std::to_string(id) + " is not in --peers";
    it->client_endpoint = endpoint;
  }
  if (!seen.count(c.id))
    return "--id " + std::to_string(c.id) + " is not one of the members given by --peers";
  Member& self = *std::find_if(c.members.begin(), c.members.end(),
                               [&](auto& m) { return m.id == c.id; });
  if (!c.client_listen.empty() && self.client_endpoint.empty()) self.client_endpoint = c.client_listen;
  if (c.client_listen.empty() && self.client_endpoint.empty())
    return "no client endpoint: give --client-listen or this node's entry in --client-endpoints";
  if (a.durability == "full") c.durability = store::Durability::full;
  else if (a.durability == "normal") c.durability = store::Durability::normal;
  else return "--durability must be full or normal, not '" + a.durability + "'";
  auto level = parse_log_level(a.log_level);
  if (!level) return "--log-level must be debug, info or warn, not '" + a.log_level + "'";
  c.log_level = *level;
  // The core counts in ticks: check the values as it will see them, after rounding down.
  const int heartbeat_ticks = c.heartbeat_ms / c.tick_ms;
  const int min_ticks = c.election_timeout_min_ms / c.tick_ms;
  const int max_ticks = c.election_timeout_max_ms / c.tick_ms;
  const std::string tick = " (in whole ticks of --tick-ms " + std::to_string(c.tick_ms) + ")";
  if (heartbeat_ticks < 1) return "--heartbeat-ms must be at least --tick-ms";
  if (min_ticks <= heartbeat_ticks)
    return "--election-timeout-min-ms must exceed --heartbeat-ms" + tick;
  if (max_ticks <= min_ticks)
    return "--election-timeout-max-ms must exceed --election-timeout-min-ms" + tick;
  return std::nullopt;
}

}  // namespace

CLI::App* add_node_command(CLI::App& app) {
  NodeArgs& a = args();
  NodeConfig& c = a.config;
  CLI::App* cmd = app.add_subcommand("node", "Run one Raft node (a member of a cluster)");
  a.command = cmd;
  cmd->add_option("--id", c.id, "This node's id (a positive integer listed in --peers)")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--data-dir", c.data_dir,
                  "Directory of this node's SQLite database (default with --cluster: the "
                  "node's data_dir in the manifest)");
  cmd->add_option("--peers", a.peers,
                  "Every member's Raft endpoint, this node included: "
                  "1=tcp://127.0.0.1:7001,2=... (these are the advertised addresses). The "
                  "members are the initial configuration of a fresh database only: afterwards "
                  "the configuration comes from the database (membership changes)")
      ->delimiter(',');
  cmd->add_option("--cluster", a.manifest,
                  "Read members, endpoints, cluster id and data dir from a cluster manifest "
                  "(cluster.toml, written by `meadow shell`) instead of --peers")
      ->check(CLI::ExistingFile);
  cmd->add_option("--client-listen", c.client_listen,
                  "Where clients connect, e.g. tcp://127.0.0.1:7101");
  cmd->add_option("--client-endpoints", a.client_endpoints,
                  "Members' client endpoints (ID=ENDPOINT,...), sent to clients as leader hints")
      ->delimiter(',');
  cmd->add_option("--listen", c.listen,
                  "Raft bind address if it differs from this node's --peers entry "
                  "(e.g. tcp://0.0.0.0:7001 on a multi-host cluster)");
  cmd->add_option("--cluster-id", c.cluster_id, "Cluster identity; messages and data of "
                  "another cluster are refused")
      ->capture_default_str();
  cmd->add_option("--durability", a.durability,
                  "full: fsync every commit (survives power loss); normal: survives a process "
                  "crash only")
      ->capture_default_str();
  cmd->add_option("--tick-ms", c.tick_ms, "Raft logical clock period")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--heartbeat-ms", c.heartbeat_ms, "Leader heartbeat interval")
      ->capture_default_str()
      ->check(CLI::Range(1, 60000));
  cmd->add_option("--election-timeout-min-ms", c.election_timeout_min_ms,
                  "Election timeout, lower bound (randomized in [min, max))")
      ->capture_default_str()
      ->check(CLI::Range(2, 600000));
  cmd->add_option("--election-timeout-max-ms", c.election_timeout_max_ms,
                  "Election timeout, upper bound")
      ->capture_default_str()
      ->check(CLI::Range(3, 600000));
  cmd->add_option("--snapshot-entries", c.snapshot_entries,
                  "Snapshot (and drop the log prefix) once this many applied entries have "
                  "accumulated beyond the kept tail")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_option("--snapshot-keep-entries", c.snapshot_keep_entries,
                  "Applied entries kept in the log behind each snapshot, so slightly lagging "
                  "followers catch up from the log")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 40));
  cmd->add_flag("--join", c.join,
               "Start as a new node waiting to be added to a running cluster (by the leader, "
               "after a membership add_learner): it has no configuration, never campaigns or "
               "votes, and learns the members from the leader. --peers/--cluster still give "
               "this node's own endpoints and the nodes to listen to. Ignored if the data "
               "directory already holds a database");
  cmd->add_option("--log-level", a.log_level, "debug, info or warn")->capture_default_str();
  cmd->add_option("--log-file", c.log_file, "Append the log here instead of stderr");
  return cmd;
}

int run_node_command() {
  NodeArgs& a = args();
  if (auto error = build_config(a)) {
    std::fprintf(stderr, "meadow node: %s\n", error->c_str());
    return 1;
  }
  const NodeConfig& c = a.config;
  std::FILE* log_file = stderr;
  if (!c.log_file.empty()) {
    log_file = std::fopen(c.log_file.c_str(), "a");
    if (!log_file) {
      std::fprintf(stderr, "meadow node: cannot open --log-file %s\n", c.log_file.c_str());
      return 1;
    }
  }
  Logger logger(c.id, c.log_level, log_file);

  // SIGTERM/SIGINT arrive through a signalfd the loop polls: a graceful stop finishes the
  // current batch between two iterations, never in the middle of a transaction.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  const int stop_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
  if (stop_fd < 0) {
    std::fprintf(stderr, "meadow node: cannot watch for SIGTERM/SIGINT: %s\n", std::strerror(errno));
    return 1;
  }

  std::string error;
  auto node = Node::open(c, logger, error);
  if (!node) {
    std::fprintf(stderr, "meadow node: %s\n", error.c_str());
    return 1;
  }
  try {
    node->run(stop_fd);
  } catch (const std::exception& e) {  // a socket failure ZeroMQ cannot recover from
    std::fprintf(stderr, "meadow node: fatal: %s\n", e.what());
    return 1;
  }
  node.reset();  // closes the database before we say so
  logger.info("stopped");
  return 0;
}

}  // namespace meadow::node
