// The cluster configuration the store keeps (format 2): the initial one recorded at creation,
// the one compaction moves to the snapshot row, config_at, an installed image's, and the
// upgrade of a format-1 file (which had none).
#include <map>

#include "tests/store/store_test_util.h"

using namespace meadow::store;
using namespace meadow::store::test;
using meadow::test::TempDir;

namespace {

OpenOptions with_config(std::string config) {
  OpenOptions o = options();
  o.initial_config = std::move(config);
  return o;
}

LogEntry config_entry(std::uint64_t index, std::string config) {
  return LogEntry{index, 1, kConfigEntryKind, std::move(config)};
}

/// Appends [from, to) with config entries at the given indexes and applies them all.
void append_applied(Store& store, std::uint64_t from, std::uint64_t to,
                    const std::map<std::uint64_t, std::string>& configs) {
  WriteBatch batch;
  for (std::uint64_t i = from; i < to; ++i) {
    auto it = configs.find(i);
    batch.entries.push_back(it == configs.end() ? entry(i, 1) : config_entry(i, it->second));
  }
  batch.applied_index = to - 1;
  REQUIRE(store.write(batch).ok());
}

}  // namespace

TEST_CASE("store: the initial configuration is recorded at creation and kept across restarts",
          "[store][config]") {
  TempDir dir;
  {
    Store store = open_ok(dir, with_config("v=1,2,3;l="));
    CHECK(store.snapshot_config() == "v=1,2,3;l=");
    CHECK(!store.upgraded());
  }
  // A later open's initial_config does not replace what the file holds.
  Store store = open_ok(dir, with_config("v=9;l="));
  CHECK(store.snapshot_config() == "v=1,2,3;l=");
  TempDir empty;
  CHECK(open_ok(empty).snapshot_config().empty());
}

TEST_CASE("store: config_at and compaction follow the config entries of the log",
          "[store][config]") {
  TempDir dir;
  {
    Store store = open_ok(dir, with_config("initial"));
    append_applied(store, 1, 21, {{5, "five"}, {12, "twelve"}});
    CHECK(*store.config_at(0) == "initial");
    CHECK(*store.config_at(4) == "initial");
    CHECK(*store.config_at(5) == "five");
    CHECK(*store.config_at(11) == "five");
    CHECK(*store.config_at(20) == "twelve");
    CHECK(store.config_at(21).status().code() == StatusCode::invalid_argument);
    REQUIRE(store.delete_prefix(3).is_ok());
    CHECK(store.snapshot_config() == "initial");
    REQUIRE(store.delete_prefix(8).is_ok());
    CHECK(store.snapshot_config() == "five");
    CHECK(*store.config_at(8) == "five");
    CHECK(store.config_at(7).status().code() == StatusCode::invalid_argument);
    CHECK(*store.config_at(15) == "twelve");
  }
  Store store = open_ok(dir);
  CHECK(store.snapshot_config() == "five");
  REQUIRE(store.delete_prefix(20).is_ok());
  CHECK(store.snapshot_config() == "twelve");
}

TEST_CASE("store: an installed image brings the configuration given with it",
          "[store][config]") {
  TempDir dir, other;
  Store leader = open_ok(dir, with_config("leader's"));
  append_applied(leader, 1, 11, {{4, "four"}});
  REQUIRE(leader.begin_image((dir / "image").string()).is_ok());
  std::optional<SnapshotMeta> meta;
  while (!meta) {
    auto step = leader.image_step(100);
    REQUIRE(step.ok());
    meta = *step;
  }
  Store follower = open_ok(other, options("test-cluster", 2));
  REQUIRE(follower.install_image((dir / "image").string(), *meta, *leader.config_at(meta->index))
              .is_ok());
  CHECK(follower.snapshot_config() == "four");
  CHECK(*follower.config_at(meta->index) == "four");
}

TEST_CASE("store: a format-1 file is upgraded with the initial configuration, keeping its data",
          "[store][config]") {
  TempDir dir;
  const std::string path = (dir / "meadow.db").string();
  {
    Store store = open_ok(dir);
    append_applied(store, 1, 6, {});
  }
  // What format 1 looked like: no config column.
  raw_sql(path, "ALTER TABLE snapshot DROP COLUMN config; UPDATE meta SET format_version = 1");
  {
    Store store = open_ok(dir, with_config("v=1;l="));
    CHECK(store.upgraded());
    CHECK(store.snapshot_config() == "v=1;l=");
    CHECK(store.last_index() == 5);
    CHECK(store.applied_index() == 5);
  }
  Store store = open_ok(dir, with_config("other"));
  CHECK(!store.upgraded());
  CHECK(store.snapshot_config() == "v=1;l=");
}
