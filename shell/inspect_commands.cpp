// Handlers for transfer-leader, log and sql: requests to one node that show or steer Raft's
// inner state — leadership handed over on purpose, the logs of several nodes side by side with
// their commit/applied marks and divergence, and read-only SQL on a node's own database.
#include <algorithm>
#include <map>
#include <thread>

#include "shell/arg_split.h"
#include "shell/handlers.h"
#include "shell/process_control.h"
#include "shell/session.h"
#include "shell/text_table.h"

namespace meadow::shell {
namespace {

namespace wire = transport::wire;
using Clock = std::chrono::steady_clock;

/// A request to node `id` only; an error result names what went wrong.
std::optional<wire::Reply> ask(Session& session, std::uint64_t id, wire::Request request,
                               CommandResult& error) {
  const std::string who = "node " + std::to_string(id);
  if (session.cluster()) {
    const auto pid = session.cluster()->running_pid(id);
    if (pid == 0) {
      error = CommandResult::failure("unavailable", who + " is down");
      return std::nullopt;
    }
    if (process_paused(pid)) {
      error = CommandResult::failure("unavailable", who + " is paused (resume " + std::to_string(id) + ")");
      return std::nullopt;
    }
  }
  const auto c = session.client().call(std::move(request), session.endpoint_index(id));
  if (!c.reply) {
    error = CommandResult::failure("unavailable", who + " did not answer: " + c.message);
    return std::nullopt;
  }
  if (const auto* e = std::get_if<wire::ErrorReply>(&*c.reply)) {
    error = CommandResult::failure(e->code == wire::ErrorCode::busy ? "busy" : "invalid_request",
                                   who + ": " + e->message);
    return std::nullopt;
  }
  return c.reply;
}

std::string cut(const std::string& text, std::size_t width) {
  return text.size() <= width ? text : text.substr(0, width - 3) + "...";
}

}  // namespace

CommandResult run_transfer_leader(Session& session, const Invocation& inv) {
  CommandResult error;
  const auto target = session.parse_node_id("transfer-leader", inv.args[0], error);
  if (!target) return error;
  const auto before = session.wait_for_leader(session.options().timeout);
  if (!before) return CommandResult::failure("no_leader", "transfer-leader: there is no leader");
  const std::uint64_t from = before->leader;
  JsonValue data = JsonValue::object().set("from", from).set("to", *target);
  if (from == *target) {
    data.set("term", before->term).set("transfer_ms", 0);
    return CommandResult::success(std::move(data), "node " + std::to_string(from) + " is already leader");
  }
  const auto reply = ask(session, from, wire::TransferLeaderRequest{0, *target}, error);
  if (!reply) return error;
  if (const auto* nl = std::get_if<wire::NotLeaderReply>(&*reply))
    return CommandResult::failure("not_leader", "node " + std::to_string(from) +
                                                    " stopped leading before the transfer (leader now " +
                                                    std::to_string(nl->leader_id) + "); try again");
  const auto started = Clock::now();
  for (;;) {
    const ClusterView& view = session.refresh();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    if (view.leader == *target) {
      data.set("term", view.term).set("transfer_ms", static_cast<std::int64_t>(ms.count()));
      return CommandResult::success(
          std::move(data), "node " + std::to_string(*target) + " is leader (term " +
                               std::to_string(view.term) + "), taken over from node " +
                               std::to_string(from) + " in " + std::to_string(ms.count()) + " ms");
    }
    if (ms >= session.options().timeout)
      return CommandResult::failure(
          "transfer_failed",
          "node " + std::to_string(*target) + " did not take over within " +
              std::to_string(ms.count()) + " ms (leader now: " +
              (view.leader ? std::to_string(view.leader) : std::string("none")) +
              "); a target that is down, cut off or far behind cannot catch up in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

CommandResult run_log(Session& session, const Invocation& inv) {
  std::vector<std::uint64_t> ids;
  for (const auto& arg : inv.args) {
    CommandResult error;
    const auto id = session.parse_node_id("log", arg, error);
    if (!id) return error;
    ids.push_back(*id);
  }
  if (ids.empty()) ids = session.node_ids();
  std::uint32_t last = 10;
  if (inv.has("--last")) {
    const auto n = parse_count(inv.flags.at("--last"), 1, 1000);
    if (!n) return CommandResult::failure("invalid_arguments", "log: --last must be a number from 1 to 1000");
    last = static_cast<std::uint32_t>(*n);
  }
  // One window of indexes for every node: the last K below the highest last index reported.
  const ClusterView& view = session.refresh();
  std::uint64_t top = 0;
  for (const auto& n : view.nodes)
    if (n.status && std::find(ids.begin(), ids.end(), n.id) != ids.end())
      top = std::max(top, n.status->last_index);
  const std::uint64_t lo = top >= last ? top - last + 1 : 1;

  std::map<std::uint64_t, wire::LogReply> logs;
  std::map<std::uint64_t, std::string> failures;
  for (auto id : ids) {
    CommandResult error;
    const auto reply = ask(session, id, wire::LogRequest{0, lo, last}, error);
    if (reply && std::holds_alternative<wire::LogReply>(*reply))
      logs[id] = std::get<wire::LogReply>(*reply);
    else
      failures[id] = reply ? "unexpected reply" : error.message;
  }
  // index -> node -> entry
  std::map<std::uint64_t, std::map<std::uint64_t, const wire::LogEntryInfo*>> rows;
  for (const auto& [id, log] : logs)
    for (const auto& e : log.entries) rows[e.index][id] = &e;
  std::optional<std::uint64_t> diverged_at;
  std::vector<std::string> headers = {"index"};
  for (auto id : ids) headers.push_back("node " + std::to_string(id));
  TextTable table(headers);
  for (const auto& [index, by_node] : rows) {
    std::optional<std::uint64_t> term;
    bool differs = false;
    for (const auto& [id, e] : by_node) {
      if (term && *term != e->term) differs = true;
      term = e->term;
    }
    if (differs && !diverged_at) diverged_at = index;
    std::vector<TextTable::Cell> cells = {
        {std::to_string(index) + (differs ? " !" : ""), differs ? std::optional<Colour>(Colour::red) : std::nullopt}};
    for (auto id : ids) {
      const auto it = by_node.find(id);
      if (it == by_node.end()) {
        cells.push_back({logs.count(id) ? "" : "?", {}});
        continue;
      }
      const auto& log = logs.at(id);
      std::string mark;
      if (index == log.commit_index) mark += " <commit";
      if (index == log.last_applied) mark += " <applied";
      const bool uncommitted = index > log.commit_index;
      cells.push_back({"t" + std::to_string(it->second->term) + " " + cut(it->second->command, 28) + mark,
                       differs ? std::optional<Colour>(Colour::red)
                               : uncommitted ? std::optional<Colour>(Colour::dim) : std::nullopt});
    }
    table.add_row(std::move(cells));
  }
  JsonValue nodes = JsonValue::array();
  std::string text = rows.empty() ? "(no entries)\n" : table.render(session.output().style());
  for (auto id : ids) {
    JsonValue node = JsonValue::object().set("id", id);
    if (const auto it = logs.find(id); it != logs.end()) {
      const auto& log = it->second;
      node.set("first_index", log.first_index).set("last_index", log.last_index);
      node.set("commit_index", log.commit_index).set("last_applied", log.last_applied);
      JsonValue entries = JsonValue::array();
      for (const auto& e : log.entries)
        entries.push(JsonValue::object().set("index", e.index).set("term", e.term).set("command", e.command));
      node.set("entries", std::move(entries));
      text += "node " + std::to_string(id) + ": last " + std::to_string(log.last_index) + ", commit " +
              std::to_string(log.commit_index) + ", applied " + std::to_string(log.last_applied) + "\n";
    } else {
      node.set("error", failures[id]);
      text += "node " + std::to_string(id) + ": " + failures[id] + "\n";
    }
    nodes.push(std::move(node));
  }
  if (diverged_at)
    text += session.output().style().paint(
                "logs diverge from index " + std::to_string(*diverged_at) +
                    " (different terms): the entries not committed there will be replaced by the leader's",
                Colour::red) +
            "\n";
  JsonValue data = JsonValue::object().set("nodes", std::move(nodes));
  data.set("diverged_at", diverged_at ? JsonValue(*diverged_at) : JsonValue());
  return CommandResult::success(std::move(data), text);
}

CommandResult run_sql(Session& session, const Invocation& inv) {
  CommandResult error;
  const auto id = session.parse_node_id("sql", inv.args[0], error);
  if (!id) return error;
  std::string sql;
  for (std::size_t i = 1; i < inv.args.size(); ++i) sql += (i > 1 ? " " : "") + inv.args[i];
  const auto reply = ask(session, *id, wire::SqlRequest{0, sql, 0}, error);
  if (!reply) {
    error.error_code = error.error_code == "invalid_request" ? "sql_refused" : error.error_code;
    return error;
  }
  const auto* r = std::get_if<wire::SqlReply>(&*reply);
  if (!r) return CommandResult::failure("internal", "unexpected reply from node " + std::to_string(*id));
  JsonValue columns = JsonValue::array();
  for (const auto& c : r->columns) columns.push(c);
  JsonValue rows = JsonValue::array();
  TextTable table(r->columns.empty() ? std::vector<std::string>{"(no columns)"} : r->columns);
  for (const auto& row : r->rows) {
    JsonValue json_row = JsonValue::array();
    std::vector<TextTable::Cell> cells;
    for (const auto& v : row) {
      json_row.push(v);
      cells.push_back({cut(quote_arg(v) == v ? v : quote_arg(v), 60), {}});
    }
    rows.push(std::move(json_row));
    if (!r->columns.empty()) table.add_row(std::move(cells));
  }
  JsonValue data = JsonValue::object().set("node", *id).set("columns", std::move(columns));
  data.set("rows", std::move(rows)).set("truncated", r->truncated);
  std::string text = table.render(session.output().style());
  text += std::to_string(r->rows.size()) + (r->rows.size() == 1 ? " row" : " rows") +
          (r->truncated ? " (cut short: at most 100 rows / 1 MiB)" : "") + "\n";
  return CommandResult::success(std::move(data), text);
}

}  // namespace meadow::shell
