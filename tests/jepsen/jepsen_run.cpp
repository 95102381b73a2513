#include "tests/jepsen/jepsen_run.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/jepsen/final_state.h"
#include "tests/jepsen/linearizability.h"
#include "tests/jepsen/workload.h"

namespace meadow::jepsen {

namespace wire = transport::wire;
using namespace std::chrono_literals;
using test::NodeId;

namespace {

std::string fixed(double v, int digits = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? "-"
                    : fixed(100.0 * static_cast<double>(part) / static_cast<double>(whole)) + "%";
}

// Every key under `prefix` as node `id` holds it; nullopt if it does not answer.
std::optional<KeyState> node_state(const test::TestCluster& cluster, NodeId id,
                                   const std::string& prefix) {
  return read_node_state(cluster.client_options(id, 5s), prefix);
}

// All nodes report the same commit, applied and last index, with nothing left to apply.
bool converged(const test::TestCluster& cluster, std::string& view) {
  std::vector<NodeStatus> statuses;
  for (NodeId id : cluster.ids()) statuses.push_back({id, cluster.status(id, 1s)});
  return same_indexes(statuses, view);
}

}  // namespace

RunReport run_jepsen(const RunOptions& options) {
  RunReport report;
  auto fail = [&](const std::string& why) {
    report.failures.push_back(why);
    std::cout << "FAILURE: " << why << std::endl;
  };
  const auto epoch = SteadyClock::now();
  const auto since = [&] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - epoch).count();
  };
  std::string faults_text;
  for (FaultKind k : options.faults)
    faults_text += (faults_text.empty() ? "" : ",") + std::string(to_string(k));
  const std::string header = "jepsen seed " + std::to_string(options.seed) + ", " +
                             std::to_string(options.nodes) + " nodes, " +
                             std::to_string(options.clients) + " clients, " +
                             fixed(static_cast<double>(options.duration.count()) / 1000.0, 0) +
                             " s, faults " + faults_text;
  std::cout << header << "\n  replay: --seed " << options.seed << " --nodes " << options.nodes
            << " --faults " << faults_text << std::endl;

  test::TestCluster cluster(options.nodes, options.node_args);
  if (cluster.wait_for_leader(30s) == 0) {
    fail("no leader within 30 s of starting the cluster");
    return report;
  }
  std::vector<transport::ClientOptions> client_options;
  for (NodeId id : cluster.ids()) client_options.push_back(cluster.client_options(id));

  WorkloadOptions wo;
  wo.clients = options.clients;
  wo.seed = options.seed;
  Workload workload(wo, client_options, epoch);
  Nemesis nemesis(cluster, options.seed, options.faults, epoch, options.verbose);
  std::atomic<bool> stop{false};
  workload.start();
  std::thread nemesis_thread([&] { nemesis.run(stop); });
  // The experiment's length is the point here, not a synchronisation.
  std::this_thread::sleep_for(options.duration);
  stop = true;
  nemesis_thread.join();
  workload.stop();

  // --- heal, then the cluster must take a write promptly and converge ---
  std::string heal_error;
  if (!nemesis.heal_all(heal_error)) fail("healing: " + heal_error);
  const auto healed = SteadyClock::now();
  std::optional<std::chrono::milliseconds> first_write;
  {
    auto c = cluster.client(1, 1s);
    test::wait_until([&] { return c->put("heal-probe", "x").ok(); }, 60s);
    first_write =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - healed);
    if (*first_write > options.heal_write_deadline)
      fail("first write after healing took " + std::to_string(first_write->count()) +
           " ms (allowed " + std::to_string(options.heal_write_deadline.count()) + " ms)");
  }
  std::string view;
  if (!test::wait_until([&] { return converged(cluster, view); }, 60s))
    fail("nodes did not converge within 60 s of healing:" + view);

  // --- every node's state; all must agree ---
  std::map<NodeId, KeyState> states;
  for (NodeId id : cluster.ids()) {
    auto s = node_state(cluster, id, wo.key_prefix);
    if (!s) {
      fail("node " + std::to_string(id) + " did not answer the final scan");
      continue;
    }
    states[id] = std::move(*s);
  }
  for (const auto& [id, state] : states) {
    if (state != states.begin()->second)
      fail("node " + std::to_string(id) + " differs from node " +
           std::to_string(states.begin()->first) +
           " after healing:" + diff_states(states.begin()->second, state));
  }

  // --- the history, with the final state as one last read per key ---
  std::vector<Op> history = workload.history();
  const std::size_t client_ops = history.size();
  if (!states.empty()) {
    append_final_reads(history, states.begin()->second, since(),
                       "final state, identical on all nodes after healing");
  }

  // --- nothing acknowledged while no majority was up and connected ---
  const auto& windows = nemesis.no_quorum_windows();
  for (const Op& op : history) {
    if (op.process < 0 || op.outcome != Outcome::ok) continue;
    for (const auto& w : windows) {
      if (w.to_ns != 0 && op.invoke_ns >= w.from_ns && op.complete_ns <= w.to_ns) {
        fail("acknowledged while no majority could act (" + w.fault + "): " + describe(op));
        break;
      }
    }
  }

  // --- linearizability ---
  const auto check_started = SteadyClock::now();
  const CheckResult verdict = check_history(history);
  const double check_s = std::chrono::duration<double>(SteadyClock::now() - check_started).count();
  for (const KeyResult& problem : verdict.problems) {
    std::string text = "key " + problem.key + ": " + std::string(to_string(problem.verdict)) +
                       " (" + problem.reason + "), " + std::to_string(problem.ops) + " ops";
    if (!problem.involved.empty()) text += "; operations involved:";
    for (const Op& op : problem.involved) text += "\n    " + describe(op);
    fail(text);
  }

  // --- summary ---
  std::map<OpKind, WorkloadCounts> counts;
  for (std::size_t i = 0; i < client_ops; ++i) {
    auto& c = counts[history[i].kind];
    (history[i].outcome == Outcome::ok     ? c.ok
     : history[i].outcome == Outcome::fail ? c.fail
                                           : c.info)++;
  }
  // Failed and timed-out operations constrain nothing, so a run where every read (or every
  // write) failed would pass the checker vacuously: that is a failure of its own.
  for (const OpKind kind : {OpKind::get, OpKind::put}) {
    if (counts[kind].ok == 0)
      fail(std::string("no ") + (kind == OpKind::get ? "read" : "write") +
           " succeeded: the checker had nothing to check");
  }
  std::ostringstream s;
  s << header << "\n  operations: " << client_ops << " ("
    << fixed(static_cast<double>(client_ops) * 1000.0 /
             static_cast<double>(options.duration.count()))
    << "/s)";
  const char* names[] = {"get", "put", "del"};
  for (const auto& [kind, c] : counts) {
    const auto total = c.ok + c.fail + c.info;
    s << "\n    " << names[static_cast<int>(kind)] << ": " << total << "  ok "
      << percent(c.ok, total) << "  fail " << percent(c.fail, total) << "  info "
      << percent(c.info, total);
  }
  s << "\n  faults injected:";
  int total_faults = 0;
  for (const auto& [kind, n] : nemesis.injected()) {
    s << " " << to_string(kind) << "=" << n;
    total_faults += n;
  }
  s << " (total " << total_faults << "), no-majority windows: " << windows.size();
  s << "\n  first write after healing: "
    << (first_write ? std::to_string(first_write->count()) + " ms" : std::string("none"));
  s << "\n  checker: " << to_string(verdict.verdict) << ", " << verdict.keys << " keys, "
    << verdict.steps << " search steps, " << fixed(check_s, 3) << " s";
  s << "\n  final state: " << (states.empty() ? 0 : states.begin()->second.size())
    << " keys, identical on " << states.size() << "/" << cluster.size() << " nodes";
  s << "\n  verdict: "
    << (report.failures.empty() ? "PASS"
                                : "FAIL (" + std::to_string(report.failures.size()) + " problems)");
  report.summary = s.str();
  std::cout << report.summary << std::endl;

  if (!report.failures.empty() || !options.history_path.empty()) {
    const std::string path = options.history_path.empty()
                                 ? "jepsen-history-" + std::to_string(options.seed) + ".txt"
                                 : options.history_path;
    std::string error;
    std::string full_header = header;
    for (const auto& line : nemesis.log()) full_header += "\n# nemesis " + line;
    if (write_history(path, full_header, history, error))
      std::cout << "  history: " << std::filesystem::absolute(path).string() << std::endl;
    else
      std::cout << "  history not written: " << error << std::endl;
    if (!report.failures.empty()) {
      for (NodeId id : cluster.ids()) {
        std::error_code ec;
        const std::string copy = path + ".node-" + std::to_string(id) + ".log";
        std::filesystem::copy_file(cluster.log_path(id), copy,
                                   std::filesystem::copy_options::overwrite_existing, ec);
        if (!ec)
          std::cout << "  node log: " << std::filesystem::absolute(copy).string() << std::endl;
      }
    }
  }
  return report;
}

}  // namespace meadow::jepsen
