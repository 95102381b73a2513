// Disk faults on one node of a real 3-node cluster: its database is truncated, has a byte
// flipped, or is deleted. The node must refuse to start with an error naming the file (never
// serve or vote from damaged or lost state), leave the file as it found it, and the two healthy
// nodes must keep every acknowledged write and keep taking new ones.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include "tests/cluster/test_cluster.h"

using namespace meadow;
using namespace meadow::test;
namespace fs = std::filesystem;

namespace {

constexpr int kKeys = 200;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string value_for(int i) { return "disk-value-" + std::to_string(i) + std::string(40, 'x'); }

// Writes kKeys acknowledged keys through `client` and waits until `victim` applied them all, so
// it holds every write before it goes down.
void write_and_settle(TestCluster& cluster, transport::Client& client, NodeId victim) {
  for (int i = 0; i < kKeys; ++i) REQUIRE(client.put("d" + std::to_string(i), value_for(i)).ok());
  REQUIRE(wait_until(
      [&] {
        auto leader = cluster.status(cluster.wait_for_leader());
        auto mine = cluster.status(victim);
        return leader && mine && mine->last_applied >= leader->commit_index;
      },
      30s));
}

// Writes kKeys acknowledged keys, stops `victim` gracefully (so its database file holds
// everything, no WAL), damages the file, and checks the node refuses it and the others lose
// nothing. Returns the victim's log for the caller's own checks.
std::string damage_and_restart(NodeId victim, const std::function<void(const fs::path&)>& damage,
                               const std::string& expected_error) {
  TestCluster cluster(3);
  REQUIRE(cluster.wait_for_leader() != 0);
  auto client = cluster.client(1, 20s);
  write_and_settle(cluster, *client, victim);
  REQUIRE(cluster.stop(victim) == 0);

  const fs::path db = fs::path(cluster.data_dir(victim)) / "meadow.db";
  REQUIRE(fs::exists(db));
  damage(db);
  const bool existed = fs::exists(db);
  const std::string damaged = existed ? read_file(db) : "";

  cluster.start(victim);
  INFO("node log:\n" << cluster.log_tail(victim));
  CHECK(wait_until([&] { return !cluster.running(victim); }, 30s));
  const std::string log = cluster.log_tail(victim, 50);
  CHECK(log.find(expected_error) != std::string::npos);
  // Refused means untouched: no repair, no fresh database in its place.
  CHECK(fs::exists(db) == existed);
  if (existed) CHECK(read_file(db) == damaged);

  // The two healthy nodes still hold every acknowledged write and take new ones.
  for (int i = 0; i < kKeys; ++i) {
    auto r = client->get("d" + std::to_string(i));
    REQUIRE(r.ok());
    CHECK(r.value.value == value_for(i));
  }
  CHECK(client->put("after-damage", "1").ok());
  return log;
}

// A byte inside the stored copy of a value in the kv table (the last occurrence: the log's
// payloads come earlier in key order of pages, and the kv copy is what reads serve).
std::size_t offset_of_value(const std::string& bytes, const std::string& value) {
  const auto at = bytes.rfind(value);
  REQUIRE(at != std::string::npos);
  return at + value.size() / 2;
}

}  // namespace

TEST_CASE("jepsen: a node whose database was truncated refuses to start and nothing is lost",
          "[jepsen][disk]") {
  damage_and_restart(
      3, [](const fs::path& db) { fs::resize_file(db, fs::file_size(db) / 2); }, "meadow.db");
}

TEST_CASE("jepsen: a node whose database was emptied refuses to start and nothing is lost",
          "[jepsen][disk]") {
  damage_and_restart(
      3, [](const fs::path& db) { fs::resize_file(db, 0); }, "file is empty");
}

TEST_CASE("jepsen: a node whose database header has a flipped byte refuses to start",
          "[jepsen][disk]") {
  damage_and_restart(
      3,
      [](const fs::path& db) {
        std::string bytes = read_file(db);
        bytes[5] = static_cast<char>(bytes[5] ^ 0x01);  // inside "SQLite format 3"
        write_file(db, bytes);
      },
      "meadow.db");
}

TEST_CASE("jepsen: a node whose database was deleted refuses to start instead of rejoining empty",
          "[jepsen][disk]") {
  // Starting empty would forget its term, vote and log: it could vote twice in one term and,
  // being counted in a majority again, let a new leader without acknowledged writes win.
  damage_and_restart(
      3, [](const fs::path& db) { fs::remove(db); }, "missing");
}

TEST_CASE("jepsen: a flipped byte inside a stored value is noticed", "[.][jepsen][disk]") {
  // Known gap, kept out of CI: kv rows carry no checksum (only log entries do), so a flip
  // inside a value passes SQLite's checks and the node serves the damaged value.
  TestCluster cluster(3);
  REQUIRE(cluster.wait_for_leader() != 0);
  auto client = cluster.client(1, 20s);
  write_and_settle(cluster, *client, 3);
  REQUIRE(cluster.stop(3) == 0);
  const fs::path db = fs::path(cluster.data_dir(3)) / "meadow.db";
  std::string bytes = read_file(db);
  const std::size_t at = offset_of_value(bytes, value_for(7));
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  write_file(db, bytes);
  cluster.start(3);
  INFO("node log:\n" << cluster.log_tail(3));
  if (!wait_until([&] { return !cluster.running(3); }, 5s)) {
    auto options = cluster.client_options(3, 5s);
    options.endpoints.resize(1);
    transport::Client local(options);
    auto r = local.get("d7", transport::wire::ReadConsistency::stale);
    REQUIRE(r.ok());
    CHECK(r.value.value == value_for(7));
  }
}
