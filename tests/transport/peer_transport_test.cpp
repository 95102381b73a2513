// PeerTransport over loopback TCP: delivery, a dead peer never blocks, bounded queues, and
// bad input (oversized, foreign cluster, spoofed sender, garbage) dropped and counted.
#include <catch2/catch.hpp>

#include <msgpack.hpp>

#include "tests/transport/loopback.h"
#include "transport/describe.h"
#include "transport/peer_transport.h"

namespace meadow::transport {
namespace {

const std::string kCluster = "peer-test";

PeerTransportOptions options_for(wire::NodeId self, std::vector<PeerAddress> peers = {}) {
  PeerTransportOptions o;
  o.self = self;
  o.cluster_id = kCluster;
  o.peers = std::move(peers);
  return o;
}

wire::RaftMessage heartbeat(wire::NodeId from, wire::NodeId to, std::uint64_t term) {
  wire::RaftMessage m;
  m.type = wire::RaftMessageType::heartbeat;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

// Sends `message` until one send is accepted (the DEALER refuses while not yet connected, by
// design), waits for it to arrive and returns what arrived.
std::vector<wire::RaftMessage> deliver(PeerTransport& from, PeerTransport& to,
                                       const wire::RaftMessage& message) {
  std::vector<wire::RaftMessage> got;
  bool sent = false;
  const bool arrived = test::wait_until({to.poll_item()}, [&] {
    if (!sent) sent = from.send(message);
    for (auto& m : to.receive()) got.push_back(std::move(m));
    return !got.empty();
  });
  REQUIRE(arrived);
  return got;
}

// A raw DEALER pretending to be node `identity`, for sending hand-made bytes.
zmq::socket_t raw_dealer(zmq::context_t& context, const std::string& identity,
                         const std::string& endpoint) {
  zmq::socket_t s(context, zmq::socket_type::dealer);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::routing_id, identity);
  s.connect(endpoint);  // without ZMQ_IMMEDIATE: queued until connected, then delivered
  return s;
}

TEST_CASE("peer transport: two nodes exchange raft messages both ways", "[peer]") {
  zmq::context_t context;
  PeerTransport a(context, options_for(1));
  PeerTransport b(context, options_for(2, {{1, a.bound_endpoint(), {}}}));
  a.add_peer({2, b.bound_endpoint(), {}});
  CHECK(a.bound_endpoint().rfind("tcp://127.0.0.1:", 0) == 0);

  wire::RaftMessage append;
  append.type = wire::RaftMessageType::append;
  append.from = 1;
  append.to = 2;
  append.term = 3;
  append.entries = {wire::Entry{3, 1, wire::EntryKind::noop, ""},
                    wire::Entry{3, 2, wire::EntryKind::normal, "set k v"}};
  const auto at_b = deliver(a, b, append);
  CHECK(at_b.front() == append);

  const auto at_a = deliver(b, a, heartbeat(2, 1, 3));
  CHECK(at_a.front() == heartbeat(2, 1, 3));

  // Once connected, a burst arrives complete and in order.
  for (std::uint64_t term = 10; term < 110; ++term) REQUIRE(a.send(heartbeat(1, 2, term)));
  std::vector<wire::RaftMessage> burst;
  REQUIRE(test::wait_until({b.poll_item()}, [&] {
    for (auto& m : b.receive()) burst.push_back(std::move(m));
    return burst.size() >= 100;
  }));
  REQUIRE(burst.size() == 100);
  for (std::size_t i = 0; i < burst.size(); ++i) CHECK(burst[i].term == 10 + i);
  CHECK(b.stats().received >= 101);
  CHECK(b.drops().total() == 0);
  CHECK(a.counters().at("peer.sent") >= 101);
}

TEST_CASE("peer transport: a down peer never blocks sends to the others", "[peer]") {
  zmq::context_t context;
  const std::string nobody = test::dead_endpoint(context);
  PeerTransport b(context, options_for(2));
  PeerTransport a(context, options_for(1, {{2, b.bound_endpoint(), {}}, {3, nobody, {}}}));
  deliver(a, b, heartbeat(1, 2, 1));

  // Node 3 is down: every send is refused at once (ZMQ_IMMEDIATE), nothing is queued.
  const std::uint64_t before = a.drops().count(DropReason::queue_full);
  for (int i = 0; i < 20000; ++i) REQUIRE_FALSE(a.send(heartbeat(1, 3, 1)));
  CHECK(a.drops().count(DropReason::queue_full) - before == 20000);

  // Node 2 still gets everything sent to it afterwards.
  for (std::uint64_t term = 2; term < 52; ++term) REQUIRE(a.send(heartbeat(1, 2, term)));
  std::size_t got = 0;
  REQUIRE(test::wait_until({b.poll_item()}, [&] {
    got += b.receive().size();
    return got >= 50;
  }));
  CHECK(got == 50);
}

TEST_CASE("peer transport: a peer that stops reading fills a bounded queue, then drops",
          "[peer]") {
  zmq::context_t context;
  PeerTransportOptions slow = options_for(2);
  slow.receive_hwm = 10;
  PeerTransport b(context, slow);
  PeerTransportOptions fast = options_for(1, {{2, b.bound_endpoint(), {}}});
  fast.send_hwm = 10;
  PeerTransport a(context, fast);
  deliver(a, b, heartbeat(1, 2, 1));

  // b never reads again: HWMs plus kernel socket buffers bound what can be in flight, so
  // within a bounded number of sends one is refused instead of blocking or growing memory.
  wire::RaftMessage big = heartbeat(1, 2, 1);
  big.type = wire::RaftMessageType::append;
  big.entries = {wire::Entry{1, 1, wire::EntryKind::normal, std::string(64 * 1024, 'x')}};
  bool refused = false;
  for (int i = 0; i < 20000 && !refused; ++i) refused = !a.send(big);
  CHECK(refused);
  CHECK(a.drops().count(DropReason::queue_full) >= 1);
}

TEST_CASE("peer transport: oversized, foreign and spoofed messages are dropped and counted",
          "[peer]") {
  zmq::context_t context;
  PeerTransportOptions small = options_for(2);
  small.max_message_bytes = 1000;
  PeerTransport b(context, small);
  zmq::socket_t fake1 = raw_dealer(context, "1", b.bound_endpoint());

  const auto send_raw = [&](const std::string& bytes) {
    REQUIRE(fake1.send(zmq::buffer(bytes), zmq::send_flags::none));
  };
  std::vector<wire::RaftMessage> accepted;
  const auto wait_count = [&](DropReason reason, std::uint64_t n) {
    INFO(to_string(reason));
    REQUIRE(test::wait_until({b.poll_item()}, [&] {
      for (auto& m : b.receive()) accepted.push_back(std::move(m));
      return b.drops().count(reason) >= n;
    }));
    CHECK(b.drops().count(reason) == n);
  };

  wire::RaftMessage big = heartbeat(1, 2, 1);
  big.context = std::string(1500, 'x');  // > 1000 (app limit), < 2000 (ZMQ_MAXMSGSIZE)
  send_raw(wire::encode(kCluster, 1, big));
  wait_count(DropReason::oversized, 1);

  send_raw(wire::encode("another-cluster", 1, heartbeat(1, 2, 1)));
  wait_count(DropReason::wrong_cluster, 1);

  send_raw(wire::encode(kCluster, 7, heartbeat(7, 2, 1)));  // claims to be 7, routing id "1"
  wait_count(DropReason::sender_mismatch, 1);

  send_raw(wire::encode(kCluster, 1, heartbeat(1, 5, 1)));  // addressed to node 5
  wait_count(DropReason::misrouted, 1);

  send_raw(wire::encode(kCluster, 1, wire::StatusRequest{1}));  // client request, wrong socket
  wait_count(DropReason::unexpected_type, 1);

  send_raw("\x93\x01\x02");  // an array missing two elements
  wait_count(DropReason::malformed, 1);

  REQUIRE(fake1.send(zmq::str_buffer("a"), zmq::send_flags::sndmore));
  REQUIRE(fake1.send(zmq::str_buffer("b"), zmq::send_flags::none));
  wait_count(DropReason::bad_framing, 1);

  // A valid message after all that still gets through, and nothing bad was accepted.
  send_raw(wire::encode(kCluster, 1, heartbeat(1, 2, 9)));
  REQUIRE(test::wait_until({b.poll_item()}, [&] {
    for (auto& m : b.receive()) accepted.push_back(std::move(m));
    return !accepted.empty();
  }));
  REQUIRE(accepted.size() == 1);
  CHECK(accepted[0] == heartbeat(1, 2, 9));
  CHECK(b.counters().at("peer.drop.wrong_cluster") == 1);
}

TEST_CASE("peer transport: a message above ZMQ_MAXMSGSIZE is never delivered", "[peer]") {
  zmq::context_t context;
  PeerTransportOptions small = options_for(2);
  small.max_message_bytes = 1000;
  PeerTransport b(context, small);
  PeerTransport a(context, options_for(1, {{2, b.bound_endpoint(), {}}}));
  deliver(a, b, heartbeat(1, 2, 1));

  wire::RaftMessage huge = heartbeat(1, 2, 2);
  huge.context = std::string(100000, 'x');  // ZeroMQ cuts the connection instead
  a.send(huge);
  // The DEALER reconnects by itself; later messages flow again and the huge one never shows.
  std::vector<wire::RaftMessage> got;
  REQUIRE(test::wait_until({b.poll_item()}, [&] {
    a.send(heartbeat(1, 2, 3));
    for (auto& m : b.receive()) got.push_back(std::move(m));
    return !got.empty();
  }));
  for (const auto& m : got) CHECK(m.context.empty());
}

TEST_CASE("peer transport: injected faults drop by peer, direction and percentage", "[peer]") {
  zmq::context_t context;
  PeerTransport b(context, options_for(2));
  PeerTransport a(context, options_for(1, {{2, b.bound_endpoint(), {}}}));
  b.add_peer({1, a.bound_endpoint(), {}});
  deliver(a, b, heartbeat(1, 2, 1));

  a.faults().drop_outgoing(2);
  CHECK_FALSE(a.send(heartbeat(1, 2, 2)));
  CHECK(a.drops().count(DropReason::fault_outgoing) == 1);
  a.faults().clear();

  b.faults().drop_incoming(1);
  REQUIRE(a.send(heartbeat(1, 2, 3)));
  REQUIRE(test::wait_until({b.poll_item()}, [&] {
    CHECK(b.receive().empty());
    return b.drops().count(DropReason::fault_incoming) == 1;
  }));
  b.faults().clear();

  // With the same seed, the transport drops exactly what a lone FaultFilter predicts.
  PeerTransportOptions seeded = options_for(3, {{2, b.bound_endpoint(), {}}});
  seeded.fault_seed = 1234;
  PeerTransport c(context, seeded);
  FaultFilter oracle(1234);
  c.faults().set_drop_percent(40);
  oracle.set_drop_percent(40);
  std::uint64_t predicted = 0;
  for (int i = 0; i < 500; ++i) {
    predicted += oracle.drops_randomly() ? 1 : 0;
    c.send(heartbeat(3, 2, 1));
  }
  CHECK(c.drops().count(DropReason::fault_random) == predicted);
  CHECK(predicted > 100);
  CHECK(predicted < 300);
}

TEST_CASE("peer transport: delayed messages wait for their due time", "[peer]") {
  zmq::context_t context;
  PeerTransport b(context, options_for(2));
  auto now = Clock::time_point{} + std::chrono::hours(1);
  PeerTransportOptions o = options_for(1, {{2, b.bound_endpoint(), {}}});
  o.now = [&now] { return now; };
  o.max_delayed_messages = 3;
  PeerTransport a(context, o);
  deliver(a, b, heartbeat(1, 2, 1));

  a.faults().set_delay(2, 50);
  REQUIRE(a.send(heartbeat(1, 2, 2)));
  CHECK(a.stats().delayed == 1);
  REQUIRE(a.next_delayed_due());
  CHECK(*a.next_delayed_due() == now + std::chrono::milliseconds(50));
  REQUIRE(a.send(heartbeat(1, 2, 3)));
  REQUIRE(a.send(heartbeat(1, 2, 4)));
  CHECK_FALSE(a.send(heartbeat(1, 2, 5)));  // the delay queue holds 3
  CHECK(a.drops().count(DropReason::delay_queue_full) == 1);

  now += std::chrono::milliseconds(49);
  a.flush_delayed();
  CHECK(a.stats().delayed == 3);
  CHECK(a.stats().sent == 1);  // only the first delivery so far

  now += std::chrono::milliseconds(1);
  a.flush_delayed();
  CHECK(a.stats().delayed == 0);
  CHECK_FALSE(a.next_delayed_due());
  std::vector<std::uint64_t> terms;
  REQUIRE(test::wait_until({b.poll_item()}, [&] {
    for (auto& m : b.receive()) terms.push_back(m.term);
    return terms.size() >= 3;
  }));
  CHECK(terms == std::vector<std::uint64_t>{2, 3, 4});
}

TEST_CASE("peer transport: bad options are startup errors with a clear text", "[peer]") {
  zmq::context_t context;
  PeerTransport a(context, options_for(1));
  PeerTransportOptions clash = options_for(2);
  clash.bind_endpoint = a.bound_endpoint();
  CHECK_THROWS_WITH(PeerTransport(context, clash), Catch::Contains("cannot bind"));
  CHECK_THROWS_WITH(PeerTransport(context, options_for(0)), Catch::Contains("node id 0"));
  CHECK_THROWS_WITH(PeerTransport(context, options_for(1, {{1, "tcp://127.0.0.1:1", {}}})),
                    Catch::Contains("invalid peer id"));
}

TEST_CASE("peer transport: a removed peer gets what was sent before, nothing after, and can "
          "be added back",
          "[peer]") {
  zmq::context_t context;
  PeerTransport a(context, options_for(1));
  PeerTransport b(context, options_for(2));
  a.add_peer({2, b.bound_endpoint(), {}});
  deliver(a, b, heartbeat(1, 2, 1));  // connected
  REQUIRE(a.send(heartbeat(1, 2, 2)));
  a.remove_peer(2);
  a.remove_peer(2);  // unknown ids are ignored
  CHECK_FALSE(a.send(heartbeat(1, 2, 3)));
  CHECK(a.drops().count(DropReason::unknown_peer) == 1);
  std::vector<wire::RaftMessage> got;
  REQUIRE(test::wait_until({b.poll_item()}, [&] {
    for (auto& m : b.receive()) got.push_back(std::move(m));
    return !got.empty();
  }));
  CHECK(got.front() == heartbeat(1, 2, 2));
  a.add_peer({2, b.bound_endpoint(), {}});
  CHECK(deliver(a, b, heartbeat(1, 2, 4)).front() == heartbeat(1, 2, 4));
}

}  // namespace
}  // namespace meadow::transport
