#include "tests/cluster/test_cluster.h"

#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/assert.h"
#include "tests/support/ports.h"

namespace meadow::test {

namespace wire = transport::wire;

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    // A pause between checks of a condition that has no event to block on; the deadline, not
    // the pause, bounds the test.
    std::this_thread::sleep_for(20ms);
  }
}

TestCluster::TestCluster(int n, std::vector<std::string> extra_node_args,
                         std::function<NodePlacement(NodeId)> place)
    : extra_args_(std::move(extra_node_args)) {
  for (NodeId id = 1; id <= static_cast<NodeId>(n); ++id) {
    placements_[id] = place ? place(id) : NodePlacement{};
    raft_ports_[id] = free_port();
    client_ports_[id] = free_port();
    initial_.insert(id);
  }
  for (NodeId id : ids()) start(id);
}

void TestCluster::add_node(NodeId id) {
  MEADOW_ASSERT(!raft_ports_.count(id));
  placements_[id] = NodePlacement{};
  raft_ports_[id] = free_port();
  client_ports_[id] = free_port();
}

void TestCluster::start_joining(NodeId id) {
  MEADOW_ASSERT(!running(id));
  std::vector<std::string> argv = node_command(id);
  argv.push_back("--join");
  processes_[id] = std::make_unique<Subprocess>(argv, log_path(id), log_path(id));
}

std::vector<NodeId> TestCluster::ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, port] : raft_ports_) out.push_back(id);
  return out;
}

std::string TestCluster::data_dir(NodeId id) const {
  return (dir_.path() / ("node-" + std::to_string(id))).string();
}

std::string TestCluster::log_path(NodeId id) const {
  return (dir_.path() / ("node-" + std::to_string(id) + ".log")).string();
}

std::string TestCluster::log_tail(NodeId id, std::size_t lines) const {
  std::ifstream in(log_path(id));
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& line : tail) out += line + "\n";
  return out;
}

std::string TestCluster::client_endpoint(NodeId id) const {
  return "tcp://" + placements_.at(id).ip + ":" + std::to_string(client_ports_.at(id));
}

std::vector<std::string> TestCluster::node_command(NodeId id) const {
  std::string peers, clients;
  for (const auto& [peer, port] : raft_ports_) {
    if (!initial_.count(peer) && peer != id) continue;
    if (!peers.empty()) peers += ",";
    if (!clients.empty()) clients += ",";
    peers += std::to_string(peer) + "=tcp://" + placements_.at(peer).ip + ":" + std::to_string(port);
    clients += std::to_string(peer) + "=" + client_endpoint(peer);
  }
  std::vector<std::string> argv = placements_.at(id).launcher;
  std::vector<std::string> node = {MEADOW_BINARY, "node", "--id", std::to_string(id),
                                   "--data-dir", data_dir(id), "--peers", peers,
                                   "--client-endpoints", clients, "--cluster-id", "test"};
  argv.insert(argv.end(), node.begin(), node.end());
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  return argv;
}

void TestCluster::start(NodeId id) {
  MEADOW_ASSERT(!running(id));
  processes_[id] = std::make_unique<Subprocess>(node_command(id), log_path(id), log_path(id));
}

void TestCluster::kill(NodeId id) {
  auto it = processes_.find(id);
  if (it == processes_.end()) return;
  it->second->signal(SIGKILL);
  it->second->wait_for(60s);
  processes_.erase(it);
}

int TestCluster::stop(NodeId id) {
  auto it = processes_.find(id);
  MEADOW_ASSERT(it != processes_.end());
  it->second->signal(SIGTERM);
  auto code = it->second->wait_for(60s);
  processes_.erase(it);  // SIGKILLs it if SIGTERM did not work
  return code.value_or(-1);
}

bool TestCluster::running(NodeId id) {
  auto it = processes_.find(id);
  return it != processes_.end() && it->second->running();
}

bool TestCluster::signal(NodeId id, int sig) {
  auto it = processes_.find(id);
  if (it == processes_.end() || !it->second->running()) return false;
  it->second->signal(sig);
  return true;
}

transport::ClientOptions TestCluster::client_options(NodeId first,
                                                     std::chrono::milliseconds deadline) const {
  transport::ClientOptions options;
  options.cluster_id = "test";
  options.deadline = deadline;
  options.endpoints.push_back({first, client_endpoint(first), ""});
  for (NodeId id : ids())
    if (id != first) options.endpoints.push_back({id, client_endpoint(id), ""});
  return options;
}

std::unique_ptr<transport::Client> TestCluster::client(NodeId first,
                                                       std::chrono::milliseconds deadline) const {
  return std::make_unique<transport::Client>(client_options(first, deadline));
}

std::optional<wire::StatusReply> TestCluster::status(NodeId id,
                                                     std::chrono::milliseconds deadline) const {
  auto options = client_options(id, deadline);
  options.attempt_timeout = deadline;
  transport::Client c(options);
  auto r = c.status(0);
  if (!r.ok()) return std::nullopt;
  return r.value;
}

NodeId TestCluster::wait_for_leader(std::chrono::milliseconds deadline) {
  NodeId found = 0;
  wait_until(
      [&] {
        // A leader counts once a majority of the cluster names it and it says so itself.
        std::map<NodeId, int> named;
        for (NodeId id : ids()) {
          if (!running(id)) continue;
          if (auto s = status(id, 500ms); s && s->leader_id != 0) ++named[s->leader_id];
        }
        for (const auto& [leader, count] : named) {
          if (count * 2 <= size() || !running(leader)) continue;
          if (auto s = status(leader, 500ms); s && s->role == wire::Role::leader) {
            found = leader;
            return true;
          }
        }
        return false;
      },
      deadline);
  return found;
}

}  // namespace meadow::test
