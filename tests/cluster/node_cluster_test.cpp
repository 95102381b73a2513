// `meadow node` as real processes on loopback: election, replication, failover, recovery,
// exactly-once retries and start-up errors. Each test owns a TestCluster that reaps its nodes.
#include <catch2/catch.hpp>

#include <csignal>

#include <zmq.hpp>

#include "common/limits.h"
#include "tests/cluster/test_cluster.h"
#include "tests/support/ports.h"
#include "tests/support/subprocess.h"
#include "transport/wire.h"

using namespace meadow::test;
namespace wire = meadow::transport::wire;
using meadow::transport::ClientStatus;

namespace {

std::string value_at(meadow::transport::Client& c, const std::string& key) {
  auto r = c.get(key);
  if (r.status == ClientStatus::not_found) return "<absent>";
  if (!r.ok()) return "<error: " + r.message + ">";
  return r.value.value;
}

/// A stale read served by node `id` itself (never redirected).
std::optional<wire::ValueReply> stale_get_at(TestCluster& cluster, NodeId id,
                                             const std::string& key) {
  auto c = cluster.client(id, 2s);
  auto done = c->call(wire::GetRequest{0, key, wire::ReadConsistency::stale}, 0);
  if (done.status != ClientStatus::ok || !done.reply) return std::nullopt;
  if (auto* v = std::get_if<wire::ValueReply>(&*done.reply)) return *v;
  return std::nullopt;
}

NodeId other_than(const TestCluster& cluster, std::set<NodeId> excluded) {
  for (NodeId id : cluster.ids())
    if (!excluded.count(id)) return id;
  return 0;
}

}  // namespace

TEST_CASE("node: a 3-node cluster elects a leader and writes through any node read back everywhere",
          "[cluster]") {
  TestCluster cluster(3);
  const NodeId leader = cluster.wait_for_leader();
  REQUIRE(leader != 0);
  for (NodeId via : cluster.ids()) {
    auto c = cluster.client(via);
    auto put = c->put("key-via-" + std::to_string(via), "value-" + std::to_string(via));
    INFO(put.message << "\n" << cluster.log_tail(via));
    REQUIRE(put.ok());
    CHECK(put.value.index > 0);
  }
  for (NodeId via : cluster.ids()) {
    auto c = cluster.client(via);
    for (NodeId written : cluster.ids())
      CHECK(value_at(*c, "key-via-" + std::to_string(written)) ==
            "value-" + std::to_string(written));
    auto read = c->get("key-via-1");
    REQUIRE(read.ok());
    CHECK_FALSE(read.value.read.stale);
    // Served by the leader (which is `leader` unless an election happened meanwhile).
    CHECK(read.value.read.node_id != 0);
  }
  auto c = cluster.client(leader);
  auto scanned = c->scan(wire::ScanMode::prefix, "key-via-", "", 10);
  REQUIRE(scanned.ok());
  CHECK(scanned.value.items.size() == 3);
  CHECK_FALSE(scanned.value.more);
  auto deleted = c->del("key-via-2");
  REQUIRE(deleted.ok());
  CHECK(value_at(*c, "key-via-2") == "<absent>");
}

TEST_CASE("node: a stale read at a follower is served locally and says it is stale",
          "[cluster]") {
  TestCluster cluster(3);
  const NodeId leader = cluster.wait_for_leader();
  REQUIRE(leader != 0);
  auto c = cluster.client(leader);
  auto put = c->put("colour", "green");
  REQUIRE(put.ok());
  const NodeId follower = other_than(cluster, {leader});
  std::optional<wire::ValueReply> read;
  REQUIRE(wait_until([&] { return (read = stale_get_at(cluster, follower, "colour")).has_value(); },
                     10s));
  CHECK(read->value == "green");
  CHECK(read->read.stale);
  CHECK(read->read.node_id == follower);
  CHECK(read->read.applied_index >= put.value.index);
}

