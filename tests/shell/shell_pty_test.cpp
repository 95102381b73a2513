// The interactive shell through a pseudo-terminal (label cluster): the prompt shows the
// cluster's state, tab completes, Ctrl-C drops the typed line, killing the leader is reported
// with the election that follows, an event from another shell is printed without garbling the
// line being typed, and Ctrl-D stops the nodes.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/shell/shell_driver.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace meadow::test {
namespace {

using namespace std::chrono_literals;
constexpr auto kDeadline = 30s;

/// The leader id in a prompt "meadow [3 nodes, leader 2]> " at the end of `text`.
std::optional<std::uint64_t> prompt_leader(const std::string& text) {
  const auto at = text.rfind("leader ");
  if (at == std::string::npos) return std::nullopt;
  return std::stoull(text.substr(at + 7));
}

}  // namespace

TEST_CASE("shell: the interactive shell completes, reports failover and keeps the typed line",
          "[shell]") {
  TempDir tmp;
  const std::string dir = std::filesystem::weakly_canonical(tmp.path()).string() + "/cluster";
  ShellDriver shell(ShellDriver::Mode::pty, MEADOW_BINARY, {"--data-dir", dir}, dir,
                    {"NO_COLOR=1", "TERM=xterm"});
  const auto banner = shell.expect_text("]> ", kDeadline);
  REQUIRE(banner);
  CHECK(banner->find("3-node cluster launched") != std::string::npos);
  CHECK(banner->find("meadow [3 nodes, leader ") != std::string::npos);
  const auto leader = prompt_leader(*banner);
  REQUIRE(leader);

  // Tab completes a unique command name ("statu" alone would be an unknown command).
  shell.type("statu\t");
  REQUIRE(shell.expect_text("s ", kDeadline));
  shell.send("");
  REQUIRE(shell.expect_text("node  member  role", kDeadline));
  REQUIRE(shell.expect_text("]> ", kDeadline));

  // Ctrl-C drops the line being typed; the shell and its nodes (own process group) stay.
  shell.type("put interrupted line\x03");
  REQUIRE(shell.expect_text("^C", kDeadline));
  REQUIRE(shell.expect_text("]> ", kDeadline));
  shell.send("get interrupted");
  REQUIRE(shell.expect_text("error: key interrupted not found", kDeadline));
  REQUIRE(shell.expect_text("meadow [3 nodes, leader ", kDeadline));
  REQUIRE(shell.expect_text("]> ", kDeadline));

  // Kill the leader: the kill is reported, then the election between prompts.
  shell.send("kill " + std::to_string(*leader));
  REQUIRE(shell.expect_text("node " + std::to_string(*leader) + " killed (was leader, term ",
                            kDeadline));
  const auto elected = shell.expect_text(" ms", kDeadline);
  REQUIRE(elected);
  CHECK(elected->find("elected leader for term") != std::string::npos);
  const auto prompt = shell.expect_text("]> ", kDeadline);
  REQUIRE(prompt);
  CHECK(prompt->find("meadow [3 nodes, 1 down, leader ") != std::string::npos);
  const auto new_leader = prompt_leader(*prompt);
  REQUIRE(new_leader);
  CHECK(*new_leader != *leader);

  // A second shell stops the new leader while a line is half typed here: the event is printed
  // and the half-typed line comes back after the prompt, where typing goes on.
  shell.type("put half");
  REQUIRE(shell.expect_text("put half", kDeadline));
  const RunResult other = run({MEADOW_BINARY, "shell", "--attach", dir, "-c",
                               "restart " + std::to_string(*leader) + "; stop " +
                                   std::to_string(*new_leader)});
  CHECK(other.exit_code == 0);
  const auto redrawn = shell.expect_text("elected leader for term", kDeadline);
  REQUIRE(redrawn);
  REQUIRE(shell.expect_text("]> put half", kDeadline));
  shell.send(" typed");
  REQUIRE(shell.expect_text("OK (index ", kDeadline));
  shell.send("get half");
  REQUIRE(shell.expect_text("typed", kDeadline));
  REQUIRE(shell.expect_text("]> ", kDeadline));  // Ctrl-D only means EOF at an empty prompt

  shell.close_input();
  const bool stopped = shell.expect_text("Stopped nodes", kDeadline).has_value();
  UNSCOPED_INFO(shell.transcript());
  CHECK(stopped);
  CHECK(shell.wait_exit(kDeadline) == 0);
  CHECK(live_node_pids(dir).empty());
  CHECK(std::filesystem::exists(dir + "/.meadow_history"));
}

}  // namespace meadow::test
