// The key-value state machine: apply, exactly-once sessions, binary keys, ordered scans.
#include "tests/store/store_test_util.h"

using namespace meadow::store;
using namespace meadow::store::test;
using meadow::test::TempDir;

namespace {

std::vector<std::string> keys_of(const std::vector<KeyValue>& kvs) {
  std::vector<std::string> out;
  for (const auto& kv : kvs) out.push_back(kv.key);
  return out;
}

}  // namespace

TEST_CASE("store state: put, get, delete and their outcomes", "[store][state]") {
  TempDir dir;
  Store store = open_ok(dir);
  auto results =
      store.apply(std::vector<CommittedCommand>{put(1, "a", "1"), put(2, "b", "2"),
                                                put(3, "a", "3"), del(4, "b"), del(5, "missing")},
                  6);
  REQUIRE(results.ok());
  std::vector<CommandResult> expected = {{Outcome::ok, false},
                                         {Outcome::ok, false},
                                         {Outcome::ok, false},
                                         {Outcome::ok, false},
                                         {Outcome::not_found, false}};
  CHECK(*results == expected);
  CHECK(store.applied_index() == 6);
  CHECK(store.get("a").value() == std::optional<std::string>("3"));
  CHECK(store.get("b").value() == std::nullopt);
  CHECK(store.count().value() == 1);
  auto noop = store.apply(std::vector<CommittedCommand>{{7, Command{}}}, 7);
  REQUIRE(noop.ok());
  CHECK(noop->at(0) == CommandResult{Outcome::ok, false});
  CHECK(store.count().value() == 1);
}

TEST_CASE("store state: keys and values are binary-safe", "[store][state]") {
  TempDir dir;
  Store store = open_ok(dir);
  const std::string zero("\0", 1), with_nul("a\0b", 3), high("\xff\xfe", 2);
  REQUIRE(store
              .apply(std::vector<CommittedCommand>{put(1, "", "empty key"), put(2, zero, with_nul),
                                                   put(3, with_nul, ""), put(4, high, high)},
                     4)
              .ok());
  CHECK(store.get("").value() == std::optional<std::string>("empty key"));
  CHECK(store.get(zero).value() == std::optional<std::string>(with_nul));
  CHECK(store.get(with_nul).value() == std::optional<std::string>(""));
  CHECK(store.get("a").value() == std::nullopt);
  CHECK(store.get(high).value() == std::optional<std::string>(high));
  CHECK(store.count().value() == 4);
}

TEST_CASE("store state: scans return keys in memcmp order with a limit", "[store][state]") {
  TempDir dir;
  Store store = open_ok(dir);
  // Inserted out of order; memcmp order is "", "\0", "a", "a\0", "ab", "b", "\x80", "\xff".
  const std::vector<std::string> keys = {"b", std::string("a\0", 2), "\xff", "ab",
                                         "",  std::string("\0", 1),  "\x80", "a"};
  std::vector<CommittedCommand> puts;
  for (std::size_t i = 0; i < keys.size(); ++i) puts.push_back(put(i + 1, keys[i], "v" + keys[i]));
  REQUIRE(store.apply(puts, keys.size()).ok());
  const std::vector<std::string> ordered = {
      "", std::string("\0", 1), "a", std::string("a\0", 2), "ab", "b", "\x80", "\xff"};
  CHECK(keys_of(store.scan_range("", "", 100).value()) == ordered);
  CHECK(keys_of(store.scan_range("", "", 3).value()) ==
        std::vector<std::string>(ordered.begin(), ordered.begin() + 3));
  CHECK(keys_of(store.scan_range("a", "b", 100).value()) ==
        std::vector<std::string>{"a", std::string("a\0", 2), "ab"});
  CHECK(keys_of(store.scan_range("ab", "", 100).value()) ==
        std::vector<std::string>{"ab", "b", "\x80", "\xff"});
  CHECK(store.scan_range("b", "a", 100).value().empty());
  CHECK(store.scan_range("a", "a", 100).value().empty());
  CHECK(store.scan_range("", "", 0).value().empty());
  CHECK(store.scan_range("a", "ab", 100).value().at(1).value == "v" + std::string("a\0", 2));

  CHECK(keys_of(store.scan_prefix("a", 100).value()) ==
        std::vector<std::string>{"a", std::string("a\0", 2), "ab"});
  CHECK(keys_of(store.scan_prefix("a", 2).value()) ==
        std::vector<std::string>{"a", std::string("a\0", 2)});
  CHECK(keys_of(store.scan_prefix("", 100).value()) == ordered);
  CHECK(keys_of(store.scan_prefix("\xff", 100).value()) == std::vector<std::string>{"\xff"});
  CHECK(keys_of(store.scan_prefix("\x80", 100).value()) == std::vector<std::string>{"\x80"});
  CHECK(store.scan_prefix("c", 100).value().empty());
}