TEST_CASE("node: kill -9 of the leader elects a new one, loses no acknowledged write, and the "
          "old leader catches up after restart",
          "[cluster]") {
  TestCluster cluster(3);
  const NodeId old_leader = cluster.wait_for_leader();
  REQUIRE(old_leader != 0);
  auto c = cluster.client(old_leader);
  for (int i = 0; i < 20; ++i) REQUIRE(c->put("k" + std::to_string(i), "v" + std::to_string(i)).ok());

  cluster.kill(old_leader);
  const NodeId new_leader = cluster.wait_for_leader();
  REQUIRE(new_leader != 0);
  CHECK(new_leader != old_leader);
  for (int i = 0; i < 20; ++i) CHECK(value_at(*c, "k" + std::to_string(i)) == "v" + std::to_string(i));
  auto after = c->put("after-failover", "yes");
  REQUIRE(after.ok());

  cluster.start(old_leader);
  std::optional<wire::ValueReply> caught_up;
  INFO(cluster.log_tail(old_leader));
  REQUIRE(wait_until(
      [&] { return (caught_up = stale_get_at(cluster, old_leader, "after-failover")).has_value(); },
      20s));
  CHECK(caught_up->value == "yes");
  for (int i = 0; i < 20; ++i) {
    auto v = stale_get_at(cluster, old_leader, "k" + std::to_string(i));
    REQUIRE(v);
    CHECK(v->value == "v" + std::to_string(i));
  }
}

TEST_CASE("node: with two of three nodes down writes fail with a clear error and restarting one "
          "restores service",
          "[cluster]") {
  TestCluster cluster(3);
  const NodeId leader = cluster.wait_for_leader();
  REQUIRE(leader != 0);
  auto c = cluster.client(leader, 3s);
  REQUIRE(c->put("before", "1").ok());
  const NodeId a = other_than(cluster, {leader});
  const NodeId b = other_than(cluster, {leader, a});
  cluster.kill(a);
  cluster.kill(b);

  auto refused = c->put("during", "2");
  CHECK(refused.status == ClientStatus::deadline_exceeded);
  CHECK_FALSE(refused.message.empty());

  cluster.start(a);
  auto c2 = cluster.client(leader, 20s);
  auto accepted = c2->put("after", "3");
  INFO(accepted.message);
  REQUIRE(accepted.ok());
  CHECK(value_at(*c2, "before") == "1");
  CHECK(value_at(*c2, "after") == "3");
}

TEST_CASE("node: a whole-cluster restart brings every acknowledged write back", "[cluster]") {
  TestCluster cluster(3);
  REQUIRE(cluster.wait_for_leader() != 0);
  {
    auto c = cluster.client(1);
    for (int i = 0; i < 50; ++i) REQUIRE(c->put("key" + std::to_string(i), std::to_string(i * i)).ok());
  }
  // Graceful stop of one, kill -9 of the others: both must keep acknowledged data.
  CHECK(cluster.stop(1) == 0);
  cluster.kill(2);
  cluster.kill(3);
  for (NodeId id : cluster.ids()) cluster.start(id);
  REQUIRE(cluster.wait_for_leader() != 0);
  auto c = cluster.client(2);
  for (int i = 0; i < 50; ++i) CHECK(value_at(*c, "key" + std::to_string(i)) == std::to_string(i * i));
}

