// Three `meadow node` processes on three hosts: each in its own network namespace with its own
// address, joined by a bridge (ip netns + veth, as root). Checks that replication and failover
// work across real interfaces, not just loopback. Skipped with a message where namespaces
// cannot be made (not root, no iproute2, no CAP_NET_ADMIN).
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "tests/cluster/test_cluster.h"

using namespace meadow::test;
using meadow::transport::ClientStatus;
namespace wire = meadow::transport::wire;

namespace {

std::string ip_binary() {
  for (const char* path : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (std::filesystem::exists(path)) return path;
  return "";
}

/// Namespaces n1..n3 bridged on a private /24 that exists only inside this test's namespaces
/// and one bridge; everything is removed in the destructor.
class NetnsLab {
 public:
  NetnsLab() : ip_(ip_binary()), tag_(std::to_string(getpid() % 100000)) {
    subnet_ = "10.213." + std::to_string(getpid() % 250) + ".";
    if (ip_.empty() || geteuid() != 0) {
      why_not_ = ip_.empty() ? "iproute2 (ip) is not installed" : "not running as root";
      return;
    }
    const std::string bridge = "mbr" + tag_;
    if (!cmd({"link", "add", bridge, "type", "bridge"})) return;
    links_.push_back(bridge);
    if (!cmd({"addr", "add", subnet_ + "254/24", "dev", bridge}) ||
        !cmd({"link", "set", bridge, "up"}))
      return;
    for (NodeId id = 1; id <= 3; ++id) {
      const std::string ns = name(id), outer = "mo" + tag_ + "x" + std::to_string(id),
                        inner = "mi" + tag_ + "x" + std::to_string(id);
      if (!cmd({"netns", "add", ns})) return;
      namespaces_.push_back(ns);
      if (!cmd({"link", "add", outer, "type", "veth", "peer", "name", inner})) return;
      links_.push_back(outer);
      if (!cmd({"link", "set", inner, "netns", ns}) ||
          !cmd({"link", "set", outer, "master", bridge}) || !cmd({"link", "set", outer, "up"}) ||
          !cmd({"-n", ns, "addr", "add", address(id) + "/24", "dev", inner}) ||
          !cmd({"-n", ns, "link", "set", inner, "up"}) ||
          !cmd({"-n", ns, "link", "set", "lo", "up"}))
        return;
    }
    ready_ = true;
  }
  ~NetnsLab() {
    for (const auto& ns : namespaces_) run({ip_, "netns", "del", ns});
    for (const auto& link : links_) run({ip_, "link", "del", link});
  }

  bool ready() const { return ready_; }
  const std::string& why_not() const { return why_not_; }
  std::string name(NodeId id) const { return "meadow" + tag_ + "n" + std::to_string(id); }
  std::string address(NodeId id) const { return subnet_ + std::to_string(id); }
  NodePlacement place(NodeId id) const { return {address(id), {ip_, "netns", "exec", name(id)}}; }

 private:
  bool cmd(std::vector<std::string> args) {
    args.insert(args.begin(), ip_);
    auto r = run(args);
    if (r.exit_code != 0 && why_not_.empty()) why_not_ = "`ip` failed: " + r.err;
    return r.exit_code == 0;
  }

  std::string ip_;
  std::string tag_;
  std::string subnet_;
  std::string why_not_;
  std::vector<std::string> namespaces_;
  std::vector<std::string> links_;
  bool ready_ = false;
};

}  // namespace

TEST_CASE("node: three nodes in three network namespaces replicate and fail over", "[cluster]") {
  NetnsLab lab;
  if (!lab.ready()) {
    WARN("skipped: network namespaces unavailable (" << lab.why_not() << ")");
    return;
  }
  TestCluster cluster(3, {}, [&](NodeId id) { return lab.place(id); });
  const NodeId leader = cluster.wait_for_leader(30s);
  INFO(cluster.log_tail(1) << cluster.log_tail(2) << cluster.log_tail(3));
  REQUIRE(leader != 0);
  auto c = cluster.client(leader, 20s);
  REQUIRE(c->put("across", "hosts").ok());
  // Every host applies it: stale reads answered by each node itself.
  for (NodeId id : cluster.ids()) {
    auto at = cluster.client(id, 2s);
    REQUIRE(wait_until(
        [&] {
          auto done = at->call(wire::GetRequest{0, "across", wire::ReadConsistency::stale}, 0);
          return done.status == ClientStatus::ok;
        },
        20s));
  }
  cluster.kill(leader);
  const NodeId next = cluster.wait_for_leader(30s);
  REQUIRE(next != 0);
  CHECK(next != leader);
  REQUIRE(c->put("after", "failover").ok());
  auto read = c->get("across");
  REQUIRE(read.ok());
  CHECK(read.value.value == "hosts");
}
