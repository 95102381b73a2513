// Handlers for add-node and remove-node: growing and shrinking a running local cluster one
// server at a time (Raft thesis §4.1). The shell launches or stops the process and keeps the
// manifest in step with the configuration; the leader decides (MembershipRequest). Each step is
// reported as an event when it happens; a failure leaves a manifest that matches what the
// cluster uses.
#include <algorithm>
#include <csignal>
#include <thread>

#include "shell/cluster_setup.h"
#include "shell/handlers.h"
#include "shell/process_control.h"
#include "shell/session.h"
#include "transport/describe.h"

namespace meadow::shell {
namespace {

namespace wire = transport::wire;
using Clock = std::chrono::steady_clock;

/// How long a new learner may take to catch up before add-node gives up on promoting it: a
/// long log or a slow disk takes a while, and nothing is lost by waiting.
constexpr std::chrono::seconds kCatchUpDeadline{60};
/// How long a change may wait for a leader that can make it (retrying the request).
constexpr std::chrono::seconds kChangeDeadline{10};
/// Between two polls of a condition; the nodes push nothing to the shell.
constexpr std::chrono::milliseconds kPollPause{20};

CommandResult no_leader(Session& session, std::string_view command) {
  return CommandResult::failure("no_leader", std::string(command) + ": no leader within " +
                                                 std::to_string(session.options().timeout.count()) +
                                                 " ms; a membership change needs one");
}

CommandResult needs_manifest(std::string_view command) {
  return CommandResult::failure("needs_manifest",
                                std::string(command) +
                                    " needs the cluster's manifest: use `meadow shell` or "
                                    "--attach DIR (not --connect)");
}

/// Prints and records one step of a change as event `membership` (`step` names it).
void report_step(Session& session, std::uint64_t node, std::string_view step, JsonValue data,
                 std::string text) {
  JsonValue event = JsonValue::object().set("node", node).set("step", std::string(step));
  if (const auto* members = data.members())
    for (const auto& [key, value] : *members) event.set(key, value);
  session.report({{"membership", std::move(event), std::move(text)}});
}

/// The outcome of one MembershipRequest, retried while a new leader cannot take changes yet.
struct ChangeOutcome {
  bool ok = false;
  std::uint64_t index = 0;     ///< the configuration entry, when ok
  bool refused = false;        ///< the leader answered ErrorReply (`code`, `message`)
  wire::ErrorCode code = wire::ErrorCode::internal;
  std::string message;         ///< the node's or the client's words
};

ChangeOutcome change_membership(Session& session, wire::MembershipRequest request) {
  ChangeOutcome out;
  // A leader removing itself hands over first, and the new one must commit an entry of its
  // term before it takes a change: allow for an election even with a short --timeout.
  const auto until = Clock::now() + std::max<std::chrono::milliseconds>(
                                        session.options().timeout, kChangeDeadline);
  for (;;) {
    const transport::Completion c = session.client().call(request);
    if (c.status == transport::ClientStatus::deadline_exceeded && Clock::now() < until)
      continue;  // the same request again: one already in effect is answered Ok at once
    if (c.reply) {
      if (const auto* ok = std::get_if<wire::OkReply>(&*c.reply)) {
        out.ok = true;
        out.index = ok->index;
        return out;
      }
      if (const auto* e = std::get_if<wire::ErrorReply>(&*c.reply)) {
        // unavailable: a new leader has not committed an entry of its term yet (the 2015
        // single-server change fix); it takes changes a moment later.
        if (e->code == wire::ErrorCode::unavailable && Clock::now() < until) {
          std::this_thread::sleep_for(kPollPause);
          continue;
        }
        out.refused = true;
        out.code = e->code;
        out.message = e->message;
        return out;
      }
    }
    out.message = c.message.empty() ? "unexpected reply" : c.message;
    return out;
  }
}

/// The failure for a change that did not go through.
CommandResult change_failure(Session& session, const std::string& what,
                             const ChangeOutcome& outcome) {
  if (outcome.refused)
    return CommandResult::failure(wire::error_name(outcome.code), what + ": " + outcome.message);
  return session.deadline_error(what, outcome.message);
}

/// The status of the node that leads now (polling until one does, up to the request timeout).
std::optional<wire::StatusReply> leader_status(Session& session) {
  const auto view = session.wait_for_leader(session.options().timeout, {}, false);
  if (!view) return std::nullopt;
  const NodeView* leader = view->node(view->leader);
  if (!leader || !leader->status) return std::nullopt;
  return leader->status;
}

const wire::MemberInfo* find_member(const wire::StatusReply& status, std::uint64_t id) {
  for (const auto& m : status.members)
    if (m.id == id) return &m;
  return nullptr;
}

std::string voters_text(const wire::StatusReply& status) {
  const Members members = members_of(status);
  std::string text = "voters " + join_ids(members.voters);
  if (!members.learners.empty()) text += ", learners " + join_ids(members.learners);
  return text;
}

/// Stops node `id` if it runs (SIGTERM, SIGKILL after the grace period); returns its pid or 0.
std::int64_t stop_if_running(Session& session, std::uint64_t id) {
  LocalCluster& cluster = *session.cluster();
  const std::int64_t pid = cluster.running_pid(id);
  bool forced = false;
  std::string ignored;
  if (pid) cluster.stop(id, SIGTERM, session.options().stop_grace, forced, ignored);
  return pid;
}

/// Takes node `id` out of the manifest and the session's node list.
bool forget_node(Session& session, std::uint64_t id, std::string& error) {
  const bool ok = session.cluster()->update_manifest(
      [id](transport::Manifest& m) {
        m.nodes.erase(std::remove_if(m.nodes.begin(), m.nodes.end(),
                                     [id](const auto& n) { return n.id == id; }),
                      m.nodes.end());
      },
      error);
  session.reload_nodes();
  return ok;
}

/// Undoes a started add-node whose node is not in the configuration: stop it, forget it.
CommandResult abandon(Session& session, std::uint64_t id, CommandResult failure) {
  stop_if_running(session, id);
  std::string error;
  failure.message += forget_node(session, id, error)
                         ? "; node " + std::to_string(id) +
                               " was stopped and left out of the manifest (its directory stays)"
                         : "; and the manifest could not be updated: " + error;
  return failure;
}

/// Waits until node `id`'s process answers a status request; false if it exits or the deadline
/// passes.
bool wait_answering(Session& session, std::uint64_t id, std::int64_t pid) {
  const auto until = Clock::now() + session.options().timeout;
  while (Clock::now() < until) {
    if (session.client().status(session.endpoint_index(id)).ok()) return true;
    if (!process_alive(pid)) return false;
    std::this_thread::sleep_for(kPollPause);
  }
  return false;
}

/// Polls the leader until its match index for `id` reaches `target`; the match seen last.
std::uint64_t wait_caught_up(Session& session, std::uint64_t id, std::uint64_t target) {
  const auto until = Clock::now() + std::max<std::chrono::milliseconds>(kCatchUpDeadline,
                                                                         session.options().timeout);
  std::uint64_t match = 0;
  while (Clock::now() < until) {
    if (const auto status = leader_status(session)) {
      for (const auto& peer : status->peers)
        if (peer.id == id) match = peer.match_index;
      if (match >= target) return match;
    }
    std::this_thread::sleep_for(kPollPause);
  }
  return match;
}

std::string seconds(Clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

CommandResult run_add_node(Session& session, const Invocation& inv) {
  if (!session.cluster()) return needs_manifest("add-node");
  const bool learner_only = inv.has("--learner");
  if (!leader_status(session)) return no_leader(session, "add-node");
  std::string error;
  const auto node = add_node_entry(*session.cluster(), error);
  if (!node) return CommandResult::failure("start_failed", "add-node: " + error);
  const std::uint64_t id = node->id;
  const std::string who = "node " + std::to_string(id);
  session.reload_nodes();

  // 1. The process, started with --join: it waits, silent, until the leader contacts it.
  const auto pid = session.cluster()->start(id, error);
  if (!pid)
    return abandon(session, id, CommandResult::failure("start_failed", "add-node: " + error));
  session.watch().node_started(id);
  if (!wait_answering(session, id, *pid)) {
    // The reason is the last line of its log that is not CLI11's "Run with --help" hint.
    std::string reason;
    for (const auto& line : session.cluster()->log_tail(id, 3))
      if (!line.empty() && line.rfind("Run with --help", 0) != 0) reason = line;
    if (!reason.empty()) reason = ": " + reason;
    const std::string message = "add-node: " + who + " did not start" + reason;
    return abandon(session, id, CommandResult::failure("start_failed", message));
  }
  report_step(session, id, "launched",
              JsonValue::object().set("pid", *pid).set("raft_endpoint", node->raft_endpoint)
                  .set("client_endpoint", node->client_endpoint),
              who + " launched (pid " + std::to_string(*pid) + ", " + node->client_endpoint + ")");

  // 2. A learner: it receives the log but neither votes nor counts toward a quorum.
  wire::MembershipRequest request;
  request.action = wire::MembershipAction::add_learner;
  request.node = id;
  request.raft_endpoint = node->raft_endpoint;
  request.client_endpoint = node->client_endpoint;
  const ChangeOutcome added = change_membership(session, request);
  if (!added.ok) {
    // A timeout leaves the outcome open: keep the node if the leader already uses it.
    const auto status = added.refused ? std::nullopt : leader_status(session);
    if (!status || !find_member(*status, id))
      return abandon(session, id,
                     change_failure(session, "add-node: adding " + who + " as a learner", added));
  }
  report_step(session, id, "learner", JsonValue::object().set("index", added.index),
              who + " added as learner" +
                  (added.ok ? " at index " + std::to_string(added.index) : std::string()));

  // 3. Catching up: to what the leader had committed once the learner was in.
  const auto before = leader_status(session);
  const std::uint64_t target = before ? before->commit_index : added.index;
  const auto catch_up_started = Clock::now();
  const std::uint64_t match = wait_caught_up(session, id, target);
  const auto took = Clock::now() - catch_up_started;
  JsonValue data = JsonValue::object().set("node", id).set("pid", *pid);
  data.set("raft_endpoint", node->raft_endpoint).set("client_endpoint", node->client_endpoint);
  data.set("learner_index", added.index);
  if (match < target)
    return CommandResult::failure(
        "timeout", "add-node: " + who + " is a learner but did not catch up within " +
                       std::to_string(kCatchUpDeadline.count()) + " s (match index " +
                       std::to_string(match) + " of " + std::to_string(target) +
                       "); it stays a learner: see `logs " + std::to_string(id) +
                       "`, or `remove-node " + std::to_string(id) + "`");
  const auto catch_up_ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  data.set("catch_up_ms", static_cast<std::int64_t>(catch_up_ms)).set("caught_up_to", target);
  report_step(session, id, "caught_up",
              JsonValue::object().set("catch_up_ms", static_cast<std::int64_t>(catch_up_ms))
                  .set("entries", target),
              who + " caught up in " + seconds(took) + " (" + std::to_string(target) +
                  " entries)");

  // 4. A voter, unless asked to stay a learner.
  std::string text = who + " joined as a learner";
  if (!learner_only) {
    request.action = wire::MembershipAction::promote;
    request.raft_endpoint.clear();
    request.client_endpoint.clear();
    const ChangeOutcome promoted = change_membership(session, request);
    if (!promoted.ok) {
      CommandResult failure = change_failure(session, "add-node: promoting " + who, promoted);
      failure.message += "; it stays a learner";
      return failure;
    }
    if (!session.cluster()->update_manifest(
            [id](transport::Manifest& m) { m.find(id)->voter = true; }, error))
      return CommandResult::failure("internal", "add-node: " + who +
                                                    " is a voter but the manifest could not be "
                                                    "updated: " + error);
    data.set("voter_index", promoted.index);
    report_step(session, id, "promoted", JsonValue::object().set("index", promoted.index),
                who + " promoted to voter at index " + std::to_string(promoted.index));
    text = who + " joined as a voter";
  }
  data.set("voter", !learner_only);
  if (const auto after = leader_status(session)) {
    text += " (" + voters_text(*after) + ")";
    data.set("members", members_json(*after));
  }
  session.reload_nodes();
  return CommandResult::success(std::move(data), text);
}

CommandResult run_remove_node(Session& session, const Invocation& inv) {
  CommandResult error_result;
  const auto id = session.parse_node_id("remove-node", inv.args[0], error_result);
  if (!id) return error_result;
  if (!session.cluster()) return needs_manifest("remove-node");
  const std::string who = "node " + std::to_string(*id);
  const auto before = leader_status(session);
  if (!before) return no_leader(session, "remove-node");
  const bool was_leader = before->node_id == *id;

  wire::MembershipRequest request;
  request.action = wire::MembershipAction::remove;
  request.node = *id;
  // A leader asked to remove itself hands leadership to another voter and answers not-leader;
  // the client follows that hint to the new leader, which makes the change.
  const ChangeOutcome removed = change_membership(session, request);
  if (!removed.ok && removed.refused && removed.code == wire::ErrorCode::invalid_request &&
      !find_member(*before, *id)) {
    // Only the manifest still names it (an add-node that stopped half-way): tidy that up.
    const std::int64_t pid = stop_if_running(session, *id);
    std::string error;
    if (!forget_node(session, *id, error))
      return CommandResult::failure("internal", "remove-node: " + error);
    JsonValue data = JsonValue::object().set("node", *id).set("index", JsonValue());
    data.set("was_leader", false).set("pid", pid ? JsonValue(pid) : JsonValue());
    data.set("members", members_json(*before));
    return CommandResult::success(std::move(data),
                                  who + " was not in the configuration (" + voters_text(*before) +
                                      "); left out of the manifest" +
                                      (pid ? ", process stopped (pid " + std::to_string(pid) + ")"
                                           : std::string()));
  }
  if (!removed.ok) return change_failure(session, "remove-node: removing " + who, removed);

  JsonValue data = JsonValue::object().set("node", *id).set("index", removed.index);
  data.set("was_leader", was_leader);
  std::string text;
  const auto after = leader_status(session);
  if (was_leader) {
    const std::uint64_t now_leading = after ? after->node_id : 0;
    const JsonValue successor = now_leading ? JsonValue(now_leading) : JsonValue();
    data.set("new_leader", successor);
    report_step(session, *id, "leader_moved", JsonValue::object().set("new_leader", successor),
                "leadership moved to " +
                    (now_leading ? "node " + std::to_string(now_leading) : "another node") +
                    " first");
  }
  report_step(session, *id, "removed", JsonValue::object().set("index", removed.index),
              who + " removed from the configuration at index " + std::to_string(removed.index));

  // It is out of the configuration: its process only wastes a port now. A node that applied
  // its own removal may have exited on its own already.
  const std::int64_t pid = stop_if_running(session, *id);
  data.set("pid", pid ? JsonValue(pid) : JsonValue());
  std::string error;
  if (!forget_node(session, *id, error))
    return CommandResult::failure("internal", "remove-node: " + who +
                                                  " was removed but the manifest could not be "
                                                  "updated: " + error);
  text += who + " removed at index " + std::to_string(removed.index);
  text += pid ? ", process stopped (pid " + std::to_string(pid) + ")" : ", it had exited on its own";
  if (after) {
    text += " (" + voters_text(*after) + ")";
    data.set("members", members_json(*after));
  }
  return CommandResult::success(std::move(data), text);
}

}  // namespace meadow::shell