TEST_CASE("node: a write retried with the same client id and sequence applies once",
          "[cluster]") {
  TestCluster cluster(3);
  REQUIRE(cluster.wait_for_leader() != 0);
  zmq::context_t context;
  // Sends `r` as a client with id 4242 would, following not-leader replies to the leader, and
  // returns the final reply.
  auto request = [&](const wire::Request& r) -> wire::Reply {
    const std::string bytes = wire::encode("test", 4242, wire::to_body(r));
    for (int attempt = 0; attempt < 50; ++attempt) {
      const NodeId leader = cluster.wait_for_leader();
      if (leader == 0) continue;
      zmq::socket_t socket(context, zmq::socket_type::dealer);
      socket.set(zmq::sockopt::linger, 0);
      socket.set(zmq::sockopt::rcvtimeo, 5000);
      socket.connect(cluster.client_endpoint(leader));
      socket.send(zmq::buffer(bytes), zmq::send_flags::none);
      zmq::message_t reply;
      if (!socket.recv(reply, zmq::recv_flags::none)) continue;
      auto decoded = wire::decode(reply.to_string_view(), {"test"});
      if (!decoded.ok()) continue;
      auto out = wire::as_reply(decoded.envelope->body);
      if (out && !std::holds_alternative<wire::NotLeaderReply>(*out)) return *out;
    }
    FAIL("no leader answered");
    return wire::ErrorReply{};
  };
  auto first = request(wire::PutRequest{1, 4242, 1, "counter", "first"});
  REQUIRE(std::holds_alternative<wire::OkReply>(first));
  CHECK(std::get<wire::OkReply>(first).index > 0);
  // The same (client, sequence) again, as a client does after a timeout: acknowledged, not
  // applied a second time, even with a different body; the ack says it was a duplicate.
  auto retry = request(wire::PutRequest{2, 4242, 1, "counter", "second"});
  REQUIRE(std::holds_alternative<wire::OkReply>(retry));
  CHECK(std::get<wire::OkReply>(retry).index == 0);
  auto retry_delete = request(wire::DeleteRequest{3, 4242, 1, "counter"});
  REQUIRE(std::holds_alternative<wire::OkReply>(retry_delete));
  auto c = cluster.client(1);
  CHECK(value_at(*c, "counter") == "first");
  auto next = request(wire::PutRequest{4, 4242, 2, "counter", "third"});
  REQUIRE(std::holds_alternative<wire::OkReply>(next));
  CHECK(value_at(*c, "counter") == "third");

  // Sessions are durable state: after every node restarts (two killed, one stopped) a retry
  // of sequence 2 is still recognised, and an older sequence is refused as stale.
  cluster.kill(1);
  cluster.kill(2);
  CHECK(cluster.stop(3) == 0);
  for (NodeId id : cluster.ids()) cluster.start(id);
  auto after_restart = request(wire::PutRequest{5, 4242, 2, "counter", "fourth"});
  REQUIRE(std::holds_alternative<wire::OkReply>(after_restart));
  auto older = request(wire::PutRequest{6, 4242, 1, "counter", "fifth"});
  REQUIRE(std::holds_alternative<wire::ErrorReply>(older));
  CHECK(std::get<wire::ErrorReply>(older).message.find("stale sequence") != std::string::npos);
  auto c2 = cluster.client(2);
  CHECK(value_at(*c2, "counter") == "third");
}

TEST_CASE("node: a key or value over the limit is refused with a clear error and changes nothing",
          "[cluster]") {
  TestCluster cluster(3);
  REQUIRE(cluster.wait_for_leader() != 0);
  auto c = cluster.client(1);
  auto big_key = c->put(std::string(meadow::kMaxKeyBytes + 1, 'k'), "v");
  CHECK(big_key.status == ClientStatus::server_error);
  CHECK(big_key.server_code == wire::ErrorCode::too_large);
  CHECK(big_key.message.find("exceeds the limit") != std::string::npos);
  auto big_value = c->put("k", std::string(meadow::kMaxValueBytes + 1, 'v'));
  CHECK(big_value.status == ClientStatus::server_error);
  CHECK(big_value.server_code == wire::ErrorCode::too_large);
  CHECK(value_at(*c, "k") == "<absent>");
  auto scanned = c->scan(wire::ScanMode::prefix, "", "", 10);
  REQUIRE(scanned.ok());
  CHECK(scanned.value.items.empty());
}

