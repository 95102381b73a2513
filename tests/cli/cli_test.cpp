// The `meadow` front door: help, version, and CLI11's errors for unknown input.
#include "tests/support/subprocess.h"

#include <catch2/catch.hpp>

using meadow::test::run;

TEST_CASE("cli: --version prints the version and exits 0", "[cli]") {
  auto r = run({MEADOW_BINARY, "--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("meadow ", 0) == 0);
}

TEST_CASE("cli: --help describes meadow and exits 0", "[cli]") {
  auto r = run({MEADOW_BINARY, "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Raft key-value store") != std::string::npos);
}

TEST_CASE("cli: an unknown flag is a clear error with a non-zero exit, not a crash", "[cli]") {
  auto r = run({MEADOW_BINARY, "--no-such-flag"});
  CHECK(r.exit_code != 0);
  CHECK(r.exit_code < 128);  // an exit, not a signal
  CHECK(r.err.find("--no-such-flag") != std::string::npos);
}

TEST_CASE("cli: an unknown subcommand is a clear error with a non-zero exit", "[cli]") {
  auto r = run({MEADOW_BINARY, "frobnicate"});
  CHECK(r.exit_code != 0);
  CHECK(r.exit_code < 128);
  CHECK(r.err.find("frobnicate") != std::string::npos);
}
