// The command table: one row per shell command (dispatch, arity, options, help, completion).
// `help`, tab completion, did-you-mean and the one-shot subcommands all read these rows.
#include "shell/command_spec.h"

#include "shell/handlers.h"

namespace meadow::shell {

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = {
      {"put", "put KEY VALUE", "Write VALUE under KEY (through the leader)",
       "Replicates the write to a majority and answers with the log index at which it applied.\n"
       "Quote values with spaces: put greeting \"hello world\". Keys and values are bytes:\n"
       "inside \"...\" or bare words use \\n \\t \\r \\0 \\xHH \\\\ \\\" \\' \\; \\#; '...' is literal.\n"
       "A KEY or VALUE that starts with -- needs `--` before it: put -- --k v.",
       2, 2, ArgCompletion::none, {}, true, run_put, {}},
      {"get", "get KEY [--from N] [--stale]", "Read KEY (linearizable through the leader)",
       "By default the leader serves the read after confirming its leadership (ReadIndex), so\n"
       "it sees every write that completed before it. --stale reads a node's local state\n"
       "without that check; with --from N it asks node N only and says which node answered\n"
       "and at which applied index (a stale read on the minority side of a partition shows\n"
       "old data). --from N alone asks node N for a linearizable read, which only the leader\n"
       "can serve.",
       1, 1, ArgCompletion::none, {{"--from", "N", true}, {"--stale", "", false}}, true, run_get, {}},
      {"delete", "delete KEY", "Remove KEY (no error if it does not exist)",
       "Replicated like put; answers with the log index at which it applied.", 1, 1,
       ArgCompletion::none, {}, true, run_delete, {}},
      {"scan", "scan [PREFIX] [--limit N]", "List keys starting with PREFIX, in key order",
       "Linearizable through the leader. Without PREFIX lists every key. --limit N returns at\n"
       "most N pairs (the node also applies its own cap) and says when more are left.",
       0, 1, ArgCompletion::none, {{"--limit", "N", false}}, true, run_scan, {}},
      {"status", "status", "Table of every node: role, term, indexes, pid, up/down, lag",
       "Asks each node for its status in parallel, with a short deadline per node so a dead\n"
       "node cannot stall the shell. lag = the leader's commit index minus the node's applied\n"
       "index.",
       0, 0, ArgCompletion::none, {}, true, run_status, {}},
      {"snapshot", "snapshot [N]", "Take a snapshot now on node N (default: every node)",
       "Compacts the node's log up to its applied index (the key-value state at that index is\n"
       "the snapshot). Nodes also do this on their own past --snapshot-entries; status shows\n"
       "each node's snapshot index (snap) and how many entries its log holds (log).",
       0, 1, ArgCompletion::node_id, {}, false, run_snapshot, {}},
      {"leader", "leader", "Show the leader, waiting while an election is in progress",
       "Polls the nodes until one is leader and answers, up to the request deadline; if none\n"
       "is elected by then, names the nodes that are down.",
       0, 0, ArgCompletion::none, {}, false, run_leader, {}},
      {"kill", "kill N", "SIGKILL node N (a crash: nothing is flushed)",
       "Acts on the pid recorded in the cluster manifest, after checking that the process is\n"
       "that node. If it was the leader, the shell reports the election that follows and how\n"
       "long it took.",
       1, 1, ArgCompletion::node_id, {}, false, run_kill, {}},
      {"stop", "stop N", "SIGTERM node N (graceful stop; SIGKILL after a grace period)",
       "Waits for the node to exit; a node that does not exit within the grace period is\n"
       "killed.",
       1, 1, ArgCompletion::node_id, {}, false, run_stop, {}},
      {"start", "start N", "Start node N again (it catches up from the leader)",
       "Launches `meadow node` for N with the manifest's settings, records the new pid in the\n"
       "manifest and waits until the node answers.",
       1, 1, ArgCompletion::node_id, {}, false, run_start, {}},
      {"restart", "restart N", "stop N, then start N",
       "A graceful stop (SIGTERM) followed by a start; the node keeps its data and catches up.",
       1, 1, ArgCompletion::node_id, {}, false, run_restart, {}},
      {"logs", "logs N [--lines K] [--follow]", "Show the end of node N's log",
       "Prints the last K lines (default 20) of the node's log file. --follow keeps printing\n"
       "new lines until you press Enter or Ctrl-C (interactive shells only).",
       1, 1, ArgCompletion::node_id, {{"--lines", "K", false}, {"--follow", "", false}}, false,
       run_logs, {}},
      {"help", "help [COMMAND]", "List the commands, or explain one",
       "help alone lists every command; help NAME shows its usage and details.", 0, 1,
       ArgCompletion::command, {}, false, run_help, {}},
      {"exit", "exit", "Leave the shell (also Ctrl-D)",
       "A shell that launched the cluster stops its nodes (SIGTERM, then SIGKILL after a grace\n"
       "period) unless it was started with --keep; an attached shell leaves them running.",
       0, 0, ArgCompletion::none, {}, false, run_exit, {"quit"}},
  };
  return table;
}

const CommandSpec* find_command(std::string_view name) {
  for (const auto& spec : command_table()) {
    if (spec.name == name) return &spec;
    for (auto alias : spec.aliases)
      if (alias == name) return &spec;
  }
  return nullptr;
}

std::optional<Invocation> parse_invocation(const CommandSpec& spec,
                                           const std::vector<std::string>& args,
                                           std::string& error) {
  Invocation inv;
  inv.command = std::string(spec.name);
  bool options_done = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!options_done && arg == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      const FlagSpec* flag = nullptr;
      for (const auto& f : spec.flags)
        if (f.name == arg) flag = &f;
      if (!flag) {
        error = std::string(spec.name) + ": unknown option " + arg + " (usage: " +
                std::string(spec.usage) + ")";
        return std::nullopt;
      }
      std::string value;
      if (!flag->value_name.empty()) {
        if (i + 1 >= args.size()) {
          error = std::string(spec.name) + ": " + arg + " needs a value (usage: " +
                  std::string(spec.usage) + ")";
          return std::nullopt;
        }
        value = args[++i];
      }
      inv.flags[arg] = value;
      continue;
    }
    inv.args.push_back(arg);
  }
  if (inv.args.size() < spec.min_args || inv.args.size() > spec.max_args) {
    auto count = [](std::size_t n) {
      return std::to_string(n) + (n == 1 ? " argument" : " arguments");
    };
    std::string expected = spec.min_args == spec.max_args
                               ? count(spec.min_args)
                               : std::to_string(spec.min_args) + " to " +
                                     std::to_string(spec.max_args) + " arguments";
    error = std::string(spec.name) + ": expected " + expected + ", got " +
            std::to_string(inv.args.size()) + " (usage: " + std::string(spec.usage) + ")";
    return std::nullopt;
  }
  return inv;
}

}  // namespace meadow::shell
