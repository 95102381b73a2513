// Opening: creation, reopening, and every kind of file that must be refused without being touched.
#include <sqlite3.h>

#include <filesystem>
#include <random>

#include "tests/store/store_test_util.h"

using namespace meadow::store;
using namespace meadow::store::test;
using meadow::test::TempDir;

namespace {

// A store with some of everything, closed again (so the file holds it all, no WAL left).
void fill(const TempDir& dir, std::uint64_t n_entries = 50) {
  Store store = open_ok(dir);
  WriteBatch batch;
  batch.hard_state = HardState{2, 1, n_entries};
  batch.entries = entries(1, n_entries + 1, 2);
  REQUIRE(store.write(batch).ok());
  std::vector<CommittedCommand> commands;
  for (std::uint64_t i = 1; i <= n_entries; ++i) {
    commands.push_back(put(i, "key-" + std::to_string(i), std::string(200, 'v'), 9, i));
  }
  REQUIRE(store.apply(commands, n_entries).ok());
}

// Expects `path` to be refused with `code` and a message naming the file; the file must be
// byte-for-byte unchanged afterwards.
void expect_refused(const std::string& path, StatusCode code, const OpenOptions& o = options()) {
  const std::string before = read_file(path);
  auto store = Store::open(path, o);
  REQUIRE_FALSE(store.ok());
  INFO(store.status().describe());
  CHECK(store.status().code() == code);
  CHECK(store.status().message().find(path) != std::string::npos);
  CHECK(read_file(path) == before);
}

}  // namespace

TEST_CASE("store: a new store starts empty with the documented initial state", "[store][open]") {
  TempDir dir;
  Store store = open_ok(dir);
  CHECK(std::filesystem::exists(dir / "meadow.db"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "meadow.db.creating"));
  CHECK(store.path() == (dir / "meadow.db").string());
  CHECK(store.first_index() == 1);
  CHECK(store.last_index() == 0);
  CHECK(store.hard_state() == HardState{});
  CHECK(store.snapshot_meta() == SnapshotMeta{});
  CHECK(store.applied_index() == 0);
  CHECK(store.count().value() == 0);
  CHECK(store.session_count() == 0);
  CHECK(store.durability() == Durability::full);
  CHECK(store.cluster_id() == "test-cluster");
  CHECK(store.node_id() == 1);
  CHECK(store.check(true).is_ok());
}

TEST_CASE("store: reopening keeps everything written", "[store][open]") {
  TempDir dir;
  fill(dir);
  OpenOptions o = options();
  o.durability = Durability::normal;
  o.create_if_missing = false;
  Store store = open_ok(dir, o);
  CHECK(store.durability() == Durability::normal);
  CHECK(store.hard_state() == HardState{2, 1, 50});
  CHECK(store.last_index() == 50);
  CHECK(store.applied_index() == 50);
  CHECK(store.count().value() == 50);
  CHECK(store.session_count() == 1);
  CHECK(store.entries(1, 51).value() == entries(1, 51, 2));
  CHECK(store.get("key-7").value() == std::string(200, 'v'));
}

TEST_CASE("store: a missing file with create_if_missing off is not_found and not created",
          "[store][open]") {
  TempDir dir;
  OpenOptions o = options();
  o.create_if_missing = false;
  auto store = Store::open((dir / "meadow.db").string(), o);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::not_found);
  CHECK_FALSE(std::filesystem::exists(dir / "meadow.db"));
}

TEST_CASE("store: leftovers of an interrupted creation do not matter", "[store][open]") {
  TempDir dir;
  write_file((dir / "meadow.db.creating").string(), "half-made garbage");
  Store store = open_ok(dir);
  CHECK(store.last_index() == 0);
  CHECK_FALSE(std::filesystem::exists(dir / "meadow.db.creating"));
}

TEST_CASE("store: invalid options are refused", "[store][open]") {
  TempDir dir;
  OpenOptions o = options("");
  CHECK(Store::open((dir / "a.db").string(), o).status().code() == StatusCode::invalid_argument);
  o = options();
  o.max_sessions = 0;
  CHECK(Store::open((dir / "a.db").string(), o).status().code() == StatusCode::invalid_argument);
  CHECK_FALSE(std::filesystem::exists(dir / "a.db"));
}

TEST_CASE("store: a database of another cluster is refused and left untouched", "[store][bad]") {
  TempDir dir;
  fill(dir);
  expect_refused((dir / "meadow.db").string(), StatusCode::wrong_cluster, options("other"));
  auto refused = Store::open((dir / "meadow.db").string(), options("other"));
  CHECK(refused.status().message().find("test-cluster") != std::string::npos);
  CHECK(refused.status().message().find("other") != std::string::npos);
  open_ok(dir);  // still fine for its own cluster
}

