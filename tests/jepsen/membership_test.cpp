// Membership changes under load (label jepsen): a real `meadow shell` grows a 3-node cluster to
// 5 (add-node twice) and shrinks it back to 3 (remove-node of the leader, then of another
// original node) while the Jepsen-style workload writes and reads. The history of the whole run,
// with every remaining node's final state as a last read, must be linearizable, and the
// remaining nodes must hold identical data. Phases of load between the changes last
// MEADOW_MEMBERSHIP_PHASE_MS each (shorter under the sanitizers).
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>
#include <thread>

#include "tests/cluster/test_cluster.h"
#include "tests/jepsen/final_state.h"
#include "tests/jepsen/linearizability.h"
#include "tests/jepsen/workload.h"
#include "tests/shell/shell_driver.h"
#include "tests/support/temp_dir.h"
#include "transport/manifest.h"

namespace meadow::jepsen {
namespace {

using namespace std::chrono_literals;
namespace wire = transport::wire;

constexpr std::chrono::milliseconds kPhase{MEADOW_MEMBERSHIP_PHASE_MS};
constexpr auto kCommandDeadline = 120s;  // add-node waits up to 60 s for the catch-up itself

transport::Manifest manifest_of(const std::string& dir) {
  std::string error;
  auto m = test::cluster_manifest(dir, error);
  INFO(error);
  REQUIRE(m);
  return *m;
}

transport::ClientOptions client_options(const transport::Manifest& m,
                                        std::chrono::milliseconds deadline) {
  transport::ClientOptions options;
  options.cluster_id = m.cluster_id;
  options.deadline = deadline;
  for (const auto& n : m.nodes) options.endpoints.push_back({n.id, n.client_endpoint, ""});
  return options;
}

/// Options for a client that asks node `id` first (and only it, for stale reads).
transport::ClientOptions one_node(const transport::Manifest& m, std::uint64_t id) {
  auto options = client_options(m, 5s);
  std::stable_partition(options.endpoints.begin(), options.endpoints.end(),
                        [id](const auto& e) { return e.id == id; });
  return options;
}

std::optional<wire::StatusReply> status_of(const transport::Manifest& m, std::uint64_t id) {
  auto options = one_node(m, id);
  options.deadline = 1s;
  transport::Client client(options);
  auto r = client.status(0);
  if (!r.ok()) return std::nullopt;
  return r.value;
}

/// Sends `command` to the shell and returns its JSON result line (it must succeed).
std::string run_ok(test::ShellDriver& shell, const std::string& command) {
  shell.send(command);
  const std::string name = command.substr(0, command.find(' '));
  const auto line = shell.expect_result(name, kCommandDeadline);
  INFO(command << "\n" << shell.transcript());
  REQUIRE(line);
  REQUIRE(test::is_result(*line, name, true));
  std::cout << "  " << command << " -> " << *line << std::endl;
  return *line;
}

/// Lets the workload run through one phase; the experiment's length is the point here.
void load_phase() { std::this_thread::sleep_for(kPhase); }

}  // namespace

TEST_CASE("jepsen: growing 3 to 5 and shrinking 5 to 3 (the leader too) under load stays "
          "linearizable",
          "[jepsen][membership]") {
  test::TempDir tmp;
  const std::string dir = std::filesystem::weakly_canonical(tmp.path()).string() + "/cluster";
  test::ShellDriver shell(test::ShellDriver::Mode::pipes, MEADOW_BINARY,
                          {"--data-dir", dir, "--nodes", "3", "--output", "json"}, dir);
  REQUIRE(shell.expect_event("ready", 60s));
  const auto epoch = SteadyClock::now();
  const transport::Manifest initial = manifest_of(dir);

  // The clients know the three original nodes; they learn the new ones from leader hints.
  WorkloadOptions wo;
  wo.clients = 6;
  wo.seed = 12;
  std::vector<transport::ClientOptions> per_client(wo.clients, client_options(initial, 1s));
  Workload workload(wo, per_client, epoch);
  workload.start();
  load_phase();

  // Grow: one server at a time, each added as a learner, caught up, then promoted.
  for (int added = 0; added < 2; ++added) {
    const std::string result = run_ok(shell, "add-node");
    CHECK(result.find("\"voter\":true") != std::string::npos);
    load_phase();
  }
  auto grown = manifest_of(dir);
  REQUIRE(grown.nodes.size() == 5);
  for (const auto& n : grown.nodes) CHECK(n.voter);
  const std::uint64_t leader = test::json_uint(run_ok(shell, "leader"), "leader").value_or(0);
  REQUIRE(leader != 0);
  if (auto s = status_of(grown, leader)) CHECK(s->members.size() == 5);

  // Shrink: the leader first (it hands leadership over), then another original node.
  const std::string removed_leader = run_ok(shell, "remove-node " + std::to_string(leader));
  CHECK(removed_leader.find("\"was_leader\":true") != std::string::npos);
  load_phase();
  std::uint64_t second = 0;
  for (const auto& n : manifest_of(dir).nodes)
    if (n.id != leader && n.id <= 3 && second == 0) second = n.id;
  REQUIRE(second != 0);
  run_ok(shell, "remove-node " + std::to_string(second));
  load_phase();
  workload.stop();

  const transport::Manifest final_manifest = manifest_of(dir);
  REQUIRE(final_manifest.nodes.size() == 3);
  CHECK(final_manifest.find(leader) == nullptr);
  CHECK(final_manifest.find(second) == nullptr);

  // Every remaining node applies everything, and they agree.
  std::string view;
  const bool settled = test::wait_until(
      [&] {
        std::vector<NodeStatus> statuses;
        for (const auto& n : final_manifest.nodes)
          statuses.push_back({n.id, status_of(final_manifest, n.id)});
        return same_indexes(statuses, view);
      },
      60s);
  INFO(view);
  CHECK(settled);
  std::map<std::uint64_t, KeyState> states;
  for (const auto& n : final_manifest.nodes) {
    auto s = read_node_state(one_node(final_manifest, n.id), wo.key_prefix);
    INFO("node " << n.id);
    REQUIRE(s);
    states[n.id] = std::move(*s);
  }
  for (const auto& [id, state] : states) {
    INFO("node " << id << " vs node " << states.begin()->first
                 << diff_states(states.begin()->second, state));
    CHECK(state == states.begin()->second);
  }
  if (auto s = status_of(final_manifest, final_manifest.nodes.front().id)) {
    CHECK(s->members.size() == 3);
    for (const auto& m : s->members) CHECK(m.voter);
  }

  // The whole run's history, the final state as one last read per key.
  std::vector<Op> history = workload.history();
  std::uint64_t acknowledged = 0;
  for (const Op& op : history) acknowledged += op.outcome == Outcome::ok ? 1 : 0;
  CHECK(acknowledged > 0);
  append_final_reads(history, states.begin()->second,
                     std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - epoch)
                         .count(),
                     "final state, identical on the remaining nodes");
  const CheckResult verdict = check_history(history);
  std::cout << "  membership run: " << history.size() << " ops (" << acknowledged
            << " ok), checker " << to_string(verdict.verdict) << ", " << verdict.keys
            << " keys" << std::endl;
  for (const KeyResult& problem : verdict.problems) {
    std::string text = "key " + problem.key + ": " + std::string(to_string(problem.verdict)) +
                       " (" + problem.reason + ")";
    for (const Op& op : problem.involved) text += "\n    " + describe(op);
    FAIL_CHECK(text);
  }
  if (verdict.verdict != Verdict::linearizable) {
    std::string error;
    write_history("jepsen-membership-history.txt", "membership run", history, error);
  }
  CHECK(verdict.verdict == Verdict::linearizable);

  shell.send("exit");
  CHECK(shell.wait_exit(60s) == 0);
  CHECK(test::live_node_pids(dir).empty());
}

}  // namespace meadow::jepsen
