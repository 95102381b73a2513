// Runs every scenario script in examples/scenarios (label cluster): each is fed to a fresh
// `meadow shell` on stdin and must exit 0, i.e. every `expect` in it held. So the examples in
// the README cannot rot. A failure prints the script's transcript.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/shell/shell_driver.h"
#include "tests/support/temp_dir.h"

namespace meadow::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::filesystem::path> scenario_scripts() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(MEADOW_SCENARIO_DIR))
    if (entry.path().extension() == ".meadow") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("examples: every scenario script runs and all its expectations hold", "[examples]") {
  const auto scripts = scenario_scripts();
  REQUIRE(scripts.size() >= 4);
  for (const auto& script : scripts) {
    DYNAMIC_SECTION(script.filename().string()) {
      TempDir tmp;
      const std::string dir =
          std::filesystem::weakly_canonical(tmp.path()).string() + "/cluster";
      std::ifstream in(script);
      std::stringstream text;
      text << in.rdbuf();
      ShellDriver shell(ShellDriver::Mode::pipes, MEADOW_BINARY, {"--data-dir", dir}, dir);
      shell.type(text.str());
      shell.close_input();
      // Read to the end (the shell stops its nodes and exits when the script ends).
      shell.expect_line([](const std::string&) { return false; }, 120s);
      const auto code = shell.wait_exit(30s);
      INFO(script.string() << "\n" << shell.transcript());
      REQUIRE(code.has_value());
      CHECK(*code == 0);
      CHECK(live_node_pids(dir).empty());
    }
  }
}

}  // namespace meadow::test
