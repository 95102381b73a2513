// Tests of preparing a cluster directory (no process is started): a new manifest with ports
// from --base-port, reuse that keeps the cluster id and data dirs, and the refusals.
#include <catch2/catch.hpp>

#include <filesystem>

#include "shell/cluster_setup.h"
#include "tests/support/temp_dir.h"

using namespace meadow::shell;

TEST_CASE("shell: a new cluster directory gets a manifest with ports from --base-port",
          "[shell]") {
  meadow::test::TempDir tmp;
  const auto ports = free_ports(1);
  REQUIRE(ports.size() == 1);
  // Six ports in a row from a free one are usually free; if not, the error says which is used.
  LaunchOptions options;
  options.data_dir = (tmp.path() / "c").string();
  options.nodes = 3;
  options.base_port = std::min(ports[0], 65000);
  options.durability = "normal";
  options.node_args = {"--tick-ms", "5"};
  std::string error;
  auto cluster = prepare_cluster_dir(options, error);
  if (!cluster) {
    CHECK(error.find("is in use") != std::string::npos);
    return;
  }
  const auto& m = cluster->manifest();
  REQUIRE(m.nodes.size() == 3);
  const std::string base = std::to_string(options.base_port);
  CHECK(m.nodes[0].raft_endpoint == "tcp://127.0.0.1:" + base);
  CHECK(m.nodes[0].client_endpoint == "tcp://127.0.0.1:" + std::to_string(options.base_port + 1));
  CHECK(m.nodes[2].client_endpoint == "tcp://127.0.0.1:" + std::to_string(options.base_port + 5));
  CHECK(m.durability == "normal");
  CHECK(m.node_args == std::vector<std::string>{"--tick-ms", "5"});
  CHECK(m.cluster_id.rfind("meadow-", 0) == 0);
  CHECK(cluster->launched());
  CHECK(has_manifest(cluster->dir()));
  for (const auto& n : m.nodes) CHECK(std::filesystem::is_directory(n.data_dir));
}

TEST_CASE("shell: an existing cluster directory is reused, or refused when it does not fit",
          "[shell]") {
  meadow::test::TempDir tmp;
  LaunchOptions options;
  options.data_dir = (tmp.path() / "c").string();
  std::string error;
  auto first = prepare_cluster_dir(options, error);
  REQUIRE(first);
  CHECK(first->manifest().nodes.size() == 3);

  options.durability = "normal";
  auto again = prepare_cluster_dir(options, error);
  REQUIRE(again);
  CHECK(again->manifest().cluster_id == first->manifest().cluster_id);
  CHECK(again->manifest().durability == "normal");
  CHECK(again->manifest().nodes[1].data_dir == first->manifest().nodes[1].data_dir);

  options.nodes = 5;
  CHECK_FALSE(prepare_cluster_dir(options, error));
  CHECK(error.find("holds a 3-node cluster, not 5 nodes") != std::string::npos);

  options.fresh = true;
  auto fresh = prepare_cluster_dir(options, error);
  REQUIRE(fresh);
  CHECK(fresh->manifest().nodes.size() == 5);
  CHECK(fresh->manifest().cluster_id != first->manifest().cluster_id);

  options.nodes = 10;
  CHECK_FALSE(prepare_cluster_dir(options, error));
  CHECK(error == "--nodes must be between 1 and 9, not 10");

  LaunchOptions foreign;
  foreign.data_dir = (tmp.path() / "foreign").string();
  std::filesystem::create_directories(tmp.path() / "foreign" / "x");
  foreign.fresh = true;
  CHECK_FALSE(prepare_cluster_dir(foreign, error));
  CHECK(error.find("is not a meadow cluster directory") != std::string::npos);
  CHECK(std::filesystem::exists(tmp.path() / "foreign" / "x"));
}

TEST_CASE("shell: add-node's entry takes the next id no node or leftover directory uses",
          "[shell]") {
  meadow::test::TempDir tmp;
  LaunchOptions options;
  options.data_dir = (tmp.path() / "c").string();
  options.nodes = 2;
  std::string error;
  auto cluster = prepare_cluster_dir(options, error);
  INFO(error);
  REQUIRE(cluster);
  const auto third = add_node_entry(*cluster, error);
  REQUIRE(third);
  CHECK(third->id == 3);
  CHECK_FALSE(third->voter);
  CHECK(third->joined);
  CHECK(std::filesystem::is_directory(third->data_dir));
  CHECK(third->raft_endpoint != third->client_endpoint);
  // The manifest on disk has it, next to the originals, which stay voters.
  auto reread = LocalCluster::open(cluster->dir(), false, error);
  REQUIRE(reread);
  REQUIRE(reread->manifest().find(3));
  CHECK(*reread->manifest().find(3) == *third);
  CHECK(reread->manifest().find(1)->voter);
  // A removed node leaves its directory behind: its id is not handed out again.
  REQUIRE(cluster->update_manifest([](auto& m) { m.nodes.pop_back(); }, error));
  std::filesystem::create_directories(cluster->dir() + "/node-4");
  const auto next = add_node_entry(*cluster, error);
  REQUIRE(next);
  CHECK(next->id == 5);
  CHECK(cluster->ids() == std::vector<std::uint64_t>{1, 2, 5});
}