TEST_CASE("node: start-up errors exit non-zero with one clear line", "[cluster]") {
  TempDir dir;
  const std::string p1 = "1=tcp://127.0.0.1:" + std::to_string(free_port());
  const std::string p2 = "2=tcp://127.0.0.1:" + std::to_string(free_port());
  const std::string client = "tcp://127.0.0.1:" + std::to_string(free_port());
  auto node = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {MEADOW_BINARY, "node"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  };
  const std::string data = (dir / "d").string();

  auto unknown_id = node({"--id", "3", "--data-dir", data, "--peers", p1 + "," + p2,
                          "--client-listen", client});
  CHECK(unknown_id.exit_code == 1);
  CHECK(unknown_id.err.find("--id 3 is not one of the members") != std::string::npos);

  auto duplicate = node({"--id", "1", "--data-dir", data, "--peers", p1 + "," + p1,
                         "--client-listen", client});
  CHECK(duplicate.exit_code == 1);
  CHECK(duplicate.err.find("appears twice") != std::string::npos);

  auto bad_peer = node({"--id", "1", "--data-dir", data, "--peers", "one=tcp://x",
                        "--client-listen", client});
  CHECK(bad_peer.exit_code == 1);
  CHECK(bad_peer.err.find("positive integer") != std::string::npos);

  // Address in use: a running node holds the ports; a second one on them refuses to start.
  Subprocess first({MEADOW_BINARY, "node", "--id", "1", "--data-dir", data, "--peers", p1,
                    "--client-listen", client},
                   (dir / "first.log").string(), (dir / "first.log").string());
  REQUIRE(wait_until([&] {
    return run({"/bin/grep", "-q", "listening", (dir / "first.log").string()}).exit_code == 0;
  }, 20s));
  auto in_use = node({"--id", "1", "--data-dir", (dir / "other").string(), "--peers", p1,
                      "--client-listen", client});
  CHECK(in_use.exit_code == 1);
  CHECK(in_use.err.find("in use") != std::string::npos);
  first.signal(SIGTERM);
  REQUIRE(first.wait_for(30s) == 0);

  // The data directory now belongs to node 1 of cluster "meadow": other identities are refused.
  auto wrong_node = node({"--id", "2", "--data-dir", data, "--peers", p1 + "," + p2,
                          "--client-listen", client});
  CHECK(wrong_node.exit_code == 1);
  CHECK(wrong_node.err.find("belongs to node 1") != std::string::npos);
  auto wrong_cluster = node({"--id", "1", "--data-dir", data, "--peers", p1, "--client-listen",
                             client, "--cluster-id", "elsewhere"});
  CHECK(wrong_cluster.exit_code == 1);
  CHECK(wrong_cluster.err.find("belongs to cluster 'meadow'") != std::string::npos);

  // Timings that collapse to nonsense once rounded to whole ticks are refused, not asserted on.
  auto ticks = node({"--id", "1", "--data-dir", data, "--peers", p1, "--client-listen", client,
                     "--election-timeout-min-ms", "300", "--election-timeout-max-ms", "305"});
  CHECK(ticks.exit_code == 1);
  CHECK(ticks.err.find("in whole ticks") != std::string::npos);
}

TEST_CASE("node: a scan reply stops at its byte budget and says there is more", "[cluster]") {
  TestCluster cluster(1);
  REQUIRE(cluster.wait_for_leader() != 0);
  auto c = cluster.client(1);
  const std::string value(1000 * 1000, 'v');
  for (int i = 0; i < 12; ++i) REQUIRE(c->put("big" + std::to_string(10 + i), value).ok());
  auto scanned = c->scan(wire::ScanMode::prefix, "big", "", 100);
  INFO(scanned.message);
  REQUIRE(scanned.ok());
  CHECK(scanned.value.more);
  CHECK(scanned.value.items.size() >= 1);
  CHECK(scanned.value.items.size() < 12);
  CHECK(scanned.value.items.front().key == "big10");
}
