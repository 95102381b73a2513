// Process tests of `meadow shell` (label cluster): scripted sessions on stdin with
// --output json covering every command, failover after killing the leader, restart and
// catch-up, a second shell attached to the same cluster, one-shot commands, data surviving a
// shell restart, and the errors. Real nodes on free loopback ports in temporary directories;
// every test checks that no node outlives the shell that launched it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "tests/shell/shell_driver.h"
#include "tests/support/ports.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "transport/manifest.h"

namespace meadow::test {
namespace {

using namespace std::chrono_literals;
constexpr auto kDeadline = 30s;

std::string cluster_dir(const TempDir& tmp) {
  return std::filesystem::weakly_canonical(tmp.path()).string() + "/cluster";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// The JSON command results of a transcript, in order (events left out).
std::vector<std::string> results_of(const std::string& text) {
  std::vector<std::string> out;
  for (auto& line : lines_of(text))
    if (line.rfind("{\"command\":", 0) == 0) out.push_back(line);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> shell_argv(const std::string& dir, std::vector<std::string> extra) {
  std::vector<std::string> argv = {MEADOW_BINARY, "shell", "--data-dir", dir};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

}  // namespace

TEST_CASE("shell: a stdin script runs every command and goes on after errors", "[shell]") {
  TempDir tmp;
  const std::string dir = cluster_dir(tmp);
  const std::string script =
      "put greeting \"hello world\"\n"
      "get greeting\n"
      "put bin \"\\x00\\xff\\n\"\n"
      "get bin\n"
      "put k1 v1; put k2 v2; put other x\n"
      "scan k\n"
      "scan --limit 1\n"
      "delete k1\n"
      "get k1\n"
      "get k2 --stale\n"
      "status\n"
      "leader\n"
      "help\n"
      "help get\n"
      "frobnicate\n"
      "pt a b\n"
      "get\n"
      "get k2 --from 7\n"
      "kill x\n"
      "logs 1 --lines 2\n"
      "logs 1 --follow\n"
      "put \"unterminated\n"
      "stop 2\n"
      "kill 2\n"
      "kill 3\n"
      "put lost write\n"
      "start 2\n"
      "start 2\n"
      "exit\n"
      "put never run\n";
  const RunResult r = run(shell_argv(dir, {"--output", "json", "--timeout", "1500"}), script);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);  // a script with failed commands exits non-zero
  const auto out = lines_of(r.out);
  REQUIRE(!out.empty());
  CHECK(is_event(out.front(), "ready"));
  const auto results = results_of(r.out);
  const std::vector<std::pair<std::string, bool>> expected = {
      {"put", true},     {"get", true},    {"put", true},    {"get", true},   {"put", true},
      {"put", true},     {"put", true},    {"scan", true},   {"scan", true},  {"delete", true},
      {"get", false},    {"get", true},    {"status", true}, {"leader", true}, {"help", true},
      {"help", true},    {"frobnicate", false}, {"pt", false}, {"get", false}, {"get", false},
      {"kill", false},   {"logs", true},   {"logs", false},  {"put", false},  {"stop", true},
      {"kill", false},   {"kill", true},   {"put", false},   {"start", true}, {"start", false},
      {"exit", true},
  };
  REQUIRE(results.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("result " << i << ": " << results[i]);
    CHECK(is_result(results[i], expected[i].first, expected[i].second));
  }
  CHECK(contains(results[1], "\"value\":\"hello world\""));
  CHECK(contains(results[3], "\"value\":\"\\u0000\\u00ff\\n\""));
  CHECK(contains(results[7], "\"items\":[{\"key\":\"k1\",\"value\":\"v1\"},{\"key\":\"k2\","
                             "\"value\":\"v2\"}],\"more\":false"));
  CHECK(contains(results[8], "\"more\":true"));
  CHECK(contains(results[10], "\"code\":\"not_found\""));
  CHECK(contains(results[11], "\"value\":\"v2\""));
  CHECK(contains(results[11], "\"stale\":true"));
  CHECK(contains(results[12], "\"state\":\"up\""));
  CHECK(contains(results[15], "\"usage\":\"get KEY [--from N] [--stale]\""));
  CHECK(contains(results[16], "\"code\":\"unknown_command\""));
  CHECK(contains(results[17], "did you mean put?"));
  CHECK(contains(results[18], "expected 1 argument, got 0"));
  CHECK(contains(results[19], "\"code\":\"node_out_of_range\""));
  CHECK(contains(results[20], "node id must be a number"));
  CHECK(contains(results[22], "needs an interactive terminal"));
  CHECK(contains(results[23], "\"code\":\"syntax_error\""));
  CHECK(contains(results[25], "\"code\":\"not_running\""));
  CHECK(contains(results[27], "\"code\":\"no_quorum\""));
  CHECK(contains(results[27], "nodes down: 2, 3 of 3"));
  CHECK(contains(results[29], "\"code\":\"already_running\""));
  CHECK(is_event(out.back(), "stopped"));
  CHECK(out.back() == "{\"event\":\"stopped\",\"nodes\":[1,2]}");
  CHECK(live_node_pids(dir).empty());
}

TEST_CASE("shell: killing the leader reports the election and the restarted node catches up",
          "[shell]") {
  TempDir tmp;
  const std::string dir = cluster_dir(tmp);
  ShellDriver shell(ShellDriver::Mode::pipes, MEADOW_BINARY,
                    {"--data-dir", dir, "--output", "json"}, dir);
  const auto leader = json_uint(shell.expect_event("ready", kDeadline).value_or(""), "leader");
  REQUIRE(leader);
  INFO("old leader " << *leader);

  shell.send("put a 1");
  REQUIRE(is_result(shell.expect_result("put", kDeadline).value_or(""), "put", true));
  shell.send("kill " + std::to_string(*leader));
  const auto killed = shell.expect_result("kill", kDeadline);
  REQUIRE(killed);
  CHECK(is_result(*killed, "kill", true));
  CHECK(contains(*killed, "\"was_leader\":true"));

  shell.send("leader");
  const auto changed =
      shell.expect_event("leader_changed", kDeadline);
  REQUIRE(changed);
  CHECK(json_uint(*changed, "previous") == leader);
  CHECK(json_uint(*changed, "election_ms"));
  const auto new_leader = json_uint(*changed, "node");
  REQUIRE(new_leader);
  CHECK(*new_leader != *leader);
  const auto answer = shell.expect_result("leader", kDeadline);
  REQUIRE(answer);
  CHECK(json_uint(*answer, "leader") == new_leader);

  shell.send("get a");
  const auto got = shell.expect_result("get", kDeadline);
  REQUIRE(got);
  CHECK(contains(*got, "\"value\":\"1\""));
  shell.send("put b 2");
  REQUIRE(is_result(shell.expect_result("put", kDeadline).value_or(""), "put", true));
  shell.send("status");
  const auto status = shell.expect_result("status", kDeadline);
  REQUIRE(status);
  CHECK(contains(*status, "{\"id\":" + std::to_string(*leader) + ",\"state\":\"down\""));

  shell.send("get a --from " + std::to_string(*leader) + " --stale");
  const auto from_dead = shell.expect_result("get", kDeadline);
  REQUIRE(from_dead);
  CHECK(contains(*from_dead, "\"code\":\"unavailable\",\"message\":\"node " +
                                 std::to_string(*leader) + " is down\""));

  shell.send("restart " + std::to_string(*leader));
  const auto restarted = shell.expect_result("restart", kDeadline);
  REQUIRE(restarted);
  CHECK(is_result(*restarted, "restart", true));
  // Catch-up: the restarted node's local state gets the write it missed. Ask until it has it.
  bool caught_up = false;
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (!caught_up && std::chrono::steady_clock::now() < until) {
    shell.send("get b --from " + std::to_string(*leader) + " --stale");
    const auto read = shell.expect_result("get", kDeadline);
    REQUIRE(read);
    caught_up = is_result(*read, "get", true) && contains(*read, "\"value\":\"2\"") &&
                json_uint(*read, "node") == leader;
  }
  CHECK(caught_up);
  shell.close_input();
  CHECK(shell.expect_event("stopped", kDeadline));
  CHECK(shell.wait_exit(kDeadline).has_value());
  CHECK(live_node_pids(dir).empty());
}

TEST_CASE("shell: a second shell and one-shot commands share the cluster of the first",
          "[shell]") {
  TempDir tmp;
  const std::string dir = cluster_dir(tmp);
  ShellDriver first(ShellDriver::Mode::pipes, MEADOW_BINARY,
                    {"--data-dir", dir, "--output", "json"}, dir);
  const auto leader = json_uint(first.expect_event("ready", kDeadline).value_or(""), "leader");
  REQUIRE(leader);
  const std::uint64_t follower = *leader == 1 ? 2 : 1;
  first.send("put from-first 1");
  REQUIRE(is_result(first.expect_result("put", kDeadline).value_or(""), "put", true));

  // A second shell attaches, reads the first one's write, writes, and kills a follower.
  const RunResult second = run({MEADOW_BINARY, "shell", "--attach", dir, "--output", "json"},
                               "get from-first\nput from-second 2\nkill " +
                                   std::to_string(follower) + "\nexit\n");
  INFO(second.out << second.err);
  CHECK(second.exit_code == 0);
  const auto results = results_of(second.out);
  REQUIRE(results.size() == 4);
  CHECK(contains(results[0], "\"value\":\"1\""));
  CHECK(is_result(results[1], "put", true));
  CHECK(is_result(results[2], "kill", true));
  CHECK_FALSE(contains(second.out, "\"event\":\"stopped\""));  // attached: never stops nodes

  first.send("get from-second");
  const auto got = first.expect_result("get", kDeadline);
  REQUIRE(got);
  CHECK(contains(*got, "\"value\":\"2\""));
  first.send("start " + std::to_string(follower));
  REQUIRE(is_result(first.expect_result("start", kDeadline).value_or(""), "start", true));

  // One-shot commands through the manifest and through explicit endpoints.
  const RunResult get = run({MEADOW_BINARY, "get", "from-second", "--attach", dir});
  CHECK(get.exit_code == 0);
  CHECK(get.out == "2\n");
  const RunResult missing = run({MEADOW_BINARY, "get", "nope", "--attach", dir});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "error: key nope not found\n");
  const RunResult status = run({MEADOW_BINARY, "status", "--attach", dir, "--output", "json"});
  CHECK(status.exit_code == 0);
  CHECK(is_result(status.out, "status", true));
  std::string error;
  const auto manifest = transport::read_manifest(dir + "/cluster.toml", error);
  REQUIRE(manifest);
  std::string endpoints;
  for (const auto& n : manifest->nodes)
    endpoints += (endpoints.empty() ? "" : ",") + std::to_string(n.id) + "=" + n.client_endpoint;
  const RunResult put = run({MEADOW_BINARY, "put", "one shot", "v", "--connect", endpoints,
                             "--cluster-id", manifest->cluster_id, "--output", "json"});
  CHECK(put.exit_code == 0);
  CHECK(is_result(put.out, "put", true));
  const RunResult scan = run({MEADOW_BINARY, "scan", "one", "--connect", endpoints,
                              "--cluster-id", manifest->cluster_id});
  CHECK(scan.exit_code == 0);
  CHECK(scan.out == "1) \"one shot\" = v\n(1 key)\n");
  // Another cluster's id: the nodes drop the requests unanswered, and the error says what to check.
  const RunResult foreign = run({MEADOW_BINARY, "get", "x", "--connect", endpoints,
                                 "--cluster-id", "not-this-cluster", "--timeout", "500"});
  CHECK(foreign.exit_code == 1);
  CHECK(contains(foreign.err, "is --cluster-id right?"));
  const RunResult no_target = run({MEADOW_BINARY, "get", "x"});
  CHECK(no_target.exit_code == 1);
  CHECK(contains(no_target.err, "--attach"));

  first.close_input();
  const auto stopped = first.expect_event("stopped", kDeadline);
  REQUIRE(stopped);
  CHECK(*stopped == "{\"event\":\"stopped\",\"nodes\":[1,2,3]}");
  CHECK(first.wait_exit(kDeadline).has_value());
  CHECK(live_node_pids(dir).empty());
}

TEST_CASE("shell: data survives a shell restart and mismatched or foreign data is refused",
          "[shell]") {
  TempDir tmp;
  const std::string dir = cluster_dir(tmp);
  const RunResult put = run(shell_argv(dir, {"-c", "put kept \"across restarts\""}));
  INFO(put.out << put.err);
  CHECK(put.exit_code == 0);
  CHECK(contains(put.out, "OK (index"));
  CHECK(contains(put.out, "Stopped nodes 1, 2, 3."));
  CHECK(live_node_pids(dir).empty());

  const RunResult get = run(shell_argv(dir, {"-c", "get kept"}));
  CHECK(get.exit_code == 0);
  CHECK(contains(get.out, "\n\"across restarts\"\n"));

  const RunResult other_count = run(shell_argv(dir, {"--nodes", "5", "-c", "status"}));
  CHECK(other_count.exit_code == 1);
  CHECK(contains(other_count.err, "holds a 3-node cluster, not 5 nodes"));

  const RunResult unconfirmed = run(shell_argv(dir, {"--fresh", "-c", "status"}));
  CHECK(unconfirmed.exit_code == 1);
  CHECK(contains(unconfirmed.err, "add --yes to confirm"));

  const RunResult fresh =
      run(shell_argv(dir, {"--fresh", "--yes", "--nodes", "1", "--output", "json", "-c", "get kept"}));
  CHECK(fresh.exit_code == 1);
  CHECK(contains(fresh.out, "\"code\":\"not_found\""));
  CHECK(contains(fresh.out, "{\"event\":\"stopped\",\"nodes\":[1]}"));

  const std::string foreign = (tmp.path() / "foreign").string();
  std::filesystem::create_directories(foreign + "/stuff");
  const RunResult refused = run(shell_argv(foreign, {"-c", "status"}));
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "is not a meadow cluster directory"));
  CHECK(std::filesystem::exists(foreign + "/stuff"));

