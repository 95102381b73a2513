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

TEST_CASE("wire: encode_into writes the bytes of encode and reuses its buffer", "[wire]") {
  test::Rng rng(99);
  std::string reused;
  for (std::size_t index = 0; index < std::variant_size_v<wire::Body>; ++index) {
    for (int i = 0; i < 50; ++i) {
      const wire::Body body = test::random_body(rng, index);
      const std::string expected = wire::encode("c", 7, body);
      INFO(wire::describe(body));
      if (index == 0) {
        wire::encode_into(reused, "c", 7, std::get<wire::RaftMessage>(body));
      } else if (test::is_request_index(index)) {
        wire::encode_into(reused, "c", 7, *wire::as_request(body));
      } else {
        wire::encode_into(reused, "c", 7, *wire::as_reply(body));
      }
      CHECK(reused == expected);
    }
  }
}

TEST_CASE("wire: message type numbers are stable", "[wire]") {
  // On-the-wire numbers: changing one breaks mixed-version clusters.
  using namespace wire;
  using test::body_index;
  test::Rng rng(1);
  const std::pair<std::size_t, int> expected[] = {
      {body_index<RaftMessage>(), 1},          {body_index<PutRequest>(), 16},
      {body_index<DeleteRequest>(), 17},       {body_index<GetRequest>(), 18},
      {body_index<ScanRequest>(), 19},         {body_index<StatusRequest>(), 20},
      {body_index<FaultRequest>(), 21},        {body_index<TransferLeaderRequest>(), 25},
      {body_index<LogRequest>(), 26},          {body_index<SqlRequest>(), 27},
      {body_index<SnapshotRequest>(), 30},     {body_index<OkReply>(), 32},
      {body_index<ValueReply>(), 33},          {body_index<NotFoundReply>(), 34},
      {body_index<NotLeaderReply>(), 35},      {body_index<ErrorReply>(), 36},
      {body_index<ScanReply>(), 37},           {body_index<StatusReply>(), 38},
      {body_index<LogReply>(), 42},            {body_index<SqlReply>(), 43},
      {body_index<MembershipRequest>(), 22}};
  // Every alternative is listed.
  CHECK(std::size(expected) == std::variant_size_v<Body>);
  for (const auto& [index, number] : expected) {
    const Body body = test::random_body(rng, index);
    CHECK(static_cast<int>(message_type(body)) == number);
    CHECK(to_string(message_type(body)) != "unknown");
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
    } else if (test::is_request_index(index)) {
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
