// Test support for process-level tests: a local cluster of real `meadow node` processes on
// free loopback ports with temporary data directories. Every process is SIGKILLed and reaped
// when the TestCluster goes away, also when a test fails.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "transport/client.h"

namespace meadow::test {

using NodeId = std::uint64_t;
using namespace std::chrono_literals;

/// Polls `condition` until it holds or `deadline` passes; returns whether it held.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline);

/// Where a node runs: its IP address and a launcher put before its command line (e.g.
/// `ip netns exec NAME` for a node in its own network namespace).
struct NodePlacement {
  std::string ip = "127.0.0.1";
  std::vector<std::string> launcher;
};

class TestCluster {
 public:
  /// Allocates ports and directories for nodes 1..n and starts them all, each placed by
  /// `place` (default: on loopback).
  explicit TestCluster(int n = 3, std::vector<std::string> extra_node_args = {},
                       std::function<NodePlacement(NodeId)> place = {});
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  int size() const { return static_cast<int>(raft_ports_.size()); }
  std::vector<NodeId> ids() const;

  /// Allocates ports and a directory for a new node `id` (> every id so far), not started:
  /// start_joining() starts it. Its command line names the initial nodes and itself.
  void add_node(NodeId id);
  /// Starts node `id` with `meadow node --join` (see add_node).
  void start_joining(NodeId id);

  void start(NodeId id);   ///< precondition: not running
  void kill(NodeId id);    ///< SIGKILL and reap
  int stop(NodeId id);     ///< SIGTERM, wait for the exit; returns the exit code
  bool running(NodeId id);
  /// Sends `sig` (e.g. SIGSTOP, SIGCONT) to node `id` if it runs; returns whether it did.
  bool signal(NodeId id, int sig);

  std::string data_dir(NodeId id) const;
  std::string log_path(NodeId id) const;
  std::string log_tail(NodeId id, std::size_t lines = 30) const;
  /// The command line that starts node `id` (the binary first). Its --peers are the nodes the
  /// cluster was created with (plus `id` itself): the initial configuration.
  std::vector<std::string> node_command(NodeId id) const;
  std::string client_endpoint(NodeId id) const;

  /// Options for a client that knows every node, `first` tried first.
  transport::ClientOptions client_options(NodeId first = 1,
                                          std::chrono::milliseconds deadline = 10s) const;
  std::unique_ptr<transport::Client> client(NodeId first = 1,
                                            std::chrono::milliseconds deadline = 10s) const;
  /// Node `id`'s status, or nullopt if it does not answer within `deadline`.
  std::optional<transport::wire::StatusReply> status(NodeId id,
                                                     std::chrono::milliseconds deadline = 1s) const;
  /// Waits until a running node reports itself leader and a majority of running nodes agree;
  /// returns its id, or 0 after `deadline`.
  NodeId wait_for_leader(std::chrono::milliseconds deadline = 20s);

 private:
  TempDir dir_;
  std::vector<std::string> extra_args_;
  std::map<NodeId, NodePlacement> placements_;
  std::map<NodeId, int> raft_ports_;
  std::map<NodeId, int> client_ports_;
  std::set<NodeId> initial_;  ///< the nodes the constructor made
  std::map<NodeId, std::unique_ptr<Subprocess>> processes_;
};

}  // namespace meadow::test
