#include "shell/cluster_monitor.h"

#include <map>

namespace meadow::shell {

namespace wire = transport::wire;

ClusterMonitor::ClusterMonitor(const std::vector<NodeProcess>& nodes, std::string cluster_id,
                               std::chrono::milliseconds per_node_deadline) {
  transport::ClientOptions options;
  for (const auto& n : nodes) {
    options.endpoints.push_back({n.id, n.client_endpoint, ""});
    ids_.push_back(n.id);
  }
  options.cluster_id = std::move(cluster_id);
  options.attempt_timeout = per_node_deadline;
  options.deadline = per_node_deadline;
  client_ = std::make_unique<transport::Client>(std::move(options));
}

ClusterView ClusterMonitor::poll(const std::vector<NodeProcess>& nodes) {
  ClusterView view;
  std::map<std::uint64_t, std::size_t> waiting;  // request id -> index in view.nodes
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    NodeView nv;
    nv.id = ids_[i];
    nv.endpoint = client_->endpoints()[i].endpoint;
    for (const auto& n : nodes)
      if (n.id == nv.id) {
        nv.pid_known = n.pid_known;
        nv.pid = n.pid;
        nv.process_alive = n.pid > 0;
      }
    view.nodes.push_back(nv);
    if (nv.pid_known && !nv.process_alive) continue;  // nothing to ask
    waiting[client_->submit(wire::StatusRequest{}, i)] = i;
  }
  while (!waiting.empty()) {
    // Each request finishes by its own deadline, so this loop ends within per_node_deadline.
    for (auto& c : client_->poll_completions(std::chrono::milliseconds(50))) {
      auto it = waiting.find(c.request_id);
      if (it == waiting.end()) continue;
      if (c.status == transport::ClientStatus::ok && c.reply)
        if (const auto* s = std::get_if<wire::StatusReply>(&*c.reply))
          view.nodes[it->second].status = *s;
      waiting.erase(it);
    }
  }
  derive_leader(view);
  return view;
}

}  // namespace meadow::shell
