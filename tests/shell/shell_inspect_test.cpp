// Process tests of the inspection commands (label cluster): transfer-leader, the logs side by
// side with a deposed leader's divergent suffix that heal truncates, read-only SQL, and the
// timeline with background load — one scripted `--output json` session on real nodes.
#include <catch2/catch.hpp>

#include <filesystem>
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

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("inspect: transfer, logs that diverge and heal, sql, timeline under load", "[inspect]") {
  TempDir tmp;
  const std::string dir = std::filesystem::weakly_canonical(tmp.path()).string() + "/cluster";
  const std::string script =
      "wait leader\nset old leader\nset f follower\n"
      "put a 1\nput b 2\n"
      "transfer-leader $f\n"
      "expect leader == $f\n"
      "sql $f SELECT key, value FROM kv ORDER BY key\n"
      "expect fails sql $f DELETE FROM kv\n"
      "load start 100\n"
      "timeline 1500ms\n"
      "load stop\n"
      // A deposed leader's uncommitted suffix: cut the leader off, make it append, let the
      // majority move on, then heal.
      "isolate $f\n"
      "expect fails put lost 1 --to $f\n"
      "expect leader != $f within 10s\n"
      "put c 3\n"
      "log --last 3\n"
      "heal\n"
      "expect converged within 10s\n"
      "log --last 3\n"
      "expect get lost == missing\n"
      "events --last 100\n";
  const RunResult r = run({MEADOW_BINARY, "shell", "--data-dir", dir, "--output", "json",
                           "--timeout", "3000"},
                          script, 3min);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const auto result = [&](const std::string& command, std::size_t nth = 0) {
    const auto all = lines_starting(r.out, "{\"command\":\"" + command + "\"");
    return nth < all.size() ? all[nth] : std::string();
  };
  CHECK(contains(result("transfer-leader"), "\"ok\":true"));
  CHECK(contains(result("sql"), "\"rows\":[[\"x'61'\",\"x'31'\"],[\"x'62'\",\"x'32'\"]]"));
  CHECK(contains(result("expect", 1), "refused"));
  const std::string stopped = result("load", 1);
  CHECK(contains(stopped, "\"ok\":true"));
  CHECK_FALSE(contains(stopped, "\"ok\":0,"));
  CHECK(!lines_starting(r.out, "{\"event\":\"load\"").empty());
  CHECK(!lines_starting(r.out, "{\"event\":\"commits\"").empty());
  // Before heal the cut-off leader's entry differs from the majority's at the same index.
  const std::string before = result("log", 0);
  CHECK(contains(before, "\"ok\":true"));
  CHECK_FALSE(contains(before, "\"diverged_at\":null"));
  CHECK(contains(before, "put lost=1"));
  const std::string after = result("log", 1);
  CHECK(contains(after, "\"diverged_at\":null"));
  CHECK_FALSE(contains(after, "put lost=1"));
  const std::string events = result("events");
  CHECK(contains(events, "\"event\":\"fault\""));
  CHECK(contains(events, "\"event\":\"leader_changed\""));
  CHECK(contains(events, "\"event\":\"load_stopped\""));
  CHECK(live_node_pids(dir).empty());
}

}  // namespace meadow::test
