// ClusterMonitor: asks every node for its status at once, each with a short deadline, so one
// dead or hung node cannot stall the shell, and assembles a ClusterView. Owns its own Client
// (separate from the one that carries reads and writes). Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "shell/cluster_view.h"
#include "transport/client.h"

namespace meadow::shell {

/// What the shell knows about a node's process before asking it (from the manifest).
struct NodeProcess {
  std::uint64_t id = 0;
  std::string client_endpoint;
  bool pid_known = false;
  std::int64_t pid = 0;  ///< > 0 and alive, or 0
};

class ClusterMonitor {
 public:
  /// `nodes` fixes the endpoint order for the life of the monitor.
  ClusterMonitor(const std::vector<NodeProcess>& nodes, std::string cluster_id,
                 std::chrono::milliseconds per_node_deadline);

  /// Polls every node that may be up (known pid alive, or unknown) in parallel; returns after
  /// all answered or per_node_deadline. `nodes` gives the current process knowledge.
  ClusterView poll(const std::vector<NodeProcess>& nodes);

 private:
  std::unique_ptr<transport::Client> client_;
  std::vector<std::uint64_t> ids_;  ///< endpoint index -> node id
};

}  // namespace meadow::shell
