// CurveZMQ: encrypted peer and client traffic when keys are configured; a client without the
// server's key gets nothing through. Skipped (with a message) if libzmq lacks CURVE.
#include <catch2/catch.hpp>

#include "tests/transport/loopback.h"
#include "transport/client.h"
#include "transport/curve.h"
#include "transport/peer_transport.h"

namespace meadow::transport {
namespace {

const std::string kCluster = "curve-test";

// True (with a visible warning) when the linked libzmq lacks CURVE: the test is skipped.
bool curve_missing() {
  if (curve_available()) return false;
  WARN("libzmq built without CURVE (zmq_has(\"curve\") == 0): skipping this CurveZMQ test");
  return true;
}

TEST_CASE("curve: key pairs are 40-character Z85 strings and differ", "[curve]") {
  if (curve_missing()) return;
  const auto a = generate_curve_key_pair();
  const auto b = generate_curve_key_pair();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->public_key.size() == 40);
  CHECK(a->secret_key.size() == 40);
  CHECK(a->public_key != b->public_key);
}

TEST_CASE("curve: peers with keys exchange messages", "[curve]") {
  if (curve_missing()) return;
  zmq::context_t context;
  const CurveKeyPair key1 = *generate_curve_key_pair();
  const CurveKeyPair key2 = *generate_curve_key_pair();
  PeerTransportOptions o2;
  o2.self = 2;
  o2.cluster_id = kCluster;
  o2.curve = key2;
  PeerTransport b(context, o2);
  PeerTransportOptions o1;
  o1.self = 1;
  o1.cluster_id = kCluster;
  o1.curve = key1;
  o1.peers = {{2, b.bound_endpoint(), key2.public_key}};
  PeerTransport a(context, o1);

  wire::RaftMessage m;
  m.type = wire::RaftMessageType::vote;
  m.from = 1;
  m.to = 2;
  m.term = 8;
  bool sent = false;
  std::vector<wire::RaftMessage> got;
  REQUIRE(test::wait_until({b.poll_item()}, [&] {
    if (!sent) sent = a.send(m);
    for (auto& r : b.receive()) got.push_back(std::move(r));
    return !got.empty();
  }));
  CHECK(got.front() == m);

  PeerTransportOptions missing = o1;
  missing.self = 3;
  missing.peers = {{2, b.bound_endpoint(), ""}};
  CHECK_THROWS_WITH(PeerTransport(context, missing), Catch::Contains("no public key"));
}

TEST_CASE("curve: a client needs the node's public key", "[curve]") {
  if (curve_missing()) return;
  zmq::context_t context;
  const CurveKeyPair node_key = *generate_curve_key_pair();
  test::FakeNode node(
      context, 1, kCluster,
      [](const IncomingRequest& in) {
        return std::optional<wire::Reply>(
            wire::OkReply{wire::request_id_of(in.request), 0, 0, 0});
      },
      node_key);

  ClientOptions good;
  good.endpoints = {{1, node.endpoint(), node_key.public_key}};
  good.cluster_id = kCluster;
  Client client(good);
  const auto ok = client.fault(0, wire::FaultRequest{});
  INFO(ok.message);
  CHECK(ok.ok());

  ClientOptions plain = good;
  plain.endpoints = {{1, node.endpoint(), ""}};
  plain.attempt_timeout = std::chrono::milliseconds(50);
  plain.deadline = std::chrono::milliseconds(300);
  Client outsider(plain);
  CHECK(outsider.fault(0, wire::FaultRequest{}).status == ClientStatus::deadline_exceeded);
  CHECK(node.seen_count() == 1);
}

}  // namespace
}  // namespace meadow::transport
