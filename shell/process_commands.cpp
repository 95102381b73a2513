// Handlers for kill, stop, start, restart and logs: node processes named in the cluster
// manifest (LocalCluster). Each reports what it did in one line; kill/stop of the leader start
// the election clock the failover report uses.
#include <csignal>
#include <fstream>
#include <iostream>
#include <poll.h>
#include <unistd.h>

#include "shell/arg_split.h"
#include "shell/handlers.h"
#include "shell/process_control.h"
#include "shell/session.h"
#include "shell/signals.h"

namespace meadow::shell {
namespace {

/// The node id argument and the manifest-backed cluster, or an error result.
struct Target {
  LocalCluster* cluster = nullptr;
  std::uint64_t id = 0;
};

std::optional<Target> target(Session& session, const Invocation& inv, CommandResult& error) {
  const auto id = session.parse_node_id(inv.command, inv.args[0], error);
  if (!id) return std::nullopt;
  if (!session.cluster()) {
    error = CommandResult::failure(
        "needs_manifest", inv.command + " needs the cluster's manifest: use `meadow shell` or "
                                        "--attach DIR (not --connect)");
    return std::nullopt;
  }
  return Target{session.cluster(), *id};
}

/// Stops node t.id with `sig`; the data of the result says whether it was the leader.
CommandResult stop_node(Session& session, const Target& t, int sig, std::string_view verb) {
  const ClusterView& view = session.refresh();
  const std::string who = "node " + std::to_string(t.id);
  const std::int64_t pid = t.cluster->running_pid(t.id);
  if (pid == 0)
    return CommandResult::failure("not_running", who + " is not running (already down); `start " +
                                                     std::to_string(t.id) + "` starts it");
  const bool was_leader = view.leader == t.id;
  bool forced = false;
  std::string error;
  if (!t.cluster->stop(t.id, sig, session.options().stop_grace, forced, error))
    return CommandResult::failure("not_running", error);
  session.watch().node_stopped(t.id, LeaderWatch::Clock::now());
  JsonValue data = JsonValue::object().set("node", t.id).set("pid", pid).set("was_leader", was_leader);
  data.set("term", view.term);
  data.set("forced", forced);
  std::string text = who + " " + std::string(verb);
  if (was_leader) text += " (was leader, term " + std::to_string(view.term) + ")";
  if (forced)
    text += "; it ignored SIGTERM for " + std::to_string(session.options().stop_grace.count()) +
            " ms and was killed";
  return CommandResult::success(std::move(data), text);
}

/// Starts node t.id and waits until it answers (or exits, or the deadline passes).
CommandResult start_node(Session& session, const Target& t, std::string_view verb) {
  const std::string who = "node " + std::to_string(t.id);
  if (const auto pid = t.cluster->running_pid(t.id))
    return CommandResult::failure("already_running",
                                  who + " is already running (pid " + std::to_string(pid) + ")");
  std::string error;
  const auto pid = t.cluster->start(t.id, error);
  if (!pid) return CommandResult::failure("start_failed", error);
  session.watch().node_started(t.id);
  const auto until = std::chrono::steady_clock::now() + session.options().timeout;
  bool answered = false;
  while (!answered && std::chrono::steady_clock::now() < until) {
    const NodeView* n = session.refresh().node(t.id);
    if (n && n->status) {
      answered = true;
    } else if (!process_alive(*pid)) {
      const auto tail = t.cluster->log_tail(t.id, 1);
      return CommandResult::failure("start_failed",
                                    who + " exited while starting" +
                                        (tail.empty() ? "" : ": " + tail.back()));
    }
  }
  JsonValue data = JsonValue::object().set("node", t.id).set("pid", *pid).set("answering", answered);
  std::string text = who + " " + std::string(verb) + " (pid " + std::to_string(*pid) + ")";
  if (!answered) text += ", not answering yet";
  return CommandResult::success(std::move(data), text);
}

}  // namespace

CommandResult run_kill(Session& session, const Invocation& inv) {
  CommandResult error;
  const auto t = target(session, inv, error);
  return t ? stop_node(session, *t, SIGKILL, "killed") : error;
}

CommandResult run_stop(Session& session, const Invocation& inv) {
  CommandResult error;
  const auto t = target(session, inv, error);
  return t ? stop_node(session, *t, SIGTERM, "stopped") : error;
}

CommandResult run_start(Session& session, const Invocation& inv) {
  CommandResult error;
  const auto t = target(session, inv, error);
  return t ? start_node(session, *t, "started") : error;
}

CommandResult run_restart(Session& session, const Invocation& inv) {
  CommandResult error;
  const auto t = target(session, inv, error);
  if (!t) return error;
  if (t->cluster->running(t->id)) {
    CommandResult stopped = stop_node(session, *t, SIGTERM, "stopped");
    if (!stopped.ok) return stopped;
    if (const auto* was = stopped.data.get("was_leader"); was && was->dump() == "true")
      session.output().note(stopped.text);
  }
  return start_node(session, *t, "restarted");
}

CommandResult run_logs(Session& session, const Invocation& inv) {
  CommandResult error;
  const auto t = target(session, inv, error);
  if (!t) return error;
  std::size_t lines = 20;
  if (inv.has("--lines")) {
    const auto n = parse_count(inv.flags.at("--lines"), 1, 100000);
    if (!n) return CommandResult::failure("invalid_arguments", "logs: --lines must be a number from 1 to 100000");
    lines = *n;
  }
  const bool follow = inv.has("--follow");
  if (follow && !session.options().interactive)
    return CommandResult::failure("invalid_arguments",
                                  "logs --follow needs an interactive terminal; use `tail -f " +
                                      t->cluster->log_path(t->id) + "`");
  const auto tail = t->cluster->log_tail(t->id, lines);
  std::string text;
  JsonValue json_lines = JsonValue::array();
  for (const auto& line : tail) {
    text += line + "\n";
    json_lines.push(line);
  }
  JsonValue data = JsonValue::object().set("node", t->id).set("path", t->cluster->log_path(t->id));
  data.set("lines", std::move(json_lines));
  if (!follow) return CommandResult::success(std::move(data), text);

  // --follow: print what is there, then new lines as they are written, until Enter or Ctrl-C.
  Output& out = session.output();
  out.result("logs", CommandResult::success(std::move(data), text));
  out.note("(following " + t->cluster->log_path(t->id) + "; press Enter or Ctrl-C to stop)");
  std::ifstream in(t->cluster->log_path(t->id));
  in.seekg(0, std::ios::end);
  std::string partial;
  take_interrupt();
  for (;;) {
    pollfd stdin_fd{0, POLLIN, 0};
    const int ready = ::poll(&stdin_fd, 1, 200);
    if (take_interrupt() || quit_requested()) break;
    if (ready > 0) {
      std::string discard;
      std::getline(std::cin, discard);
      break;
    }
    in.clear();
    for (std::string chunk; std::getline(in, chunk);) {
      if (in.eof()) {  // no newline yet: keep it for the next round
        partial += chunk;
        break;
      }
      const std::string line = partial + chunk;
      partial.clear();
      out.event({"log", JsonValue::object().set("node", t->id).set("line", line), line});
    }
  }
  return CommandResult::success(JsonValue::object().set("node", t->id).set("followed", true),
                                "(stopped following node " + std::to_string(t->id) + ")");
}

}  // namespace meadow::shell
