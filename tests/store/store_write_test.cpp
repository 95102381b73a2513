// The group-commit write (one Raft Ready in one transaction) and failure on the persist path.
#include <sys/resource.h>

#include <csignal>

#include "tests/store/store_test_util.h"

using namespace meadow::store;
using namespace meadow::store::test;
using meadow::test::TempDir;

TEST_CASE("store write: hard state, entries and applied commands land together", "[store][write]") {
  TempDir dir;
  {
    Store store = open_ok(dir);
    WriteBatch ready;
    ready.hard_state = HardState{3, 2, 2};
    ready.entries = entries(1, 4, 3);
    REQUIRE(store.write(ready).ok());
    WriteBatch next;
    next.hard_state = HardState{3, 2, 3};
    next.entries = entries(4, 6, 3);
    next.commands = {put(1, "x", "1", 11, 1), put(2, "y", "2", 11, 2)};
    next.applied_index = 3;  // index 3 is not a command (e.g. a leader's no-op)
    auto results = store.write(next);
    REQUIRE(results.ok());
    CHECK(results->size() == 2);
    CHECK(results->at(1) == CommandResult{Outcome::ok, false});
  }
  Store store = open_ok(dir);
  CHECK(store.hard_state() == HardState{3, 2, 3});
  CHECK(store.last_index() == 5);
  CHECK(store.entries(1, 6).value() == entries(1, 6, 3));
  CHECK(store.applied_index() == 3);
  CHECK(store.get("y").value() == std::optional<std::string>("2"));
  CHECK(store.session_count() == 1);
}

TEST_CASE("store write: the entries replace a conflicting suffix", "[store][write]") {
  TempDir dir;
  Store store = open_ok(dir);
  REQUIRE(store.append(entries(1, 8, 1)).is_ok());
  WriteBatch ready;
  ready.entries = entries(4, 6, 2);
  REQUIRE(store.write(ready).ok());
  CHECK(store.last_index() == 5);
  CHECK(store.term(3).value() == 1);
  CHECK(store.term(4).value() == 2);
}

TEST_CASE("store write: an invalid batch changes nothing at all", "[store][write]") {
  TempDir dir;
  Store store = open_ok(dir);
  REQUIRE(store.append(entries(1, 3, 1)).is_ok());
  WriteBatch bad;
  bad.hard_state = HardState{9, 9, 9};
  bad.entries = entries(3, 5, 1);
  bad.commands = {put(1, "k", "v")};  // commands without an applied index
  CHECK(store.write(bad).status().code() == StatusCode::invalid_argument);
  bad.applied_index = 0;  // ... or one below the command
  CHECK(store.write(bad).status().code() == StatusCode::invalid_argument);
  CHECK(store.hard_state() == HardState{});
  CHECK(store.last_index() == 2);
  CHECK(store.count().value() == 0);
  CHECK(store.write(WriteBatch{}).value().empty());
}

TEST_CASE("store write: a failed write is reported, rolled back, and stops the store",
          "[store][write]") {
  TempDir dir;
  const std::string path = (dir / "meadow.db").string();
  // The file size limit makes the WAL write fail with EFBIG, as a full disk would. It is a
  // process-wide setting, so the failing part runs in a child process of its own.
  const int code = exit_code_in_child([&] {
    auto opened = Store::open(path, options());
    if (!opened) return 10;
    Store& store = *opened;
    WriteBatch small;
    small.hard_state = HardState{1, 1, 0};
    small.entries = entries(1, 3, 1);
    if (!store.write(small).ok()) return 11;
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{1 << 20, 1 << 20};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 12;
    WriteBatch big;
    big.hard_state = HardState{2, 2, 0};
    big.entries = {LogEntry{3, 2, 0, std::string(4 << 20, 'x')}};
    auto failed = store.write(big);
    if (failed.ok()) return 13;
    if (failed.status().code() != StatusCode::io_error) return 14;
    if (failed.status().message().find(path) == std::string::npos) return 15;
    // Nothing of the batch is visible, and the store refuses further work.
    if (store.last_index() != 2 || !(store.hard_state() == HardState{1, 1, 0})) return 16;
    if (store.append(entries(3, 4, 1)).code() != StatusCode::failed) return 17;
    if (store.get("k").status().code() != StatusCode::failed) return 18;
    return 0;
  });
  INFO("child exit code (10-18 name the failed step in the test): " << code);
  CHECK(code == 0);
  // The file is intact and holds exactly what committed before the failure.
  Store store = open_ok(dir);
  CHECK(store.last_index() == 2);
  CHECK(store.hard_state() == HardState{1, 1, 0});
  CHECK(store.check(true).is_ok());
}
