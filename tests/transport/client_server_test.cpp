// ClientServer over loopback: requests arrive with a routing id, replies go back to the right
// client, bad input is counted, and a reply to a vanished client is dropped without blocking.
#include <catch2/catch.hpp>

#include "tests/transport/loopback.h"
#include "transport/client_server.h"

namespace meadow::transport {
namespace {

const std::string kCluster = "cs-test";

ClientServerOptions server_options() {
  ClientServerOptions o;
  o.self = 4;
  o.cluster_id = kCluster;
  return o;
}

zmq::socket_t client_socket(zmq::context_t& context, const std::string& endpoint) {
  zmq::socket_t s(context, zmq::socket_type::dealer);
  s.set(zmq::sockopt::linger, 0);
  s.connect(endpoint);
  return s;
}

std::vector<IncomingRequest> wait_requests(ClientServer& server, std::size_t n) {
  std::vector<IncomingRequest> got;
  REQUIRE(test::wait_until({server.poll_item()}, [&] {
    for (auto& r : server.receive()) got.push_back(std::move(r));
    return got.size() >= n;
  }));
  return got;
}

wire::Envelope wait_reply(zmq::socket_t& socket) {
  zmq::message_t frame;
  std::optional<wire::Envelope> envelope;
  REQUIRE(test::wait_until({zmq::pollitem_t{socket.handle(), 0, ZMQ_POLLIN, 0}}, [&] {
    if (!socket.recv(frame, zmq::recv_flags::dontwait)) return false;
    auto decoded = wire::decode(frame.to_string_view(), wire::DecodeLimits{kCluster});
    REQUIRE(decoded.ok());
    envelope = std::move(decoded.envelope);
    return true;
  }));
  return *envelope;
}

TEST_CASE("client server: each client gets its own replies", "[client-server]") {
  zmq::context_t context;
  ClientServer server(context, server_options());
  zmq::socket_t c1 = client_socket(context, server.bound_endpoint());
  zmq::socket_t c2 = client_socket(context, server.bound_endpoint());

  const wire::Request get1 = wire::GetRequest{11, "a", wire::ReadConsistency::stale};
  const wire::Request get2 = wire::GetRequest{22, "b", wire::ReadConsistency::linearizable};
  c1.send(zmq::buffer(wire::encode(kCluster, 101, wire::to_body(get1))), zmq::send_flags::none);
  c2.send(zmq::buffer(wire::encode(kCluster, 202, wire::to_body(get2))), zmq::send_flags::none);
  const auto requests = wait_requests(server, 2);
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].routing_id != requests[1].routing_id);

  for (const IncomingRequest& in : requests) {
    const auto& get = std::get<wire::GetRequest>(in.request);
    CHECK(in.sender == (get.request_id == 11 ? 101u : 202u));
    REQUIRE(server.send_reply(in.routing_id,
                              wire::ValueReply{get.request_id, "value of " + get.key,
                                               wire::ReadInfo{4, 9, true}}));
  }
  const wire::Envelope r1 = wait_reply(c1);
  const wire::Envelope r2 = wait_reply(c2);
  CHECK(r1.sender == 4);
  CHECK(std::get<wire::ValueReply>(r1.body).value == "value of a");
  CHECK(std::get<wire::ValueReply>(r2.body).value == "value of b");
  CHECK(server.counters().at("client.requests") == 2);
  CHECK(server.counters().at("client.replies") == 2);
}

TEST_CASE("client server: bad requests are dropped and counted", "[client-server]") {
  zmq::context_t context;
  ClientServerOptions o = server_options();
  o.max_message_bytes = 500;
  ClientServer server(context, o);
  zmq::socket_t c = client_socket(context, server.bound_endpoint());
  const auto wait_count = [&](DropReason reason) {
    INFO(to_string(reason));
    REQUIRE(test::wait_until({server.poll_item()}, [&] {
      CHECK(server.receive().empty());
      return server.drops().count(reason) == 1;
    }));
  };
  c.send(zmq::buffer(wire::encode("elsewhere", 1, wire::StatusRequest{1})), zmq::send_flags::none);
  wait_count(DropReason::wrong_cluster);
  c.send(zmq::buffer(wire::encode(kCluster, 1, wire::PutRequest{1, 1, 1, "k",
                                                                std::string(800, 'v')})),
         zmq::send_flags::none);
  wait_count(DropReason::oversized);
  c.send(zmq::buffer(wire::encode(kCluster, 1, wire::OkReply{1, 0, 0, 0})), zmq::send_flags::none);
  wait_count(DropReason::unexpected_type);
  c.send(zmq::str_buffer("\xff\xff"), zmq::send_flags::none);
  wait_count(DropReason::malformed);
  CHECK(server.counters().at("client.drop.wrong_cluster") == 1);
}

TEST_CASE("client server: a reply to a vanished client is dropped, not blocking",
          "[client-server]") {
  zmq::context_t context;
  ClientServer server(context, server_options());
  std::string routing_id;
  {
    zmq::socket_t c = client_socket(context, server.bound_endpoint());
    c.send(zmq::buffer(wire::encode(kCluster, 1, wire::StatusRequest{5})), zmq::send_flags::none);
    routing_id = wait_requests(server, 1).at(0).routing_id;
  }
  // The client's socket is closed; ZeroMQ forgets its routing id once it sees the disconnect.
  REQUIRE(test::wait_until({}, [&] {
    return !server.send_reply(routing_id, wire::StatusReply{});
  }));
  CHECK(server.drops().count(DropReason::unknown_peer) >= 1);
  CHECK_FALSE(server.send_reply("no-such-client", wire::OkReply{}));
}

}  // namespace
}  // namespace meadow::transport
