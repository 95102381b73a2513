// The Raft log: append, conflicting-suffix truncation, compaction, ranged reads, checksums.
#include <sqlite3.h>

#include "tests/store/store_test_util.h"

using namespace meadow::store;
using namespace meadow::store::test;
using meadow::test::TempDir;

TEST_CASE("store log: an empty log answers its boundaries", "[store][log]") {
  TempDir dir;
  Store store = open_ok(dir);
  CHECK(store.term(0).value() == 0);
  CHECK(store.entries(1, 1).value().empty());
  CHECK(store.entries(1, 2).status().code() == StatusCode::unavailable);
  CHECK(store.term(1).status().code() == StatusCode::unavailable);
  CHECK(store.entries(0, 1).status().code() == StatusCode::compacted);
  CHECK(store.entries(2, 1).status().code() == StatusCode::invalid_argument);
  CHECK(store.truncate_suffix(1).is_ok());
  CHECK(store.delete_prefix(0).is_ok());
  CHECK(store.append({}).is_ok());
  CHECK(store.last_index() == 0);
}

TEST_CASE("store log: appended entries read back with their terms, across a reopen",
          "[store][log]") {
  TempDir dir;
  std::vector<LogEntry> written = entries(1, 6, 1);
  written.push_back(LogEntry{6, 2, 7, std::string("bin\0ary\xff", 8)});
  written.push_back(LogEntry{7, 2, 0, ""});
  {
    Store store = open_ok(dir);
    REQUIRE(store.append(written).is_ok());
    CHECK(store.first_index() == 1);
    CHECK(store.last_index() == 7);
    CHECK(store.entries(1, 8).value() == written);
    CHECK(store.entries(3, 5).value() ==
          std::vector<LogEntry>(written.begin() + 2, written.begin() + 4));
    CHECK(store.term(5).value() == 1);
    CHECK(store.term(6).value() == 2);
    CHECK(store.term(8).status().code() == StatusCode::unavailable);
  }
  Store store = open_ok(dir);
  CHECK(store.last_index() == 7);
  CHECK(store.entries(1, 8).value() == written);
}

TEST_CASE("store log: bad appends are rejected before anything is written", "[store][log]") {
  TempDir dir;
  Store store = open_ok(dir);
  REQUIRE(store.append(entries(1, 4, 2)).is_ok());
  // A gap after the last entry.
  CHECK(store.append(entries(5, 6, 2)).code() == StatusCode::invalid_argument);
  // Not contiguous inside the batch.
  std::vector<LogEntry> gap = {entry(4, 2), entry(6, 2)};
  CHECK(store.append(gap).code() == StatusCode::invalid_argument);
  // Terms going down inside the batch.
  std::vector<LogEntry> down = {entry(4, 3), entry(5, 2)};
  CHECK(store.append(down).code() == StatusCode::invalid_argument);
  // Index 0 is below the first index.
  CHECK(store.append(std::vector<LogEntry>{entry(0, 2)}).code() == StatusCode::invalid_argument);
  CHECK(store.last_index() == 3);
  CHECK(store.entries(1, 4).value() == entries(1, 4, 2));
}

TEST_CASE("store log: appending over a conflicting suffix replaces it", "[store][log]") {
  TempDir dir;
  Store store = open_ok(dir);
  REQUIRE(store.append(entries(1, 11, 1)).is_ok());
  SECTION("in the middle") {
    REQUIRE(store.append(entries(6, 8, 2)).is_ok());
    CHECK(store.last_index() == 7);
    auto all = store.entries(1, 8).value();
    CHECK(all[4] == entry(5, 1));
    CHECK(all[5] == entry(6, 2));
    CHECK(all[6] == entry(7, 2));
    CHECK(store.term(8).status().code() == StatusCode::unavailable);
  }
  SECTION("at the first index") {
    REQUIRE(store.append(entries(1, 3, 3)).is_ok());
    CHECK(store.last_index() == 2);
    CHECK(store.entries(1, 3).value() == entries(1, 3, 3));
  }
  SECTION("at the last index") {
    REQUIRE(store.append(entries(10, 12, 4)).is_ok());
    CHECK(store.last_index() == 11);
    CHECK(store.term(9).value() == 1);
    CHECK(store.term(10).value() == 4);
  }
  SECTION("just after the last index (a plain append)") {
    REQUIRE(store.append(entries(11, 12, 1)).is_ok());
    CHECK(store.last_index() == 11);
    CHECK(store.entries(1, 12).value() == entries(1, 12, 1));
  }
}

