// Handlers for status and leader: the cluster as the nodes report it (ClusterView), rendered
// as a table or JSON.
#include "shell/handlers.h"
#include "shell/process_control.h"
#include "shell/session.h"
#include "shell/text_table.h"

namespace meadow::shell {
namespace {

namespace wire = transport::wire;

/// "up", "down", "paused" (SIGSTOP by `pause`), or "no reply" (process alive or unknown, but
/// no status in time).
std::string state_of(const NodeView& n) {
  if (n.status) return "up";
  if (n.pid > 0 && process_paused(n.pid)) return "paused";
  return n.up() ? "no reply" : "down";
}

std::uint64_t counter(const wire::StatusReply& s, const std::string& name) {
  auto it = s.counters.find(name);
  return it == s.counters.end() ? 0 : it->second;
}

/// "voter" or "learner" as the configuration in use says (the leader's, else the node's own),
/// or nullopt when unknown or not a member (a node being added).
std::optional<std::string> member_role(const NodeView& n, const wire::StatusReply* leader) {
  const wire::StatusReply* config = leader ? leader : (n.status ? &*n.status : nullptr);
  if (!config) return std::nullopt;
  for (const auto& m : config->members)
    if (m.id == n.id) return std::string(m.voter ? "voter" : "learner");
  return std::nullopt;
}

}  // namespace

CommandResult run_status(Session& session, const Invocation&) {
  const ClusterView& view = session.refresh();
  const wire::StatusReply* leader = nullptr;
  if (const auto* l = view.node(view.leader); l && l->status) leader = &*l->status;

  TextTable table({"node", "member", "role", "term", "leader", "commit", "applied", "last", "snap", "log",
                   "pid", "endpoint", "state", "lag"});
  JsonValue nodes = JsonValue::array();
  std::string faults;  // the faults in force, one line per node
  for (const auto& n : view.nodes) {
    const auto* s = n.status ? &*n.status : nullptr;
    auto number = [&](std::uint64_t v) { return s ? std::to_string(v) : std::string("-"); };
    const std::int64_t pid = s ? static_cast<std::int64_t>(s->pid) : n.pid;
    std::optional<std::uint64_t> lag;
    if (s && leader) lag = leader->commit_index > s->last_applied ? leader->commit_index - s->last_applied : 0;
    const std::string state = state_of(n);
    std::optional<Colour> role_colour;
    if (s && s->role == wire::Role::leader) role_colour = Colour::green;
    const auto member = member_role(n, leader);
    table.add_row({{std::to_string(n.id), {}},
                   {member.value_or("-"), member == "learner" ? std::optional<Colour>(Colour::cyan)
                                                                : std::nullopt},
                   {s ? role_name(s->role) : "-", role_colour},
                   {number(s ? s->term : 0), {}},
                   {s && s->leader_id ? std::to_string(s->leader_id) : "-", {}},
                   {number(s ? s->commit_index : 0), {}},
                   {number(s ? s->last_applied : 0), {}},
                   {number(s ? s->last_index : 0), {}},
                   {number(s ? counter(*s, "snapshot.index") : 0), {}},
                   {number(s ? counter(*s, "log.entries") : 0), {}},
                   {pid > 0 ? std::to_string(pid) : "-", {}},
                   {n.endpoint, {}},
                   {state, state == "up" ? std::optional<Colour>() : Colour::red},
                   {lag ? std::to_string(*lag) : "-", lag && *lag > 0 ? std::optional<Colour>(Colour::yellow) : std::nullopt}});
    JsonValue node = JsonValue::object().set("id", n.id).set("state", state);
    node.set("member", member ? JsonValue(*member) : JsonValue());
    node.set("role", s ? JsonValue(role_name(s->role)) : JsonValue());
    node.set("term", s ? JsonValue(s->term) : JsonValue());
    node.set("leader", s && s->leader_id ? JsonValue(s->leader_id) : JsonValue());
    node.set("commit_index", s ? JsonValue(s->commit_index) : JsonValue());
    node.set("last_applied", s ? JsonValue(s->last_applied) : JsonValue());
    node.set("last_index", s ? JsonValue(s->last_index) : JsonValue());
    node.set("pid", pid > 0 ? JsonValue(pid) : JsonValue());
    node.set("endpoint", n.endpoint);
    node.set("lag", lag ? JsonValue(*lag) : JsonValue());
    node.set("durability", s ? JsonValue(s->durability) : JsonValue());
    node.set("snapshot_index", s ? JsonValue(counter(*s, "snapshot.index")) : JsonValue());
    node.set("log_entries", s ? JsonValue(counter(*s, "log.entries")) : JsonValue());
    node.set("snapshots_installed",
             s ? JsonValue(counter(*s, "snapshot.installed")) : JsonValue());
    node.set("faults", s ? JsonValue(s->faults) : JsonValue());
    if (s && !s->faults.empty()) faults += "node " + std::to_string(n.id) + ": " + s->faults + "\n";
    if (state == "paused") faults += "node " + std::to_string(n.id) + ": paused (resume " + std::to_string(n.id) + ")\n";
    nodes.push(std::move(node));
  }
  JsonValue data = JsonValue::object();
  data.set("leader", view.leader ? JsonValue(view.leader) : JsonValue());
  data.set("term", view.term);
  data.set("nodes", std::move(nodes));
  if (leader) {
    data.set("members", members_json(*leader));
    data.set("membership_index", leader->membership_index);
  }
  std::string text = table.render(session.output().style());
  if (!view.leader) text += "no leader\n";
  if (!faults.empty()) text += session.output().style().paint("faults in force:", Colour::yellow) + "\n" + faults;
  return CommandResult::success(std::move(data), text);
}

CommandResult run_leader(Session& session, const Invocation&) {
  const auto view = session.wait_for_leader(session.options().timeout);
  if (!view) {
    const ClusterView& now = session.last_view();
    std::string message = "no leader after " + std::to_string(session.options().timeout.count()) + " ms";
    const auto down = now.down_ids();
    message += down.empty() ? " (every node is up; an election may be stuck, see status)"
                            : " (nodes down: " + join_ids(down) + " of " +
                                  std::to_string(now.nodes.size()) + ")";
    return CommandResult::failure("no_leader", message);
  }
  const NodeView* leader = view->node(view->leader);
  JsonValue data = JsonValue::object().set("leader", view->leader).set("term", view->term);
  data.set("endpoint", leader->endpoint);
  return CommandResult::success(std::move(data), "node " + std::to_string(view->leader) +
                                                     " is leader (term " +
                                                     std::to_string(view->term) + ", " +
                                                     leader->endpoint + ")");
}

}  // namespace meadow::shell