TEST_CASE("store state: a retried command is applied once and answered from its session",
          "[store][state]") {
  TempDir dir;
  Store store = open_ok(dir);
  REQUIRE(store.apply(std::vector<CommittedCommand>{put(1, "k", "first", 42, 1)}, 1).ok());
  // The same (client, seq) again, e.g. a client retry that reached a new leader: not re-applied.
  auto retry = store.apply(std::vector<CommittedCommand>{put(2, "k", "second", 42, 1)}, 2);
  REQUIRE(retry.ok());
  CHECK(retry->at(0) == CommandResult{Outcome::ok, true});
  CHECK(store.get("k").value() == std::optional<std::string>("first"));
  // A delete that found nothing keeps that reply for its retries.
  REQUIRE(store.apply(std::vector<CommittedCommand>{del(3, "nope", 42, 2)}, 3).ok());
  auto again = store.apply(std::vector<CommittedCommand>{del(4, "nope", 42, 2)}, 4);
  CHECK(again->at(0) == CommandResult{Outcome::not_found, true});
  // An older sequence number than the last one: stale, not applied.
  auto old = store.apply(std::vector<CommittedCommand>{put(5, "k", "third", 42, 1)}, 5);
  CHECK(old->at(0) == CommandResult{Outcome::stale, true});
  CHECK(store.get("k").value() == std::optional<std::string>("first"));
  // Another client with the same seq is independent; client 0 has no session at all.
  auto other = store.apply(std::vector<CommittedCommand>{put(6, "k", "other", 43, 1),
                                                         put(7, "z", "1"), put(8, "z", "2")},
                           8);
  CHECK(other->at(0) == CommandResult{Outcome::ok, false});
  CHECK(other->at(2) == CommandResult{Outcome::ok, false});
  CHECK(store.get("k").value() == std::optional<std::string>("other"));
  CHECK(store.get("z").value() == std::optional<std::string>("2"));
  CHECK(store.session_count() == 2);
}

TEST_CASE("store state: duplicates inside one batch are caught too", "[store][state]") {
  TempDir dir;
  Store store = open_ok(dir);
  auto results =
      store.apply(std::vector<CommittedCommand>{put(1, "k", "a", 7, 1), put(2, "k", "b", 7, 1)}, 2);
  CHECK(results->at(1) == CommandResult{Outcome::ok, true});
  CHECK(store.get("k").value() == std::optional<std::string>("a"));
}

TEST_CASE("store state: the applied index and sessions survive a restart, so nothing re-applies",
          "[store][state]") {
  TempDir dir;
  {
    Store store = open_ok(dir);
    REQUIRE(store.apply(std::vector<CommittedCommand>{put(3, "counter", "1", 5, 10)}, 4).ok());
  }
  Store store = open_ok(dir);
  CHECK(store.applied_index() == 4);
  CHECK(store.session_count() == 1);
  auto retry = store.apply(std::vector<CommittedCommand>{put(5, "counter", "2", 5, 10)}, 5);
  CHECK(retry->at(0) == CommandResult{Outcome::ok, true});
  CHECK(store.get("counter").value() == std::optional<std::string>("1"));
}

TEST_CASE("store state: sessions are bounded, the least recently active client forgotten first",
          "[store][state]") {
  TempDir dir;
  OpenOptions o = options();
  o.max_sessions = 3;
  Store store = open_ok(dir, o);
  // Clients 1, 2, 3 write; client 1 writes again (most recent); client 4 pushes out client 2.
  REQUIRE(store
              .apply(std::vector<CommittedCommand>{put(1, "a", "1", 1, 1), put(2, "b", "1", 2, 1),
                                                   put(3, "c", "1", 3, 1), put(4, "a", "2", 1, 2),
                                                   put(5, "d", "1", 4, 1)},
                     5)
              .ok());
  CHECK(store.session_count() == 3);
  auto retries = store.apply(
      std::vector<CommittedCommand>{put(6, "b", "retry", 2, 1), put(7, "a", "retry", 1, 2)}, 7);
  REQUIRE(retries.ok());
  CHECK(retries->at(0) == CommandResult{Outcome::ok, false});  // forgotten: applied again
  CHECK(retries->at(1) == CommandResult{Outcome::ok, true});   // remembered
  CHECK(store.get("b").value() == std::optional<std::string>("retry"));
  CHECK(store.get("a").value() == std::optional<std::string>("2"));
  CHECK(store.session_count() == 3);
}

TEST_CASE("store state: out-of-order applies are rejected before anything changes",
          "[store][state]") {
  TempDir dir;
  Store store = open_ok(dir);
  REQUIRE(store.apply(std::vector<CommittedCommand>{put(1, "a", "1")}, 5).ok());
  // At or below the applied index.
  CHECK(store.apply(std::vector<CommittedCommand>{put(5, "a", "x")}, 6).status().code() ==
        StatusCode::invalid_argument);
  // Above the new applied index.
  CHECK(store.apply(std::vector<CommittedCommand>{put(8, "a", "x")}, 7).status().code() ==
        StatusCode::invalid_argument);
  // Not increasing.
  CHECK(store.apply(std::vector<CommittedCommand>{put(7, "a", "x"), put(6, "a", "y")}, 7)
            .status()
            .code() == StatusCode::invalid_argument);
  // The applied index going back.
  CHECK(store.apply({}, 4).status().code() == StatusCode::invalid_argument);
  // An op that does not exist.
  CommittedCommand bad{6, Command{0, 0, static_cast<Op>(9), "a", "x"}};
  CHECK(store.apply(std::vector<CommittedCommand>{bad}, 6).status().code() ==
        StatusCode::invalid_argument);
  CHECK(store.applied_index() == 5);
  CHECK(store.get("a").value() == std::optional<std::string>("1"));
  CHECK(store.apply({}, 5).ok());  // same index, nothing to apply: fine
}
