// Tests of the store's snapshot support: compaction survives a restart, an image made while
// writes continue is a consistent copy, installing an image replaces the state machine and the
// log atomically (also when the process is killed in the middle), and bad images change nothing.
#include <signal.h>

#include <map>

#include "tests/store/store_test_util.h"

using namespace meadow::store;
using namespace meadow::store::test;
using meadow::test::TempDir;

namespace {

/// Writes entries [from, to) of term 1, each applying `put key-<i % keys> = value-<i>` with a
/// session of client 1 + i % 3, as a node would (log and state machine in one batch).
void write_range(Store& store, std::uint64_t from, std::uint64_t to, std::uint64_t keys = 500) {
  WriteBatch batch;
  for (std::uint64_t i = from; i < to; ++i) {
    batch.entries.push_back(entry(i, 1));
    batch.commands.push_back(put(i, "key-" + std::to_string(i % keys),
                                 "value-" + std::to_string(i), 1 + i % 3, i));
  }
  batch.applied_index = to - 1;
  auto r = store.write(batch);
  INFO(r.status().describe());
  REQUIRE(r.ok());
}

std::map<std::string, std::string> all_kv(Store& store) {
  auto all = store.scan_range("", "", SIZE_MAX);
  REQUIRE(all.ok());
  std::map<std::string, std::string> out;
  for (auto& kv : *all) out[kv.key] = kv.value;
  return out;
}

/// Makes a complete image of `store` at `path`, running `between` after every step.
SnapshotMeta make_image(Store& store, const std::string& path,
                        const std::function<void()>& between = [] {}) {
  REQUIRE(store.begin_image(path).is_ok());
  for (;;) {
    auto done = store.image_step(4);
    INFO(done.status().describe());
    REQUIRE(done.ok());
    if (*done) return **done;
    between();
  }
}

}  // namespace

TEST_CASE("store: compaction keeps the state and the log tail across a restart",
          "[store][snapshot]") {
  TempDir dir;
  {
    Store store = open_ok(dir);
    write_range(store, 1, 1001);
    REQUIRE(store.delete_prefix(900).is_ok());
    CHECK(store.log_entries() == 100);
  }
  Store store = open_ok(dir);
  CHECK(store.snapshot_meta() == SnapshotMeta{900, 1});
  CHECK(store.first_index() == 901);
  CHECK(store.last_index() == 1000);
  CHECK(store.log_entries() == 100);
  CHECK(store.applied_index() == 1000);
  CHECK(*store.get("key-7") == std::optional<std::string>("value-507"));
}

TEST_CASE("store: an image made while writes continue is the state as of its completion, and "
          "installs atomically",
          "[store][snapshot]") {
  TempDir dir, other;
  Store leader = open_ok(dir);
  write_range(leader, 1, 3001, 2000);
  std::uint64_t next = 3001;
  // Writes keep landing between the steps: the image follows them.
  const SnapshotMeta meta = make_image(leader, (dir / "image").string(), [&] {
    write_range(leader, next, next + 50, 2000);
    next += 50;
  });
  CHECK(next > 3001);
  CHECK(meta.index == next - 1);
  CHECK(meta.term == 1);
  auto inspected = Store::inspect_image((dir / "image").string(), "test-cluster");
  REQUIRE(inspected.ok());
  CHECK(*inspected == meta.index);
  const auto expected = all_kv(leader);

  Store follower = open_ok(other, options("test-cluster", 2));
  write_range(follower, 1, 11, 7);  // an older, shorter history
  REQUIRE(follower.set_hard_state({3, 2, 5}).is_ok());
  REQUIRE(follower.install_image((dir / "image").string(), meta).is_ok());
  const auto check = [&](Store& s) {
    CHECK(s.applied_index() == meta.index);
    CHECK(s.snapshot_meta() == meta);
    CHECK(s.last_index() == meta.index);
    CHECK(s.log_entries() == 0);
    CHECK(s.hard_state() == HardState{3, 2, meta.index});
    CHECK(s.session_count() == 3);
    CHECK(all_kv(s) == expected);
  };
  check(follower);
  // Sessions came along: a retry of an applied write is recognised as a duplicate.
  auto dup = follower.apply(std::vector{put(meta.index + 1, "key-x", "v", 1 + (next - 3) % 3,
                                            next - 3)},
                            meta.index + 1);
  REQUIRE(dup.ok());
  CHECK((*dup)[0].duplicate);
  { Store closing = std::move(follower); }
  Store reopened = open_ok(other, options("test-cluster", 2));
  CHECK(reopened.applied_index() == meta.index + 1);
  CHECK(reopened.snapshot_meta() == meta);
  // And the log continues after the snapshot.
  REQUIRE(reopened.append(std::vector{entry(meta.index + 1, 2)}).is_ok());
  CHECK(reopened.first_index() == meta.index + 1);
}