namespace meadow::shell {

CommandResult run_snapshot(Session& session, const Invocation& inv) {
  std::vector<std::uint64_t> ids;
  if (!inv.args.empty()) {
    CommandResult error;
    const auto id = session.parse_node_id("snapshot", inv.args[0], error);
    if (!id) return error;
    ids.push_back(*id);
  } else {
    for (const auto& n : session.refresh().nodes) ids.push_back(n.id);
  }
  JsonValue nodes = JsonValue::array();
  std::string text;
  bool any = false;
  for (std::uint64_t id : ids) {
    const auto done = session.client().snapshot(session.endpoint_index(id));
    JsonValue node = JsonValue::object().set("id", id);
    if (done.ok()) {
      any = true;
      node.set("snapshot_index", done.value.index);
      text += "node " + std::to_string(id) + ": snapshot at index " +
              std::to_string(done.value.index) + "\n";
    } else {
      node.set("snapshot_index", JsonValue());
      text += "node " + std::to_string(id) + ": no answer (" + done.message + ")\n";
    }
    nodes.push(std::move(node));
  }
  if (!any) return CommandResult::failure("unavailable", "no node took a snapshot:\n" + text);
  if (!text.empty()) text.pop_back();
  return CommandResult::success(JsonValue::object().set("nodes", std::move(nodes)), text);
}

}  // namespace meadow::shell
