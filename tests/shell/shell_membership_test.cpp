// Process tests of add-node and remove-node (label cluster): a scripted JSON session grows a
// cluster with a voter and a learner, restarts an added node, removes a learner and the leader;
// the one-shot forms against an attached cluster; and the refusals (last voter, unknown node,
// no manifest). The manifest must follow the configuration after every step.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "tests/shell/shell_driver.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "transport/manifest.h"

namespace meadow::test {
namespace {

using namespace std::chrono_literals;
constexpr auto kDeadline = 30s;
constexpr auto kChangeDeadline = 120s;  // add-node allows 60 s for the catch-up alone

std::string cluster_dir(const TempDir& tmp) {
  return std::filesystem::weakly_canonical(tmp.path()).string() + "/cluster";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

transport::Manifest manifest_of(const std::string& dir) {
  std::string error;
  auto m = cluster_manifest(dir, error);
  INFO(error);
  REQUIRE(m);
  return *m;
}

/// Sends `command` and returns its JSON result line (ok or not).
std::string result_of(ShellDriver& shell, const std::string& command,
                      std::chrono::milliseconds deadline = kDeadline) {
  shell.send(command);
  const auto line = shell.expect_result(command.substr(0, command.find(' ')), deadline);
  INFO(command << "\n" << shell.transcript());
  REQUIRE(line);
  return *line;
}

}  // namespace

TEST_CASE("shell: add-node reports each step, remove-node takes out a learner and the leader",
          "[shell][membership]") {
  TempDir tmp;
  const std::string dir = cluster_dir(tmp);
  ShellDriver shell(ShellDriver::Mode::pipes, MEADOW_BINARY,
                    {"--data-dir", dir, "--nodes", "3", "--output", "json"}, dir);
  REQUIRE(shell.expect_event("ready", kDeadline));
  CHECK(is_result(result_of(shell, "put before grow"), "put", true));

  // A voter: launched, learner, caught up, promoted, each as an event before the result.
  const std::string voter = result_of(shell, "add-node", kChangeDeadline);
  INFO(shell.transcript());
  REQUIRE(is_result(voter, "add-node", true));
  CHECK(json_uint(voter, "node") == 4u);
  CHECK(contains(voter, "\"voter\":true"));
  CHECK(contains(voter, "\"members\":{\"voters\":[1,2,3,4],\"learners\":[]}"));
  for (const char* step : {"\"step\":\"launched\"", "\"step\":\"learner\"",
                           "\"step\":\"caught_up\"", "\"step\":\"promoted\""})
    CHECK(contains(shell.transcript(), step));
  auto m = manifest_of(dir);
  REQUIRE(m.find(4));
  CHECK(m.find(4)->voter);
  CHECK(m.find(4)->joined);

  // A learner stays one; status names it.
  const std::string learner = result_of(shell, "add-node --learner", kChangeDeadline);
  REQUIRE(is_result(learner, "add-node", true));
  CHECK(json_uint(learner, "node") == 5u);
  CHECK(contains(learner, "\"members\":{\"voters\":[1,2,3,4],\"learners\":[5]}"));
  CHECK_FALSE(manifest_of(dir).find(5)->voter);
  const std::string status = result_of(shell, "status");
  CHECK(contains(status, "{\"id\":5,\"state\":\"up\",\"member\":\"learner\""));
  CHECK(contains(status, "{\"id\":4,\"state\":\"up\",\"member\":\"voter\""));

  // The new nodes hold the data, and process commands work on them.
  CHECK(contains(result_of(shell, "expect get before == grow"), "\"ok\":true"));
  CHECK(contains(result_of(shell, "get before --from 5 --stale"), "\"value\":\"grow\""));
  CHECK(is_result(result_of(shell, "restart 4"), "restart", true));
  CHECK(is_result(result_of(shell, "expect converged within 20s"), "expect", true));
  CHECK(contains(result_of(shell, "kill 9"), "(this cluster has nodes 1-5)"));

  // Removing a learner, then the leader: it hands leadership over first.
  const std::string gone = result_of(shell, "remove-node 5", kChangeDeadline);
  REQUIRE(is_result(gone, "remove-node", true));
  CHECK(contains(gone, "\"was_leader\":false"));
  CHECK(manifest_of(dir).find(5) == nullptr);
  const auto leader = json_uint(result_of(shell, "leader"), "leader");
  REQUIRE(leader);
  const std::string moved = result_of(shell, "remove-node " + std::to_string(*leader), kChangeDeadline);
  REQUIRE(is_result(moved, "remove-node", true));
  CHECK(contains(moved, "\"was_leader\":true"));
  const auto new_leader = json_uint(moved, "new_leader");
  CHECK(new_leader.value_or(*leader) != *leader);
  m = manifest_of(dir);
  CHECK(m.nodes.size() == 3);
  CHECK(m.find(*leader) == nullptr);
  CHECK(is_result(result_of(shell, "put after shrink"), "put", true));
  CHECK(contains(result_of(shell, "remove-node 5"), "\"code\":\"node_out_of_range\""));

  shell.send("exit");
  CHECK(shell.wait_exit(60s).has_value());
  CHECK(live_node_pids(dir).empty());
}

TEST_CASE("shell: one-shot add-node and remove-node on an attached cluster, and the refusals",
          "[shell][membership]") {
  TempDir tmp;
  const std::string dir = cluster_dir(tmp);
  ShellDriver shell(ShellDriver::Mode::pipes, MEADOW_BINARY,
                    {"--data-dir", dir, "--nodes", "1", "--output", "json"}, dir);
  REQUIRE(shell.expect_event("ready", kDeadline));

  // The last voter cannot go: the node's own refusal and code.
  const std::string last = result_of(shell, "remove-node 1");
  CHECK(contains(last, "\"code\":\"invalid_request\""));
  CHECK(contains(last, "remove-node: removing node 1: "));
  CHECK(manifest_of(dir).find(1));

  const RunResult added =
      run({MEADOW_BINARY, "add-node", "--attach", dir, "--output", "json"}, "", kChangeDeadline);
  INFO(added.out << added.err);
  CHECK(added.exit_code == 0);
  CHECK(contains(added.out, "{\"event\":\"membership\",\"node\":2,\"step\":\"promoted\""));
  CHECK(is_result(added.out.substr(added.out.rfind("{\"command\"")), "add-node", true));
  CHECK(manifest_of(dir).find(2));

  const RunResult text = run({MEADOW_BINARY, "add-node", "--learner", "--attach", dir}, "",
                             kChangeDeadline);
  INFO(text.out << text.err);
  CHECK(text.exit_code == 0);
  CHECK(contains(text.out, "node 3 launched (pid "));
  CHECK(contains(text.out, "node 3 added as learner at index "));
  CHECK(contains(text.out, "node 3 caught up in "));
  CHECK_FALSE(contains(text.out, "promoted"));

  const RunResult removed =
      run({MEADOW_BINARY, "remove-node", "3", "--attach", dir, "--output", "json"}, "",
          kChangeDeadline);
  INFO(removed.out << removed.err);
  CHECK(removed.exit_code == 0);
  CHECK(is_result(removed.out.substr(removed.out.rfind("{\"command\"")), "remove-node", true));
  CHECK(manifest_of(dir).find(3) == nullptr);

  const RunResult unknown = run({MEADOW_BINARY, "remove-node", "3", "--attach", dir});
  CHECK(unknown.exit_code == 1);
  CHECK(contains(unknown.err, "there is no node 3 (this cluster has nodes 1, 2)"));

  // Without a manifest there is nothing to launch or stop.
  const auto m = manifest_of(dir);
  const RunResult connected = run({MEADOW_BINARY, "add-node", "--connect",
                                   "1=" + m.find(1)->client_endpoint, "--cluster-id",
                                   m.cluster_id, "--output", "json"});
  CHECK(connected.exit_code == 1);
  CHECK(contains(connected.out, "\"code\":\"needs_manifest\""));

  shell.send("exit");
  CHECK(shell.wait_exit(60s).has_value());
  CHECK(live_node_pids(dir).empty());
}

}  // namespace meadow::test
