// Read-only SQL on the store's connection: reading queries run, bounded; everything else is
// refused before it runs and changes nothing.
#include "tests/store/store_test_util.h"

using namespace meadow::store;
using namespace meadow::store::test;
using meadow::test::TempDir;
using namespace std::chrono_literals;

TEST_CASE("store query: a SELECT returns columns and rows as text", "[store][query]") {
  TempDir dir;
  Store store = open_ok(dir);
  REQUIRE(store.append(entries(1, 4, 2)).is_ok());
  REQUIRE(store.apply(std::vector<CommittedCommand>{put(1, "a", "1"), put(2, "b", std::string("\0\xff", 2))}, 2).ok());
  auto r = store.query_readonly("SELECT idx, term FROM log ORDER BY idx", 100, 1 << 20, 1000ms);
  REQUIRE(r.ok());
  CHECK(r->columns == std::vector<std::string>{"idx", "term"});
  CHECK(r->rows == std::vector<std::vector<std::string>>{{"1", "2"}, {"2", "2"}, {"3", "2"}});
  CHECK_FALSE(r->truncated);
  r = store.query_readonly("select key, value, NULL from kv order by key;  ", 100, 1 << 20, 1000ms);
  REQUIRE(r.ok());
  REQUIRE(r->rows.size() == 2);
  CHECK(r->rows[1] == std::vector<std::string>{"x'62'", "x'00ff'", "NULL"});
  r = store.query_readonly("SELECT idx FROM log", 2, 1 << 20, 1000ms);
  REQUIRE(r.ok());
  CHECK(r->rows.size() == 2);
  CHECK(r->truncated);
}

TEST_CASE("store query: anything but reading is refused and changes nothing", "[store][query]") {
  TempDir dir;
  Store store = open_ok(dir);
  REQUIRE(store.apply(std::vector<CommittedCommand>{put(1, "a", "1")}, 1).ok());
  const char* refused[] = {
      "DELETE FROM kv",
      "INSERT INTO kv VALUES (x'01', x'02')",
      "UPDATE applied SET applied_index = 99",
      "DROP TABLE kv",
      "CREATE TABLE t(x)",
      "PRAGMA journal_mode",
      "PRAGMA user_version = 7",
      "ATTACH DATABASE ':memory:' AS other",
      "BEGIN",
      "SELECT 1; DELETE FROM kv",
      "",
      "SELEC 1",
  };
  for (const char* sql : refused) {
    INFO(sql);
    const auto r = store.query_readonly(sql, 100, 1 << 20, 1000ms);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::invalid_argument);
  }
  CHECK(store.get("a").value() == std::optional<std::string>("1"));
  CHECK(store.applied_index() == 1);
  // The store still writes normally afterwards (no transaction left open, no authorizer left).
  REQUIRE(store.apply(std::vector<CommittedCommand>{put(2, "b", "2")}, 2).ok());
  CHECK(store.get("b").value() == std::optional<std::string>("2"));
}

TEST_CASE("store query: functions that reach outside the database are refused",
          "[store][query]") {
  TempDir dir;
  Store store = open_ok(dir);
  for (const char* sql : {"SELECT hex(fts3_tokenizer('simple'))",
                          "SELECT fts3_tokenizer('simple', x'4141414141414141')",
                          "SELECT FTS3_TOKENIZER('simple')",
                          "SELECT load_extension('/tmp/x.so')"}) {
    INFO(sql);
    const auto r = store.query_readonly(sql, 100, 1 << 20, 1000ms);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::invalid_argument);
  }
  // Ordinary functions still work.
  const auto ok = store.query_readonly("SELECT upper('a'), length('abc')", 100, 1 << 20, 1000ms);
  REQUIRE(ok.ok());
  CHECK(ok->rows.at(0) == std::vector<std::string>{"A", "3"});
}

TEST_CASE("store query: a query running too long is interrupted", "[store][query]") {
  TempDir dir;
  Store store = open_ok(dir);
  const auto r = store.query_readonly(
      "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
      100, 1 << 20, 50ms);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::busy);
  REQUIRE(store.apply(std::vector<CommittedCommand>{put(1, "a", "1")}, 1).ok());
}

TEST_CASE("store query: huge values are refused or cut, never built whole", "[store][query]") {
  TempDir dir;
  Store store = open_ok(dir);
  // A query that makes a gigabyte: SQLite refuses it at the length cap instead of allocating.
  auto r = store.query_readonly("SELECT zeroblob(1000000000)", 10, 1 << 20, 1000ms);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("too big"));
  // A value over the reply budget comes back cut, with its real size, and marked truncated.
  REQUIRE(store.apply(std::vector<CommittedCommand>{put(1, "big", std::string(100000, 'v'))}, 1).ok());
  r = store.query_readonly("SELECT CAST(value AS TEXT) FROM kv", 10, 1000, 1000ms);
  REQUIRE(r.ok());
  REQUIRE(r->rows.size() == 1);
  CHECK(r->rows[0][0] == std::string(1000, 'v') + "... (100000 bytes)");
  CHECK(r->truncated);
  // The cap is lifted afterwards: the store still writes values up to its own limit.
  REQUIRE(store.apply(std::vector<CommittedCommand>{put(2, "big2", std::string(1 << 20, 'w'))}, 2).ok());
}
