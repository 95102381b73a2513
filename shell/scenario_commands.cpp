// Handlers for scenario scripts: expect (an assertion, retried until `within`), wait leader and
// sleep. A failed expect says what was seen; in a script it also ends the run (exit code 1),
// since the lines after it assume it held.
#include <thread>

#include "shell/arg_split.h"
#include "shell/expectation.h"
#include "shell/fault_plan.h"
#include "shell/handlers.h"
#include "shell/process_control.h"
#include "shell/session.h"

namespace meadow::shell {
namespace {

namespace wire = transport::wire;
using Clock = std::chrono::steady_clock;

/// One check: whether it held, and what was seen (one line).
struct Check {
  bool held = false;
  std::string seen;
};

bool compare(const Expectation& e, const std::string& actual) {
  return (actual == e.value) == e.equal;
}

std::string field_of(const NodeView& n, const std::string& field) {
  const bool paused = n.pid > 0 && process_paused(n.pid);
  if (field == "state") return paused ? "paused" : n.status ? "up" : n.up() ? "no reply" : "down";
  if (!n.status) return "(no reply)";
  const auto& s = *n.status;
  if (field == "role") return role_name(s.role);
  if (field == "term") return std::to_string(s.term);
  if (field == "leader") return s.leader_id ? std::to_string(s.leader_id) : "none";
  if (field == "commit_index") return std::to_string(s.commit_index);
  if (field == "last_applied") return std::to_string(s.last_applied);
  if (field == "last_index") return std::to_string(s.last_index);
  if (field == "faults") return s.faults.empty() ? "none" : s.faults;
  return "?";
}

Check check_once(Session& session, const Expectation& e, std::uint64_t node) {
  switch (e.kind) {
    case Expectation::Kind::leader: {
      const ClusterView& view = session.refresh();
      const std::string leader = view.leader ? std::to_string(view.leader) : "none";
      // `leader != 1` means another node leads: no leader at all does not satisfy it (only
      // `!= none` asks for "any leader").
      const bool held = compare(e, leader) && (e.equal || e.value == "none" || view.leader != 0);
      return {held,
              view.leader ? "leader " + leader + " (term " + std::to_string(view.term) + ")"
                          : "no leader"};
    }
    case Expectation::Kind::get: {
      const auto r = session.client().get(e.subject);
      if (r.ok()) return {compare(e, r.value.value), "value " + quote_arg(r.value.value)};
      if (r.status == transport::ClientStatus::not_found) return {compare(e, "missing"), "missing"};
      return {false, "error: " + r.message};
    }
    case Expectation::Kind::status: {
      const ClusterView& view = session.refresh();
      const NodeView* n = view.node(node);
      const std::string actual = n ? field_of(*n, e.subject) : "?";
      return {compare(e, actual), "node " + std::to_string(node) + " " + e.subject + " " + actual};
    }
    case Expectation::Kind::converged: {
      const ClusterView& view = session.refresh();
      const NodeView* leader = view.node(view.leader);
      if (!leader || !leader->status) return {false, "no leader"};
      std::string seen = "leader " + std::to_string(view.leader) + " commit " +
                         std::to_string(leader->status->commit_index) + "; applied:";
      bool held = true;
      for (const auto& n : view.nodes) {
        seen += " " + std::to_string(n.id) + "=" +
                (n.status ? std::to_string(n.status->last_applied) : std::string("?"));
        held = held && n.status && n.status->last_applied == leader->status->commit_index &&
               n.status->leader_id == view.leader;
      }
      return {held, seen};
    }
    case Expectation::Kind::fails: break;
  }
  return {false, "?"};
}

}  // namespace

CommandResult run_expect(Session& session, const Invocation& inv) {
  std::string error;
  const auto e = parse_expectation(inv.args, error);
  if (!e) return CommandResult::failure("invalid_arguments", error);
  std::uint64_t node = 0;
  if (e->kind == Expectation::Kind::status) {
    CommandResult bad;
    const auto id = session.parse_node_id("expect status", e->node, bad);
    if (!id) return bad;
    node = *id;
  }
  const auto started = Clock::now();
  Check check;
  if (e->kind == Expectation::Kind::fails) {
    const CommandResult r = session.dispatch(e->command);
    // A typo or a usage error is a broken script, not the failure the script expects.
    if (!r.ok && (r.error_code == "unknown_command" || r.error_code == "invalid_arguments" ||
                  r.error_code == "syntax_error"))
      return CommandResult::failure(r.error_code, "expect fails: the command itself is wrong: " +
                                                      r.message);
    check = {!r.ok, r.ok ? "it succeeded: " + r.text : "it failed: " + r.message};
  } else {
    for (;;) {
      check = check_once(session, *e, node);
      if (check.held || Clock::now() - started >= e->within) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  if (!check.held) {
    CommandResult failure =
        CommandResult::failure("expectation_failed", "expect " + e->text + ": saw " + check.seen);
    failure.exit = !session.options().interactive;  // a script stops at its first failed expect
    return failure;
  }
  JsonValue data = JsonValue::object().set("expectation", e->text).set("seen", check.seen);
  data.set("waited_ms", static_cast<std::int64_t>(waited));
  return CommandResult::success(std::move(data), "ok: " + check.seen);
}

CommandResult run_wait(Session& session, const Invocation& inv) {
  if (inv.args[0] != "leader")
    return CommandResult::failure("invalid_arguments", "wait: usage wait leader [DURATION]");
  auto deadline = session.options().timeout;
  if (inv.args.size() == 2) {
    const auto d = parse_duration(inv.args[1]);
    if (!d) return CommandResult::failure("invalid_arguments", "wait: bad duration " + quote_arg(inv.args[1]));
    deadline = *d;
  }
  const auto view = session.wait_for_leader(deadline);
  if (!view) {
    CommandResult failure = CommandResult::failure(
        "no_leader", "no leader within " + std::to_string(deadline.count()) + " ms");
    failure.exit = !session.options().interactive;
    return failure;
  }
  return CommandResult::success(
      JsonValue::object().set("leader", view->leader).set("term", view->term),
      "leader " + std::to_string(view->leader) + " (term " + std::to_string(view->term) + ")");
}

CommandResult run_sleep(Session& session, const Invocation& inv) {
  const auto d = parse_duration(inv.args[0]);
  if (!d) return CommandResult::failure("invalid_arguments", "sleep: bad duration " + quote_arg(inv.args[0]) + " (e.g. 500ms, 2s)");
  // Keep watching while sleeping, so elections during the pause are reported as they happen.
  const auto until = Clock::now() + *d;
  while (Clock::now() < until) {
    session.refresh();
    std::this_thread::sleep_until(std::min(until, Clock::now() + std::chrono::milliseconds(100)));
  }
  return CommandResult::success(
      JsonValue::object().set("slept_ms", static_cast<std::int64_t>(d->count())), "");
}

}  // namespace meadow::shell

namespace meadow::shell {

CommandResult run_set(Session& session, const Invocation& inv) {
  const std::string& name = inv.args[0];
  bool valid = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name)
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  if (!valid)
    return CommandResult::failure("invalid_arguments",
                                  "set: a name is letters, digits and _, not " + quote_arg(name));
  std::string value = inv.args[1];
  if (value == "leader" || value == "follower") {
    const auto view = session.wait_for_leader(session.options().timeout);
    if (!view) return CommandResult::failure("no_leader", "set: there is no leader to name");
    std::uint64_t id = view->leader;
    if (value == "follower") {
      id = 0;
      for (const auto& n : view->nodes)
        if (n.id != view->leader && n.status) {
          id = n.id;
          break;
        }
      if (!id) return CommandResult::failure("no_follower", "set: no follower answers");
    }
    value = std::to_string(id);
  }
  session.set_variable(name, value);
  return CommandResult::success(JsonValue::object().set("name", name).set("value", value),
                                "$" + name + " = " + value);
}

}  // namespace meadow::shell
