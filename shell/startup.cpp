#include "shell/startup.h"

#include <cstdio>

#include "shell/signals.h"

namespace meadow::shell {

bool start_all_nodes(LocalCluster& cluster, std::string& error) {
  for (auto id : cluster.ids()) {
    if (!cluster.start(id, error)) {
      cluster.stop_all(std::chrono::milliseconds(2000));
      return false;
    }
  }
  return true;
}

bool greet(Session& session, bool launched, std::string_view version, bool spinner,
           std::ostream& tty, std::string& error) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  static constexpr const char* kFrames[] = {"|", "/", "-", "\\"};
  std::size_t frame = 0;
  bool interrupted = false;
  auto tick = [&] {
    // Ctrl-C, SIGTERM or SIGHUP while waiting: give up, and the caller stops what it launched.
    if (take_interrupt() || quit_requested()) {
      interrupted = true;
      return false;
    }
    // Without a live majority no leader can be elected: give up now, not at the deadline
    // (e.g. nodes that exit at start-up because of a bad timing flag).
    const ClusterView& v = session.last_view();
    if (launched && v.up_count() * 2 <= v.nodes.size()) return false;
    if (!spinner) return true;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(ms.count()) / 1000.0);
    tty << "\r" << kFrames[frame++ % 4] << " waiting for a leader (" << seconds << " s)"
        << std::flush;
    return true;
  };
  const auto deadline = launched ? std::max(session.options().timeout, std::chrono::milliseconds(20000))
                                 : session.options().timeout;
  const auto view = session.wait_for_leader(deadline, tick, false);
  if (spinner) tty << "\r\033[K" << std::flush;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  LocalCluster* cluster = session.cluster();
  if (interrupted) {
    error = "interrupted while waiting for a leader";
    return false;
  }
  if (!view && launched) {
    error = "no leader elected";
    for (auto id : cluster->ids())
      if (!cluster->running(id)) {
        const auto tail = cluster->log_tail(id, 1);
        error += "; node " + std::to_string(id) + " exited" + (tail.empty() ? "" : ": " + tail.back());
      }
    return false;
  }
  const ClusterView& now = session.last_view();

  JsonValue nodes = JsonValue::array();
  Output& out = session.output();
  const std::string where = cluster ? cluster->dir() : std::string("--connect");
  out.note("Meadow " + std::string(version) + " · " +
           std::to_string(now.nodes.size()) + "-node cluster" +
           (launched ? " launched" : " attached") + " · " + where +
           (cluster ? " · durability " + cluster->manifest().durability : ""));
  for (const auto& n : now.nodes) {
    const auto* m = cluster ? cluster->manifest().find(n.id) : nullptr;
    std::string line = "  node " + std::to_string(n.id) + "  client " + n.endpoint;
    if (m) line += "  raft " + m->raft_endpoint;
    if (n.pid > 0) line += "  pid " + std::to_string(n.pid);
    if (!n.up()) line += "  (down)";
    out.note(out.style().paint(line, Colour::dim));
    JsonValue node = JsonValue::object().set("id", n.id).set("client_endpoint", n.endpoint);
    node.set("raft_endpoint", m ? JsonValue(m->raft_endpoint) : JsonValue());
    node.set("pid", n.pid > 0 ? JsonValue(n.pid) : JsonValue());
    node.set("up", n.up());
    nodes.push(std::move(node));
  }
  if (view) {
    out.note("Leader: node " + std::to_string(view->leader) + " (term " +
             std::to_string(view->term) + ")" +
             (launched ? ", elected " + std::to_string(elapsed.count()) + " ms after start." : "."));
  } else {
    out.note("No leader yet (nodes down: " + join_ids(now.down_ids()) + ").");
  }
  out.note(launched ? "Type help for commands; exit or Ctrl-D stops the nodes (--keep leaves them running)."
                    : "Type help for commands; exit or Ctrl-D leaves the nodes running.");
  JsonValue data = JsonValue::object().set("launched", launched);
  data.set("data_dir", cluster ? JsonValue(cluster->dir()) : JsonValue());
  data.set("leader", view ? JsonValue(view->leader) : JsonValue());
  data.set("term", view ? JsonValue(view->term) : JsonValue());
  data.set("nodes", std::move(nodes));
  if (out.format() == OutputFormat::json) out.event({"ready", std::move(data), ""});
  return true;
}

void farewell(Session& session, bool launched, bool keep) {
  LocalCluster* cluster = session.cluster();
  Output& out = session.output();
  if (!cluster || !launched) return;
  if (keep) {
    out.note("Nodes left running; attach with: meadow shell --attach " + cluster->dir());
    return;
  }
  const auto stopped = cluster->stop_all(session.options().stop_grace);
  JsonValue ids = JsonValue::array();
  for (auto id : stopped) ids.push(id);
  out.event({"stopped", JsonValue::object().set("nodes", std::move(ids)),
             stopped.empty() ? "No node was running." : "Stopped nodes " + join_ids(stopped) + "."});
}

}  // namespace meadow::shell
