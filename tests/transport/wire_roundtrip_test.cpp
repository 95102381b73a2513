// Property tests: every body type, filled with seeded random values, survives encode/decode.
#include <catch2/catch.hpp>

#include "tests/transport/random_wire.h"
#include "transport/describe.h"
#include "transport/wire.h"

namespace meadow::transport {
namespace {

TEST_CASE("wire: every message type round-trips with random bodies", "[wire]") {
  test::Rng rng(20261123);
  for (std::size_t index = 0; index < std::variant_size_v<wire::Body>; ++index) {
    for (int i = 0; i < 300; ++i) {
      const wire::Body body = test::random_body(rng, index);
      const std::string cluster = rng.bytes(wire::kMaxClusterIdBytes);
      const std::uint64_t sender = rng.u64();
      const std::string bytes = wire::encode(cluster, sender, body);
      const wire::DecodeResult decoded = wire::decode(bytes, wire::DecodeLimits{cluster});
      INFO(wire::describe(body));
      INFO((decoded.ok() ? std::string() : wire::describe(decoded.error)));
      REQUIRE(decoded.ok());
      CHECK(decoded.envelope->version == wire::kProtocolVersion);
      CHECK(decoded.envelope->cluster_id == cluster);
      CHECK(decoded.envelope->sender == sender);
      REQUIRE(decoded.envelope->body.index() == index);
      CHECK(decoded.envelope->body == body);
    }
  }
}

TEST_CASE("wire: message type numbers are stable", "[wire]") {
  // On-the-wire numbers: changing one breaks mixed-version clusters.
  test::Rng rng(1);
  const wire::MessageType expected[] = {
      wire::MessageType::raft,           wire::MessageType::put_request,
      wire::MessageType::delete_request, wire::MessageType::get_request,
      wire::MessageType::scan_request,   wire::MessageType::status_request,
      wire::MessageType::fault_request,  wire::MessageType::snapshot_request,
      wire::MessageType::ok_reply,
      wire::MessageType::value_reply,    wire::MessageType::not_found_reply,
      wire::MessageType::not_leader_reply, wire::MessageType::error_reply,
      wire::MessageType::scan_reply,     wire::MessageType::status_reply};
  const int numbers[] = {1, 16, 17, 18, 19, 20, 21, 30, 32, 33, 34, 35, 36, 37, 38};
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    const wire::Body body = test::random_body(rng, i);
    CHECK(wire::message_type(body) == expected[i]);
    CHECK(static_cast<int>(expected[i]) == numbers[i]);
    CHECK(wire::to_string(expected[i]) != "unknown");
  }
}

TEST_CASE("wire: requests and replies convert to and from bodies", "[wire]") {
  test::Rng rng(7);
  for (std::size_t index = 0; index < std::variant_size_v<wire::Body>; ++index) {
    const wire::Body body = test::random_body(rng, index);
    const auto request = wire::as_request(body);
    const auto reply = wire::as_reply(body);
    if (index == 0) {
      CHECK_FALSE(request);
      CHECK_FALSE(reply);
    } else if (index <= 6 || (index >= 14 && index <= 16) || index == 19) {  // requests (see wire::Body)
      REQUIRE(request);
      CHECK_FALSE(reply);
      CHECK(wire::to_body(*request) == body);
    } else {
      REQUIRE(reply);
      CHECK_FALSE(request);
      CHECK(wire::to_body(*reply) == body);
    }
  }
}

TEST_CASE("wire: request ids and write detection", "[wire]") {
  wire::Request put = wire::PutRequest{};
  wire::set_request_id(put, 42);
  CHECK(wire::request_id_of(put) == 42);
  CHECK(wire::is_write(put));
  CHECK(wire::is_write(wire::Request{wire::DeleteRequest{}}));
  CHECK_FALSE(wire::is_write(wire::Request{wire::GetRequest{}}));
  CHECK(wire::request_id_of(wire::Reply{wire::ErrorReply{9, wire::ErrorCode::busy, "x"}}) == 9);
}

}  // namespace
}  // namespace meadow::transport