  // Nodes that cannot start (timing flags they reject) fail the launch at once, saying why.
  const RunResult rejected = run(shell_argv(dir + "3", {"--heartbeat-ms", "500", "-c", "status"}));
  CHECK(rejected.exit_code == 1);
  CHECK(contains(rejected.err, "no leader elected; node 1 exited: meadow node: "));
  CHECK(live_node_pids(dir + "3").empty());

  const RunResult bad_nodes = run(shell_argv(dir + "2", {"--nodes", "10", "-c", "status"}));
  CHECK(bad_nodes.exit_code != 0);
  const RunResult attach_nothing = run({MEADOW_BINARY, "shell", "--attach", foreign, "-c", "status"});
  CHECK(attach_nothing.exit_code == 1);
  CHECK(contains(attach_nothing.err, "cannot read cluster manifest"));
  CHECK(live_node_pids(dir).empty());
}

TEST_CASE("shell: --keep leaves the nodes running and a second launch points to --attach",
          "[shell]") {
  TempDir tmp;
  const std::string dir = cluster_dir(tmp);
  const RunResult kept = run(shell_argv(dir, {"--keep", "-c", "put a 1"}));
  INFO(kept.out << kept.err);
  CHECK(kept.exit_code == 0);
  CHECK(contains(kept.out, "Nodes left running; attach with: meadow shell --attach " + dir));
  CHECK(live_node_pids(dir).size() == 3);

  const RunResult again = run(shell_argv(dir, {"-c", "status"}));
  CHECK(again.exit_code == 1);
  CHECK(contains(again.err, "is already running"));
  CHECK(contains(again.err, "meadow shell --attach"));

  const RunResult attached =
      run({MEADOW_BINARY, "shell", "--attach", dir, "-c", "get a; stop 1; stop 2; stop 3; stop 3"});
  CHECK(attached.exit_code == 1);  // the last stop fails: node 3 is already down
  CHECK(contains(attached.out, "1\nnode 1 stopped"));
  CHECK(contains(attached.err, "error: node 3 is not running (already down)"));
  CHECK(live_node_pids(dir).empty());
}

}  // namespace meadow::test

