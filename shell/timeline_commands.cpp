// Handlers for timeline (watch), events and load: the cluster's story as it happens — leader
// changes, elections, commits per second, nodes down/up, faults applied, the background load's
// throughput — stamped with the time since the shell started.
#include <cstdio>
#include <iostream>
#include <poll.h>
#include <thread>

#include "shell/arg_split.h"
#include "shell/fault_plan.h"
#include "shell/handlers.h"
#include "shell/session.h"
#include "shell/signals.h"

namespace meadow::shell {
namespace {

using Clock = std::chrono::steady_clock;

std::string stamp(std::chrono::milliseconds at) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%.3fs", static_cast<double>(at.count()) / 1000.0);
  return buf;
}

/// `event` with its time: "at_ms" in JSON, "+12.345s " before the text.
Event stamped(const Event& event, std::chrono::milliseconds at) {
  JsonValue data = event.data.is_null() ? JsonValue::object() : event.data;
  data.set("at_ms", static_cast<std::int64_t>(at.count()));
  return {event.kind, std::move(data), stamp(at) + "  " + event.text};
}

/// True once the person at the terminal pressed Enter (the line is consumed).
bool key_pressed() {
  pollfd in{0, POLLIN, 0};
  if (::poll(&in, 1, 0) <= 0) return false;
  std::string discard;
  std::getline(std::cin, discard);
  return true;
}

}  // namespace

CommandResult run_timeline(Session& session, const Invocation& inv) {
  std::optional<std::chrono::milliseconds> duration;
  if (!inv.args.empty()) {
    duration = parse_duration(inv.args[0]);
    if (!duration)
      return CommandResult::failure("invalid_arguments", inv.command + ": bad duration " + inv.args[0]);
  } else if (!session.options().interactive) {
    return CommandResult::failure("invalid_arguments",
                                  inv.command + " in a script needs a duration, e.g. " +
                                      inv.command + " 5s (it would never end)");
  }
  Output& out = session.output();
  if (session.options().interactive)
    out.note(duration ? "(watching for " + std::to_string(duration->count()) +
                            " ms; Enter or Ctrl-C stops)"
                      : "(watching; press Enter or Ctrl-C to stop)");
  const auto started = Clock::now();
  auto next_load = started + std::chrono::seconds(1);
  if (session.load()) session.load()->take();  // count from now
  std::size_t shown = 0;
  take_interrupt();
  for (;;) {
    std::vector<Event> events = session.poll_events(/*details=*/true);
    const auto now = Clock::now();
    if (LoadGenerator* load = session.load(); load && now >= next_load) {
      const auto counts = load->take();
      events.push_back({"load",
                        JsonValue::object().set("ok", counts.ok).set("errors", counts.errors),
                        "load: " + std::to_string(counts.ok) + " writes/s ok, " +
                            std::to_string(counts.errors) + " errors/s"});
      next_load = now + std::chrono::seconds(1);
    }
    for (const auto& e : events) {
      session.record(e);
      out.event(stamped(e, session.elapsed()));
      ++shown;
    }
    if (take_interrupt() || quit_requested()) break;
    if (duration && now - started >= *duration) break;
    if (session.options().interactive && key_pressed()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(
        session.watch().election_in_progress() ? 25 : 100));
  }
  const auto watched = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  return CommandResult::success(
      JsonValue::object().set("watched_ms", static_cast<std::int64_t>(watched.count())).set("events", shown),
      "(" + std::to_string(shown) + " events in " + std::to_string(watched.count()) + " ms)");
}

CommandResult run_events(Session& session, const Invocation& inv) {
  std::size_t last = 20;
  if (inv.has("--last")) {
    const auto n = parse_count(inv.flags.at("--last"), 1, Session::kHistoryLimit);
    if (!n)
      return CommandResult::failure("invalid_arguments", "events: --last must be a number from 1 to " +
                                                             std::to_string(Session::kHistoryLimit));
    last = *n;
  }
  session.refresh();  // what happened up to now
  const auto& history = session.history();
  const std::size_t from = history.size() > last ? history.size() - last : 0;
  JsonValue events = JsonValue::array();
  std::string text;
  for (std::size_t i = from; i < history.size(); ++i) {
    const Event e = stamped(history[i].event, history[i].at);
    JsonValue item = JsonValue::object().set("event", e.kind);
    if (const auto* members = e.data.members())
      for (const auto& [key, value] : *members) item.set(key, value);
    events.push(std::move(item));
    text += e.text + "\n";
  }
  if (history.empty()) text = "(no events yet)\n";
  return CommandResult::success(JsonValue::object().set("events", std::move(events)), text);
}

CommandResult run_load(Session& session, const Invocation& inv) {
  const std::string& what = inv.args[0];
  if (what == "start") {
    if (session.load())
      return CommandResult::failure("already_running", "load is already running at " +
                                                           std::to_string(session.load()->rate()) +
                                                           " writes/s; load stop first");
    std::uint32_t rate = 50;
    if (inv.args.size() == 2) {
      const auto n = parse_count(inv.args[1], 1, 10000);
      if (!n) return CommandResult::failure("invalid_arguments", "load: the rate is writes per second, 1 to 10000");
      rate = static_cast<std::uint32_t>(*n);
    }
    session.start_load(rate);
    session.record({"load_started", JsonValue::object().set("rate", static_cast<std::uint64_t>(rate)),
                    "load started: " + std::to_string(rate) + " writes/s"});
    return CommandResult::success(JsonValue::object().set("rate", static_cast<std::uint64_t>(rate)),
                                  "load started: " + std::to_string(rate) +
                                      " writes/s to keys load/N (timeline shows ok/errors per second)");
  }
  if (what == "stop" && inv.args.size() == 1) {
    if (!session.load())
      return CommandResult::failure("not_running", "no load is running (load start [RATE])");
    const auto totals = session.stop_load();
    const std::string text = "load stopped: " + std::to_string(totals.ok) + " writes ok, " +
                             std::to_string(totals.errors) + " errors";
    session.record({"load_stopped", JsonValue::object().set("ok", totals.ok).set("errors", totals.errors), text});
    return CommandResult::success(JsonValue::object().set("ok", totals.ok).set("errors", totals.errors), text);
  }
  return CommandResult::failure("invalid_arguments", "load: usage load start [RATE] | load stop");
}

}  // namespace meadow::shell
