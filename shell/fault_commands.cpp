// Handlers for the experiments: partition, isolate, heal, delay, drop, pause, resume and
// faults. Network faults are FaultRequests the nodes apply to their own peer traffic (no root,
// no iptables; a restart clears them); pause/resume are SIGSTOP/SIGCONT on the manifest's pid.
#include <csignal>
#include <thread>

#include "shell/fault_plan.h"
#include "shell/handlers.h"
#include "shell/process_control.h"
#include "shell/session.h"
#include "shell/text_table.h"

namespace meadow::shell {
namespace {

namespace wire = transport::wire;

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

/// Sends every request of `plan`; returns the nodes that could not be reached, or a failure if
/// a node refused its request.
std::optional<CommandResult> apply_plan(Session& session, const std::vector<NodeFault>& plan,
                                        std::vector<std::uint64_t>& unreachable) {
  for (const auto& step : plan) {
    if (session.cluster() && !session.cluster()->running(step.node)) {
      unreachable.push_back(step.node);
      continue;
    }
    const auto r = session.client().fault(session.endpoint_index(step.node), step.request);
    if (r.status == transport::ClientStatus::server_error)
      return CommandResult::failure("invalid_arguments",
                                    "node " + std::to_string(step.node) + " refused: " + r.message);
    if (!r.ok()) unreachable.push_back(step.node);
  }
  return std::nullopt;
}

/// Applies `plan` and builds the result: `what` is the one-line summary.
CommandResult fault_result(Session& session, const std::vector<NodeFault>& plan,
                           std::string what, JsonValue data) {
  std::vector<std::uint64_t> unreachable;
  if (auto failure = apply_plan(session, plan, unreachable)) return *failure;
  JsonValue missed = JsonValue::array();
  for (auto id : unreachable) missed.push(id);
  data.set("unreachable", std::move(missed));
  if (!unreachable.empty())
    what += "\n(node" + std::string(unreachable.size() > 1 ? "s " : " ") + join_ids(unreachable) +
            " did not take it: down, paused or not answering; the other side holds the fault)";
  session.note_fault(data, what);
  return CommandResult::success(std::move(data), what);
}

/// What the old leader's fate will be, when a fault cuts it off from the majority.
std::string leader_cut_off_note(const ClusterView& view, const Groups& groups) {
  if (!view.leader) return "";
  for (const auto& group : groups) {
    if (std::find(group.begin(), group.end(), view.leader) == group.end()) continue;
    if (group.size() * 2 > view.nodes.size()) {
      return "\nleader node " + std::to_string(view.leader) + " keeps a majority (" +
             join_ids(group) + ") and stays leader; the other side cannot elect one";
    }
    return "\nleader node " + std::to_string(view.leader) + " (term " + std::to_string(view.term) +
           ") is in a minority: its writes will time out, it steps down when it misses a "
           "majority (CheckQuorum), the majority elects a new leader, and after `heal` it "
           "catches up";
  }
  return "";
}

CommandResult run_groups(Session& session, const Groups& groups, const std::string& verb) {
  const ClusterView& view = session.refresh();
  JsonValue json_groups = JsonValue::array();
  for (const auto& g : groups) {
    JsonValue ids = JsonValue::array();
    for (auto id : g) ids.push(id);
    json_groups.push(std::move(ids));
  }
  JsonValue data = JsonValue::object().set("fault", verb).set("groups", std::move(json_groups));
  data.set("leader", view.leader ? JsonValue(view.leader) : JsonValue());
  const std::string text = verb + ": " + describe_groups(groups) + leader_cut_off_note(view, groups);
  return fault_result(session, plan_partition(groups), text, std::move(data));
}

std::optional<std::int64_t> manifest_pid(Session& session, const Invocation& inv,
                                         std::uint64_t& id, CommandResult& error) {
  const auto node = session.parse_node_id(inv.command, inv.args[0], error);
  if (!node) return std::nullopt;
  id = *node;
  if (!session.cluster()) {
    error = CommandResult::failure("needs_manifest", inv.command +
                                                         " needs the cluster's manifest: use "
                                                         "`meadow shell` or --attach DIR");
    return std::nullopt;
  }
  const std::int64_t pid = session.cluster()->running_pid(id);
  if (pid == 0) {
    error = CommandResult::failure("not_running", "node " + std::to_string(id) + " is not running");
    return std::nullopt;
  }
  return pid;
}

}  // namespace

CommandResult run_partition(Session& session, const Invocation& inv) {
  std::string error;
  const std::string text = joined(inv.args);
  if (inv.has("--oneway")) {
    const auto link = parse_oneway(text, session.node_ids(), error);
    if (!link) return CommandResult::failure("invalid_arguments", "partition --oneway: " + error);
    const auto [from, to] = *link;
    JsonValue data = JsonValue::object().set("fault", "oneway").set("from", from).set("to", to);
    return fault_result(session, plan_oneway(from, to),
                        "one-way partition: messages from node " + std::to_string(from) +
                            " to node " + std::to_string(to) + " are lost (" + std::to_string(to) +
                            " -> " + std::to_string(from) + " still flows)",
                        std::move(data));
  }
  const auto groups = parse_groups(text, session.node_ids(), error);
  if (!groups) return CommandResult::failure("invalid_arguments", "partition: " + error);
  return run_groups(session, *groups, "partition");
}

CommandResult run_isolate(Session& session, const Invocation& inv) {
  CommandResult error;
  const auto node = session.parse_node_id("isolate", inv.args[0], error);
  if (!node) return error;
  return run_groups(session, {{*node}, others(*node, session.node_ids())}, "isolate");
}

CommandResult run_heal(Session& session, const Invocation&) {
  const ClusterView before = session.refresh();
  CommandResult result =
      fault_result(session, plan_heal(session.node_ids()),
                   "healed: every node cleared its network faults (paused nodes stay paused)",
                   JsonValue::object().set("fault", "heal"));
  if (!result.ok) return result;
  // The failover report's last chapter: wait (up to the request deadline) until every node
  // follows one leader in its term and has applied its commit index, then say who rejoined.
  const auto until = std::chrono::steady_clock::now() + session.options().timeout;
  bool converged = false;
  ClusterView view;
  while (!converged && std::chrono::steady_clock::now() < until) {
    view = session.refresh();
    const NodeView* leader = view.node(view.leader);
    converged = leader && leader->status;
    for (const auto& n : view.nodes) {
      if (!n.status && (!n.up() || (n.pid > 0 && process_paused(n.pid)))) continue;  // not waited for
      converged = converged && n.status && n.status->term == view.term &&
                  n.status->leader_id == view.leader &&
                  n.status->last_applied == leader->status->commit_index;
    }
    if (!converged) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  JsonValue rejoined = JsonValue::array();
  std::string text;
  for (const auto& n : before.nodes) {
    if (!n.status || n.status->term >= view.term || !view.node(n.id) || !view.node(n.id)->status)
      continue;
    rejoined.push(n.id);
    text += "\nnode " + std::to_string(n.id) + " rejoined: term " + std::to_string(n.status->term) +
            " -> " + std::to_string(view.term);
    if (n.status->role == transport::wire::Role::leader)
      text += ", no longer leader (it led term " + std::to_string(n.status->term) + ")";
    text += ", follows node " + std::to_string(view.leader);
  }
  const NodeView* leader = view.node(view.leader);
  if (converged) {
    text += "\nevery running node follows node " + std::to_string(view.leader) + " (term " +
            std::to_string(view.term) + ") and applied index " +
            std::to_string(leader->status->commit_index);
  } else {
    text += "\nnot converged after " + std::to_string(session.options().timeout.count()) +
            " ms (see status)";
  }
  result.data.set("converged", converged).set("rejoined", std::move(rejoined));
  result.data.set("applied_index", converged ? JsonValue(leader->status->commit_index) : JsonValue());
  result.text += text;
  return result;
}

CommandResult run_delay(Session& session, const Invocation& inv) {
  CommandResult error;
  const auto node = session.parse_node_id("delay", inv.args[0], error);
  if (!node) return error;
  const auto delay = parse_duration(inv.args[1]);
  std::optional<std::chrono::milliseconds> jitter = std::chrono::milliseconds(0);
  const bool jitter_ok = inv.args.size() == 2 || (inv.args.size() == 4 && inv.args[2] == "jitter");
  if (jitter_ok && inv.args.size() == 4) jitter = parse_duration(inv.args[3]);
  if (!delay || !jitter || !jitter_ok)
    return CommandResult::failure("invalid_arguments",
                                  "delay: usage delay N 50ms [jitter 20ms] (durations in ms or s, "
                                  "at most 1 hour; delay N 0 removes it)");
  JsonValue data = JsonValue::object().set("fault", "delay").set("node", *node);
  data.set("delay_ms", static_cast<std::int64_t>(delay->count()));
  data.set("jitter_ms", static_cast<std::int64_t>(jitter->count()));
  std::string text = delay->count() == 0 && jitter->count() == 0
                         ? "node " + std::to_string(*node) + ": delay removed"
                         : "every message to or from node " + std::to_string(*node) + " waits " +
                               std::to_string(delay->count()) + " ms";
  if (jitter->count() != 0) text += " + up to " + std::to_string(jitter->count()) + " ms jitter";
  return fault_result(session, plan_delay(*node, session.node_ids(), *delay, *jitter), text,
                      std::move(data));
}

CommandResult run_drop(Session& session, const Invocation& inv) {
  CommandResult error;
  const auto node = session.parse_node_id("drop", inv.args[0], error);
  if (!node) return error;
  const auto percent = parse_percent(inv.args[1]);
  if (!percent)
    return CommandResult::failure("invalid_arguments",
                                  "drop: the share must be a percentage from 0% to 100%, not " +
                                      inv.args[1]);
  JsonValue data = JsonValue::object().set("fault", "drop").set("node", *node);
  data.set("percent", static_cast<std::uint64_t>(*percent));
  return fault_result(session, plan_drop(*node, *percent),
                      "node " + std::to_string(*node) + " loses " + std::to_string(*percent) +
                          "% of the messages it sends",
                      std::move(data));
}

CommandResult run_pause(Session& session, const Invocation& inv) {
  std::uint64_t id = 0;
  CommandResult error;
  if (!manifest_pid(session, inv, id, error)) return error;
  const bool pause = inv.command == "pause";
  const ClusterView& before = session.refresh();
  const bool was_leader = before.leader == id;
  // Look the pid up again right before signalling: refresh() polls every node (seconds if
  // some hang) and reaps ours that exited, so a pid read before it may belong to a stranger.
  const auto pid = manifest_pid(session, inv, id, error);
  if (!pid) return error;
  if (!send_signal(*pid, pause ? SIGSTOP : SIGCONT))
    return CommandResult::failure("not_running", "node " + std::to_string(id) + " is not running");
  JsonValue data = JsonValue::object().set("fault", inv.command).set("node", id).set("pid", *pid);
  data.set("was_leader", was_leader);
  std::string text = "node " + std::to_string(id) + (pause ? " paused (SIGSTOP)" : " resumed (SIGCONT)");
  if (pause && was_leader)
    text += "; it was leader (term " + std::to_string(before.term) +
            "): the others elect a new one, and when it resumes it learns the newer term and "
            "steps down";
  session.note_fault(data, text);
  return CommandResult::success(std::move(data), text);
}

CommandResult run_faults(Session& session, const Invocation&) {
  const ClusterView& view = session.refresh();
  TextTable table({"node", "state", "faults in force"});
  JsonValue nodes = JsonValue::array();
  bool any = false;
  for (const auto& n : view.nodes) {
    const bool paused = n.pid > 0 && process_paused(n.pid);
    std::string faults = n.status ? n.status->faults : "";
    const std::string state = paused ? "paused" : n.status ? "up" : n.up() ? "no reply" : "down";
    any = any || paused || !faults.empty();
    table.add_row({{std::to_string(n.id), {}},
                   {state, state == "up" ? std::optional<Colour>() : Colour::red},
                   {n.status ? (faults.empty() ? "none" : faults) : "?",
                    faults.empty() ? std::optional<Colour>() : Colour::yellow}});
    JsonValue node = JsonValue::object().set("id", n.id).set("state", state).set("paused", paused);
    node.set("faults", n.status ? JsonValue(faults) : JsonValue());
    nodes.push(std::move(node));
  }
  std::string text = table.render(session.output().style());
  if (!any) text += "no faults in force\n";
  return CommandResult::success(JsonValue::object().set("nodes", std::move(nodes)), text);
}

}  // namespace meadow::shell
