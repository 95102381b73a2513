// Process tests of the shell's fault injection (label cluster): one scripted `--output json`
// session per fault kind, asserting which side keeps a leader, that the minority refuses
// writes with a clear error, and that after `heal` every node has applied the same index and
// holds the same data, with no acknowledged write lost. Real nodes on free loopback ports.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <sstream>

#include "tests/shell/shell_driver.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace meadow::test {
namespace {

using namespace std::chrono_literals;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// The JSON command results of a transcript, in order.
std::vector<std::string> results_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("{\"command\":", 0) == 0) out.push_back(line);
  return out;
}

/// Runs `script` in a fresh 3-node shell with JSON output; appends a verification block that
/// reads every key `w1`..`wN` from every node's local state after convergence.
struct Run {
  RunResult process;
  std::vector<std::string> results;
};

Run run_experiment(const std::string& script, int writes) {
  TempDir tmp;
  const std::string dir = std::filesystem::weakly_canonical(tmp.path()).string() + "/cluster";
  std::string verify = "heal\nexpect converged within 10s\n";
  for (int node = 1; node <= 3; ++node)
    for (int i = 1; i <= writes; ++i)
      verify += "get w" + std::to_string(i) + " --from " + std::to_string(node) + " --stale\n";
  Run out;
  out.process = run({MEADOW_BINARY, "shell", "--data-dir", dir, "--output", "json", "--timeout",
                     "3000"},
                    script + verify, 3min);
  out.results = results_of(out.process.out);
  CHECK(live_node_pids(dir).empty());
  return out;
}

/// The checks every experiment ends with: the script's expects held; every node holds the same
/// value for each key; every acknowledged `put wI I` is there.
void check_converged_and_nothing_lost(const Run& run, int writes) {
  INFO(run.process.out << run.process.err);
  CHECK(run.process.exit_code == 0);
  std::map<std::string, std::vector<std::string>> reads;  // key -> the result per node
  std::map<std::string, bool> acknowledged;
  for (const auto& r : run.results) {
    const auto key_at = r.find("\"key\":\"w");
    if (key_at == std::string::npos) continue;
    const std::string key = r.substr(key_at + 7, r.find('"', key_at + 7) - key_at - 7);
    if (r.rfind("{\"command\":\"put\",\"ok\":true", 0) == 0) acknowledged[key] = true;
    if (r.rfind("{\"command\":\"get\"", 0) == 0) {
      // Keep only the value: the read info names the node that answered.
      const auto value_at = r.find("\"value\":");
      reads[key].push_back(value_at == std::string::npos
                               ? "missing"
                               : r.substr(value_at, r.find(",\"read\"", value_at) - value_at));
    }
  }
  int acked = 0;
  for (int i = 1; i <= writes; ++i) {
    const std::string key = "w" + std::to_string(i);
    INFO(key);
    REQUIRE(reads[key].size() == 3);
    // The same value and applied index on every node (the stale read reports both).
    CHECK(reads[key][0] == reads[key][1]);
    CHECK(reads[key][1] == reads[key][2]);
    if (acknowledged[key]) {
      ++acked;
      CHECK(contains(reads[key][0], "\"value\":\"" + std::to_string(i) + "\""));
    }
  }
  CHECK(acked > 0);
}

std::string writes(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i)
    out += "put w" + std::to_string(i) + " " + std::to_string(i) + "\n";
  return out;
}

}  // namespace

TEST_CASE("faults: an isolated leader loses leadership, refuses writes, and catches up after heal",
          "[faults]") {
  const Run run = run_experiment(
      "wait leader\nset old leader\n" + writes(1, 3) +
          "isolate $old\n"
          "expect leader != $old within 10s\n"
          "expect status $old role != leader within 10s\n"
          "expect fails put lost 1 --to $old\n" +
          writes(4, 6) + "faults\nstatus\n",
      6);
  check_converged_and_nothing_lost(run, 6);
  bool refused = false, shown = false, rejoined = false;
  for (const auto& r : run.results) {
    // heal reports the deposed leader's return.
    if (r.rfind("{\"command\":\"heal\"", 0) == 0)
      rejoined = contains(r, "\"converged\":true,\"rejoined\":[") && !contains(r, "\"rejoined\":[]");
    // The minority side refuses the write with a clear error, not a silent success.
    if (contains(r, "\"expectation\":\"fails put lost"))
      refused = contains(r, "it failed: put refused: node ") && contains(r, "is not the leader");
    if (r.rfind("{\"command\":\"faults\"", 0) == 0) shown = contains(r, "drop_out={");
  }
  CHECK(refused);
  CHECK(shown);
  CHECK(rejoined);
}

TEST_CASE("faults: a partitioned follower is a minority: the leader keeps writing", "[faults]") {
  const Run run = run_experiment(
      "wait leader\nset boss leader\nset lonely follower\n" + writes(1, 2) +
          "partition $lonely | rest\n"
          "expect leader == $boss\n" +
          writes(3, 5) +
          "expect fails get w3 --from $lonely\n"
          "expect fails put x 1 --to $lonely\n"
          "expect status $lonely faults != none\n",
      5);
  check_converged_and_nothing_lost(run, 5);
}

TEST_CASE("faults: a one-way partition from the leader to a follower heals", "[faults]") {
  const Run run = run_experiment(
      "wait leader\nset boss leader\nset f follower\n" + writes(1, 2) +
          "partition --oneway $boss -> $f\n"
          "expect status $f faults != none\n" +
          writes(3, 4) + "wait leader 10s\n" + writes(5, 6),
      6);
  check_converged_and_nothing_lost(run, 6);
}

TEST_CASE("faults: delayed and lossy links slow writes but lose none", "[faults]") {
  const Run run = run_experiment(
      "wait leader\nset boss leader\nset f follower\n"
      "delay $boss 20ms jitter 10ms\n"
      "drop $f 30%\n"
      "expect status $boss faults != none\n" +
          writes(1, 6),
      6);
  check_converged_and_nothing_lost(run, 6);
  // Every write succeeded: a delay and some loss cost time, not availability.
  int ok_puts = 0;
  for (const auto& r : run.results)
    if (r.rfind("{\"command\":\"put\",\"ok\":true", 0) == 0) ++ok_puts;
  CHECK(ok_puts == 6);
}

TEST_CASE("faults: a paused leader is replaced and follows after resume", "[faults]") {
  const Run run = run_experiment(
      "wait leader\nset old leader\n" + writes(1, 2) +
          "pause $old\n"
          "expect status $old state == paused\n"
          "expect leader != $old within 10s\n" +
          writes(3, 4) +
          "resume $old\n"
          "expect status $old role == follower within 10s\n",
      4);
  check_converged_and_nothing_lost(run, 4);
}

TEST_CASE("faults: a restart clears a node's faults", "[faults]") {
  const Run run = run_experiment(
      "wait leader\nset f follower\n"
      "isolate $f\n"
      "expect status $f faults != none\n"
      "restart $f\n"
      "expect status $f faults == none\n" +
          writes(1, 2),
      2);
  check_converged_and_nothing_lost(run, 2);
}

}  // namespace meadow::test