TEST_CASE("store: a bad or mismatched image is refused and changes nothing", "[store][snapshot]") {
  TempDir dir, other;
  Store leader = open_ok(dir);
  write_range(leader, 1, 101);
  const SnapshotMeta meta = make_image(leader, (dir / "image").string());
  Store follower = open_ok(other, options("test-cluster", 2));
  write_range(follower, 1, 6, 3);
  const auto before = all_kv(follower);
  const auto unchanged = [&] {
    CHECK(follower.applied_index() == 5);
    CHECK(follower.last_index() == 5);
    CHECK(all_kv(follower) == before);
  };
  // Not the index the image holds.
  CHECK(follower.install_image((dir / "image").string(), {meta.index + 1, 1}).code() ==
        StatusCode::invalid_argument);
  unchanged();
  // Garbage bytes, a truncated copy.
  write_file((dir / "junk").string(), std::string(10000, 'x'));
  CHECK(!follower.install_image((dir / "junk").string(), meta).is_ok());
  const std::string bytes = read_file((dir / "image").string());
  write_file((dir / "cut").string(), bytes.substr(0, bytes.size() / 2));
  CHECK(!follower.install_image((dir / "cut").string(), meta).is_ok());
  unchanged();
  // Another cluster's image.
  TempDir third;
  Store stranger = open_ok(third, options("another-cluster", 1));
  write_range(stranger, 1, 101);
  const SnapshotMeta strange = make_image(stranger, (third / "image").string());
  CHECK(Store::inspect_image((third / "image").string(), "test-cluster").status().code() ==
        StatusCode::wrong_cluster);
  CHECK(!follower.install_image((third / "image").string(), strange).is_ok());
  unchanged();
  // The store is still usable.
  REQUIRE(follower.install_image((dir / "image").string(), meta).is_ok());
  CHECK(follower.applied_index() == meta.index);
}

TEST_CASE("store: a process killed while installing an image leaves the old state or the new one",
          "[store][snapshot]") {
  TempDir dir;
  SnapshotMeta meta;
  std::map<std::string, std::string> image_kv;
  {
    TempDir source_dir;
    Store source = open_ok(source_dir);
    write_range(source, 1, 20001, 20000);
    meta = make_image(source, (dir / "image").string());
    image_kv = all_kv(source);
  }
  std::map<std::string, std::string> old_kv;
  {
    Store follower = open_ok(dir, options("test-cluster", 2));
    write_range(follower, 1, 51, 10);
    old_kv = all_kv(follower);
  }
  int saw_old = 0, saw_new = 0;
  for (int round = 0; round < 6 && saw_new == 0; ++round) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto store = Store::open((dir / "meadow.db").string(), options("test-cluster", 2));
      if (!store.ok()) _exit(2);
      _exit(store->install_image((dir / "image").string(), meta).is_ok() ? 0 : 1);
    }
    // Kill at a different point each round (the last rounds let it finish); whatever the
    // moment, the file must hold one whole state.
    usleep(static_cast<useconds_t>(round * round * 20000));
    kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    Store store = open_ok(dir, options("test-cluster", 2));
    if (store.applied_index() == 50) {
      ++saw_old;
      CHECK(store.last_index() == 50);
      CHECK(all_kv(store) == old_kv);
    } else {
      ++saw_new;
      CHECK(store.applied_index() == meta.index);
      CHECK(store.snapshot_meta() == meta);
      CHECK(store.log_entries() == 0);
      CHECK(all_kv(store) == image_kv);
    }
  }
  CHECK(saw_old + saw_new > 0);
  INFO("rounds that found the old state: " << saw_old << ", the new one: " << saw_new);
}