TEST_CASE("store: a refused file keeps its un-checkpointed WAL untouched too", "[store][bad]") {
  TempDir dir;
  const std::string path = (dir / "meadow.db").string();
  // A child writes and exits without closing, as a crash would: the commits live in the WAL.
  const int code = exit_code_in_child([&]() -> int {
    auto store = Store::open(path, options());
    _exit(store && store->append(entries(1, 20, 1)).is_ok() ? 0 : 1);  // still open: no checkpoint
  });
  REQUIRE(code == 0);
  const std::string wal_before = read_file(path + "-wal");
  REQUIRE_FALSE(wal_before.empty());
  expect_refused(path, StatusCode::wrong_node, options("test-cluster", 2));
  CHECK(read_file(path + "-wal") == wal_before);
  Store store = open_ok(dir);  // and the rightful owner finds every entry
  CHECK(store.last_index() == 19);
}

TEST_CASE("store: a database of another node id is refused and left untouched", "[store][bad]") {
  TempDir dir;
  fill(dir);
  expect_refused((dir / "meadow.db").string(), StatusCode::wrong_node, options("test-cluster", 2));
}

TEST_CASE("store: a database of a newer format is refused and left untouched", "[store][bad]") {
  TempDir dir;
  fill(dir);
  const std::string path = (dir / "meadow.db").string();
  raw_sql(path, "UPDATE meta SET format_version = " + std::to_string(kFormatVersion + 1));
  expect_refused(path, StatusCode::newer_format);
}

TEST_CASE("store: a file of random bytes is refused and left untouched", "[store][bad]") {
  TempDir dir;
  const std::string path = (dir / "meadow.db").string();
  std::mt19937_64 rng(1234);
  std::string bytes;
  for (int i = 0; i < 64 * 1024; ++i) bytes.push_back(static_cast<char>(rng() & 0xff));
  write_file(path, bytes);
  expect_refused(path, StatusCode::not_a_database);
}

TEST_CASE("store: an empty file is refused and left untouched", "[store][bad]") {
  TempDir dir;
  const std::string path = (dir / "meadow.db").string();
  write_file(path, "");
  expect_refused(path, StatusCode::not_a_database);
}

TEST_CASE("store: a truncated file is refused and left untouched", "[store][bad]") {
  TempDir dir;
  fill(dir, 2000);
  const std::string path = (dir / "meadow.db").string();
  const std::string whole = read_file(path);
  REQUIRE(whole.size() > 64 * 1024);
  // Cut at several places, page-aligned and not: always refused, never "repaired".
  for (std::size_t keep : {whole.size() / 2, whole.size() / 3 + 1000, std::size_t{4096 * 3}}) {
    INFO("truncated to " << keep << " of " << whole.size() << " bytes");
    write_file(path, whole.substr(0, keep));
    const std::string before = read_file(path);
    auto store = Store::open(path, options());
    REQUIRE_FALSE(store.ok());
    INFO(store.status().describe());
    CHECK((store.status().code() == StatusCode::corrupt ||
           store.status().code() == StatusCode::not_a_database));
    CHECK(store.status().message().find(path) != std::string::npos);
    CHECK(read_file(path) == before);
  }
}

TEST_CASE("store: a SQLite database that Meadow did not create is refused", "[store][bad]") {
  TempDir dir;
  const std::string path = (dir / "meadow.db").string();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(db);
  expect_refused(path, StatusCode::not_meadow);
}

TEST_CASE("store: a corrupt last log entry is refused at open, naming its index", "[store][bad]") {
  TempDir dir;
  fill(dir);
  const std::string path = (dir / "meadow.db").string();
  raw_sql(path, "UPDATE log SET payload = X'00' WHERE idx = 50");
  const std::string before = read_file(path);
  auto store = Store::open(path, options());
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::checksum_mismatch);
  CHECK(store.status().message().find("index 50") != std::string::npos);
  CHECK(read_file(path) == before);
}

TEST_CASE("store: a log with a hole is refused at open", "[store][bad]") {
  TempDir dir;
  fill(dir);
  const std::string path = (dir / "meadow.db").string();
  raw_sql(path, "DELETE FROM log WHERE idx = 20");
  expect_refused(path, StatusCode::corrupt);
}

TEST_CASE("store: a second process (or handle) on the same file gets busy", "[store][open]") {
  TempDir dir;
  Store first = open_ok(dir);
  REQUIRE(first.append(entries(1, 3, 1)).is_ok());
  auto second = Store::open((dir / "meadow.db").string(), options());
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::busy);
  CHECK(first.last_index() == 2);
  REQUIRE(first.append(entries(3, 4, 1)).is_ok());
}

TEST_CASE("store: a moved-from store refuses work instead of crashing", "[store][open]") {
  TempDir dir;
  Store first = open_ok(dir);
  Store second = std::move(first);
  CHECK(second.append(entries(1, 2, 1)).is_ok());
  CHECK(first.append(entries(1, 2, 1)).code() ==
        StatusCode::failed);  // NOLINT(bugprone-use-after-move)
}