namespace meadow::test {

TEST_CASE("shell: a key or value over the limit is refused at once as too_large", "[shell]") {
  TempDir tmp;
  const std::string dir = cluster_dir(tmp);
  const std::string script = "put " + std::string(4097, 'k') + " v\n" +
                             "put k " + std::string(1024 * 1024 + 1, 'v') + "\n" +
                             "delete " + std::string(4097, 'k') + "\n" + "get k\n";
  const RunResult r = run(shell_argv(dir, {"--nodes", "1", "--output", "json"}), script);
  INFO(r.err);
  const auto results = results_of(r.out);
  REQUIRE(results.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(contains(results[i], "\"code\":\"too_large\""));
    CHECK(contains(results[i], "exceeds the limit of"));
  }
  CHECK(contains(results[1], "value of 1048577 bytes"));
  CHECK(contains(results[3], "\"code\":\"not_found\""));  // nothing was written
  CHECK(live_node_pids(dir).empty());
}

TEST_CASE("shell: expect fails does not pass on a mistyped or misused command", "[shell]") {
  // No node needs to answer: the inner command never reaches one.
  const std::string endpoint = "1=tcp://127.0.0.1:" + std::to_string(free_port());
  for (const char* command : {"pyt k v", "put k"}) {
    const RunResult r = run({MEADOW_BINARY, "shell", "--connect", endpoint, "--output", "json",
                             "-c", std::string("expect fails ") + command});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const auto results = results_of(r.out);
    REQUIRE(results.size() == 1);
    CHECK(is_result(results[0], "expect", false));
    CHECK((contains(r.out, "unknown_command") || contains(r.out, "invalid_arguments")));
  }
}

}  // namespace meadow::test
