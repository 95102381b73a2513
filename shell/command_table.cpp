// The command table: one row per shell command (dispatch, arity, options, help, completion).
// `help`, tab completion, did-you-mean and the one-shot subcommands all read these rows.
#include "shell/command_spec.h"

#include "shell/handlers.h"

namespace meadow::shell {

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = {
      {"put", "put KEY VALUE [--to N]", "Write VALUE under KEY (through the leader)",
       "Replicates the write to a majority and answers with the log index at which it applied.\n"
       "Quote values with spaces: put greeting \"hello world\". Keys and values are bytes:\n"
       "inside \"...\" or bare words use \\n \\t \\r \\0 \\xHH \\\\ \\\" \\' \\; \\#; '...' is literal.\n"
       "A KEY or VALUE that starts with -- needs `--` before it: put -- --k v.\n"
       "--to N sends the write to node N only, without following it to the leader (what a\n"
       "client cut off with a minority sees: not_leader, or a timeout).",
       2, 2, ArgCompletion::none, {{"--to", "N", true}}, true, run_put, {}},
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
      {"add-node", "add-node [--learner]", "Grow the cluster: launch a new node and make it a voter",
       "Launches `meadow node --join` with the next free id, free ports and its own data dir,\n"
       "asks the leader to add it as a learner (it receives the log but does not vote), waits\n"
       "until it has caught up with the leader's commit index, then promotes it to voter.\n"
       "Each step is reported as it happens, with the catch-up time. --learner stops after\n"
       "the catch-up. One change at a time: the leader refuses one while another is in flight.",
       0, 0, ArgCompletion::none, {{"--learner", "", false}}, true, run_add_node, {}},
      {"remove-node", "remove-node N", "Shrink the cluster: take node N out, then stop it",
       "Asks the leader to remove N from the configuration; once that is committed the shell\n"
       "stops N's process and drops it from the manifest (its data directory stays). Removing\n"
       "the leader makes it hand leadership to another voter first. Refused: the last voter,\n"
       "or while another change is in flight.",
       1, 1, ArgCompletion::node_id, {}, true, run_remove_node, {}},
      {"partition", "partition GROUP | GROUP ... | partition --oneway A -> B",
       "Cut the network between groups of nodes, e.g. partition 1,2 | 3",
       "Each node drops every message to and from the nodes outside its group (the nodes do it\n"
       "themselves: no root, no iptables). Nodes not named form one more group (`rest`:\n"
       "partition 2 | rest). --oneway A -> B\n"
       "loses only the messages from A to B. Faults add up until `heal`; a restarted node has\n"
       "none. `faults` and `status` show what is in force.",
       1, 16, ArgCompletion::node_id, {{"--oneway", "", false}}, false, run_partition, {}},
      {"isolate", "isolate N", "Cut node N off from every other node (partition N | rest)",
       "If N is the leader it keeps believing so until CheckQuorum makes it step down; its writes\n"
       "time out, the majority elects a new leader, and after `heal` it catches up.",
       1, 1, ArgCompletion::node_id, {}, false, run_isolate, {}},
      {"heal", "heal", "Remove every network fault from every node",
       "Clears partitions, delays and drops on all nodes that answer. Paused nodes stay paused\n"
       "(resume N).",
       0, 0, ArgCompletion::none, {}, false, run_heal, {}},
      {"delay", "delay N DURATION [jitter DURATION]", "Slow node N's links: delay N 50ms jitter 20ms",
       "Every message to or from node N waits DURATION plus a random extra up to the jitter\n"
       "(messages may overtake each other). delay N 0 removes it. Durations: 50ms, 2s, 1.5s.",
       2, 4, ArgCompletion::node_id, {}, false, run_delay, {}},
      {"drop", "drop N PERCENT", "Node N loses PERCENT of the messages it sends: drop 2 20%",
       "Random, seeded per node. drop N 0% removes it.", 2, 2, ArgCompletion::node_id, {}, false,
       run_drop, {}},
      {"pause", "pause N", "Freeze node N (SIGSTOP): a hung process, not a crash",
       "The process keeps its sockets and memory but runs nothing: a paused leader is replaced,\n"
       "and when resumed it still thinks it leads until it hears the newer term.",
       1, 1, ArgCompletion::node_id, {}, false, run_pause, {}},
      {"resume", "resume N", "Let a paused node run again (SIGCONT)", "See pause.", 1, 1,
       ArgCompletion::node_id, {}, false, run_pause, {}},
      {"faults", "faults", "Show the faults in force on every node (and paused nodes)",
       "Network faults live in the nodes' memory: a restarted node has none.", 0, 0,
       ArgCompletion::none, {}, true, run_faults, {}},
      {"transfer-leader", "transfer-leader N", "Hand leadership to node N on purpose",
       "The leader brings N up to date and tells it to campaign at once (Raft thesis 3.10); the\n"
       "shell reports when N leads. A target that is down or cut off cannot take over.",
       1, 1, ArgCompletion::node_id, {}, false, run_transfer_leader, {}},
      {"timeline", "timeline [DURATION]", "Watch the cluster live: elections, leaders, commits/s",
       "Prints events as they happen, stamped with the time since the shell started: elections\n"
       "and PreVote rounds started, leader changes with their term, commits per second, nodes\n"
       "down/up, faults applied, and the background load's writes and errors per second.\n"
       "Runs until Enter or Ctrl-C, or for DURATION (required in scripts).",
       0, 1, ArgCompletion::none, {}, false, run_timeline, {"watch"}},
      {"events", "events [--last N]", "The recent events, oldest first (default 20)",
       "What the timeline shows, kept since the shell started (commits/s and elections only\n"
       "while the shell was polling).",
       0, 0, ArgCompletion::none, {{"--last", "N", false}}, false, run_events, {}},
      {"load", "load start [RATE] | load stop", "Background writes (default 50/s) to watch failover",
       "A thread with its own connection writes keys load/N at RATE per second; timeline shows\n"
       "how many succeed and fail each second; load stop prints the totals.",
       1, 2, ArgCompletion::none, {}, false, run_load, {}},
      {"log", "log [N ...] [--last K]", "Raft logs side by side (index, term, command)",
       "The last K (default 10) entries of each node's log, with its commit and applied marks;\n"
       "indexes where the terms differ are marked ! (the uncommitted suffix of a deposed leader\n"
       "that the new leader will overwrite). Dim entries are not committed on that node.",
       0, 9, ArgCompletion::node_id, {{"--last", "K", false}}, false, run_log, {}},
      {"sql", "sql N SELECT ...", "Read-only SQL on node N's database (log and state)",
       "Runs on the node's own connection (the file is locked by the node). Only reading\n"
       "queries: anything else is refused. At most 100 rows, and 50 ms: the node's loop waits\n"
       "for the query, so a longer one is stopped. Tables: see store/SCHEMA.md, e.g.\n"
       "sql 1 SELECT idx, term FROM log ORDER BY idx DESC LIMIT 5.",
       2, 64, ArgCompletion::node_id, {}, false, run_sql, {}, true},
      {"expect", "expect CHECK [within DURATION]", "Assert something about the cluster (scripts)",
       "expect leader == 2 | != 1 | == none   (!= 1: another node leads, not just nobody)\n"
       "expect get KEY == VALUE | != VALUE | == missing\n"
       "expect status N FIELD == VALUE   (role, term, leader, commit_index, last_applied,\n"
       "                                  last_index, state, faults)\n"
       "expect converged                  (every node applied the leader's commit index)\n"
       "expect fails COMMAND ...          (the command must fail, e.g. expect fails put k v)\n"
       "With `within 2s` the check is retried until it holds or the time is up. A failed expect\n"
       "prints what it saw; in a script it ends the run with exit code 1.",
       1, 64, ArgCompletion::none, {}, false, run_expect, {}, true},
      {"wait", "wait leader [DURATION]", "Wait until a leader is elected",
       "Fails (and ends a script) if none is elected within DURATION (default: --timeout).",
       1, 2, ArgCompletion::none, {}, false, run_wait, {}},
      {"sleep", "sleep DURATION", "Pause the script, still reporting events (sleep 500ms)",
       "Durations: 500ms, 2s, 1.5s.", 1, 1, ArgCompletion::none, {}, false, run_sleep, {}},
      {"set", "set NAME leader|follower|VALUE", "Name a node for a script: set old leader",
       "Later words $NAME are replaced by the value: set old leader; isolate $old;\n"
       "expect leader != $old within 5s. `leader` is the current leader's id, `follower` the\n"
       "lowest-numbered follower that answers; anything else is kept as written.",
       2, 2, ArgCompletion::none, {}, false, run_set, {}},
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
    if (spec.raw_args) {
      inv.args.push_back(arg);
      continue;
    }
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