TEST_CASE("store log: truncate_suffix at its boundaries", "[store][log]") {
  TempDir dir;
  Store store = open_ok(dir);
  REQUIRE(store.append(entries(1, 6, 1)).is_ok());
  CHECK(store.truncate_suffix(6).is_ok());  // beyond the end: nothing to do
  CHECK(store.last_index() == 5);
  CHECK(store.truncate_suffix(5).is_ok());  // exactly the last entry
  CHECK(store.last_index() == 4);
  CHECK(store.truncate_suffix(0).code() == StatusCode::invalid_argument);
  CHECK(store.truncate_suffix(1).is_ok());  // everything
  CHECK(store.last_index() == 0);
  CHECK(store.first_index() == 1);
  CHECK(store.entries(1, 1).value().empty());
  REQUIRE(store.append(entries(1, 3, 2)).is_ok());
  CHECK(store.entries(1, 3).value() == entries(1, 3, 2));
}

TEST_CASE("store log: entries stops at max_bytes but returns at least one entry", "[store][log]") {
  TempDir dir;
  Store store = open_ok(dir);
  std::vector<LogEntry> ten;
  for (std::uint64_t i = 1; i <= 10; ++i) ten.push_back(LogEntry{i, 1, 0, std::string(10, 'a')});
  REQUIRE(store.append(ten).is_ok());
  CHECK(store.entries(1, 11, 0).value().size() == 1);
  CHECK(store.entries(1, 11, 9).value().size() == 1);
  CHECK(store.entries(1, 11, 10).value().size() == 1);
  CHECK(store.entries(1, 11, 25).value().size() == 2);
  CHECK(store.entries(1, 11, 30).value().size() == 3);
  CHECK(store.entries(1, 11, 100).value().size() == 10);
  CHECK(store.entries(4, 11, 20).value().front().index == 4);
}

TEST_CASE("store log: compaction deletes a prefix and keeps the term at its edge", "[store][log]") {
  TempDir dir;
  {
    Store store = open_ok(dir);
    std::vector<LogEntry> log = entries(1, 6, 1);
    for (auto& e : entries(6, 11, 2)) log.push_back(e);
    REQUIRE(store.append(log).is_ok());
    // Only applied entries may be compacted away.
    CHECK(store.delete_prefix(3).code() == StatusCode::invalid_argument);
    REQUIRE(store.apply({}, 7).ok());
    CHECK(store.delete_prefix(8).code() == StatusCode::invalid_argument);
    REQUIRE(store.delete_prefix(6).is_ok());
    CHECK(store.first_index() == 7);
    CHECK(store.last_index() == 10);
    CHECK(store.snapshot_meta() == SnapshotMeta{6, 2});
    CHECK(store.term(6).value() == 2);
    CHECK(store.term(5).status().code() == StatusCode::compacted);
    CHECK(store.entries(6, 8).status().code() == StatusCode::compacted);
    CHECK(store.entries(7, 11).value().size() == 4);
    CHECK(store.delete_prefix(3).is_ok());  // already gone: nothing to do
    CHECK(store.truncate_suffix(6).code() == StatusCode::invalid_argument);
    CHECK(store.append(std::vector<LogEntry>{entry(6, 2)}).code() == StatusCode::invalid_argument);
  }
  Store store = open_ok(dir);
  CHECK(store.first_index() == 7);
  CHECK(store.snapshot_meta() == SnapshotMeta{6, 2});
  CHECK(store.term(6).value() == 2);
}

TEST_CASE("store log: compacting everything leaves an empty log that appends continue",
          "[store][log]") {
  TempDir dir;
  Store store = open_ok(dir);
  REQUIRE(store.append(entries(1, 6, 3)).is_ok());
  REQUIRE(store.apply({}, 5).ok());
  REQUIRE(store.delete_prefix(5).is_ok());
  CHECK(store.first_index() == 6);
  CHECK(store.last_index() == 5);
  CHECK(store.term(5).value() == 3);
  CHECK(store.entries(6, 6).value().empty());
  CHECK(store.truncate_suffix(6).is_ok());
  REQUIRE(store.append(entries(6, 8, 4)).is_ok());
  CHECK(store.entries(6, 8).value() == entries(6, 8, 4));
  CHECK(store.check(true).is_ok());
}

TEST_CASE("store log: a corrupted entry is an error naming its index, never skipped",
          "[store][log]") {
  TempDir dir;
  const std::string path = (dir / "meadow.db").string();
  {
    Store store = open_ok(dir);
    REQUIRE(store.append(entries(1, 11, 1)).is_ok());
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "UPDATE log SET term = 9 WHERE idx = 4", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);
  Store store = open_ok(dir);  // only the last entry is checked at open
  auto read = store.entries(1, 11);
  REQUIRE_FALSE(read.ok());
  CHECK(read.status().code() == StatusCode::checksum_mismatch);
  CHECK(read.status().message().find("index 4") != std::string::npos);
  CHECK(read.status().message().find(path) != std::string::npos);
  CHECK(store.term(4).status().code() == StatusCode::checksum_mismatch);
  CHECK(store.entries(1, 4).value().size() == 3);
  CHECK(store.check().code() == StatusCode::checksum_mismatch);
  CHECK(store.last_index() == 10);
}
