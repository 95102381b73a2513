// The cluster manifest (cluster.toml): round trip, and clear errors for files that are not one.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/support/temp_dir.h"
#include "transport/manifest.h"

using namespace meadow::transport;
using meadow::test::TempDir;

namespace {

Manifest sample() {
  Manifest m;
  m.cluster_id = "c-42";
  m.durability = "normal";
  m.node_args = {"--tick-ms", "10"};
  m.nodes = {{1, "tcp://127.0.0.1:7001", "tcp://127.0.0.1:7101", "/data/with space/node-1", 4242,
              "/data/node-1.log", true, false},
             {2, "tcp://127.0.0.1:7002", "tcp://127.0.0.1:7102", "/data/node-2", 0, "", true,
              false},
             {4, "tcp://127.0.0.1:7004", "tcp://127.0.0.1:7104", "/data/node-4", 77, "", false,
              true}};
  return m;
}

std::string read_error(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  std::string error;
  auto m = read_manifest(path, error);
  return m ? "" : error;
}

}  // namespace

TEST_CASE("manifest: what is written reads back equal", "[manifest]") {
  TempDir dir;
  const std::string path = (dir / kManifestFileName).string();
  std::string error;
  for (auto args : {std::vector<std::string>{}, sample().node_args}) {
    Manifest m = sample();
    m.node_args = args;
    REQUIRE(write_manifest(path, m, error));
    auto back = read_manifest(path, error);
    INFO(error);
    REQUIRE(back);
    CHECK(*back == m);
    CHECK(back->find(2)->client_endpoint == "tcp://127.0.0.1:7102");
    CHECK(back->find(3) == nullptr);
  }
}

TEST_CASE("manifest: strings that TOML would need escapes for are refused, nothing written",
          "[manifest]") {
  TempDir dir;
  const std::string path = (dir / kManifestFileName).string();
  Manifest m = sample();
  m.nodes[0].data_dir = "/data/\"quoted\"";
  std::string error;
  CHECK_FALSE(write_manifest(path, m, error));
  CHECK(error.find("quote") != std::string::npos);
  std::ifstream in(path);
  CHECK_FALSE(in.good());
}

TEST_CASE("manifest: missing, foreign, newer and incomplete files get an error naming the file",
          "[manifest]") {
  TempDir dir;
  const std::string path = (dir / "cluster.toml").string();
  std::string error;
  CHECK_FALSE(read_manifest((dir / "absent.toml").string(), error));
  CHECK(error.find("absent.toml") != std::string::npos);

  CHECK(read_error(path, "hello = 1\n").find("no format") != std::string::npos);
  CHECK(read_error(path, "format = 9\ncluster_id = \"x\"\n").find("newer") != std::string::npos);
  CHECK(read_error(path, "format = 1\n[node.1]\nraft = \"tcp://a:1\"\nclient = \"tcp://a:2\"\n")
            .find("no cluster_id") != std::string::npos);
  CHECK(read_error(path, "format = 1\ncluster_id = \"x\"\n").find("no [node.N]") !=
        std::string::npos);
  CHECK(read_error(path, "format = 1\ncluster_id = \"x\"\n[node.1]\nraft = \"tcp://a:1\"\n")
            .find("lacks a raft or client endpoint") != std::string::npos);
  CHECK(read_error(path, "format = 1\ncluster_id = \"x\"\n[node.zero]\nraft = \"a\"\n")
            .find("positive id") != std::string::npos);
  CHECK(read_error(path, "format = 1\ncluster_id = \"x\"\n[node.1]\nraft = \"tcp://a:1\"\n"
                         "client = \"tcp://a:2\"\n")
            .empty());
}

TEST_CASE("manifest: a node without voter/joined keys (an older manifest) is an original voter",
          "[manifest]") {
  TempDir dir;
  const std::string path = (dir / kManifestFileName).string();
  std::ofstream(path) << "format = 1\ncluster_id = \"c\"\n[node.1]\nraft = \"tcp://a:1\"\n"
                         "client = \"tcp://a:2\"\n[node.5]\nraft = \"tcp://a:3\"\n"
                         "client = \"tcp://a:4\"\nvoter = false\njoined = true\n";
  std::string error;
  auto m = read_manifest(path, error);
  INFO(error);
  REQUIRE(m);
  CHECK(m->find(1)->voter);
  CHECK_FALSE(m->find(1)->joined);
  CHECK_FALSE(m->find(5)->voter);
  CHECK(m->find(5)->joined);
  CHECK(read_error(path, "format = 1\ncluster_id = \"c\"\n[node.1]\nraft = \"tcp://a:1\"\n"
                         "client = \"tcp://a:2\"\nvoter = maybe\n")
            .find("voter must be true or false") != std::string::npos);
}
