// The decoder is total: each kind of bad input maps to its own DropReason.
#include <catch2/catch.hpp>

#include <set>

#include <msgpack.hpp>

#include "transport/describe.h"
#include "transport/wire.h"

namespace meadow::transport {
namespace {

const std::string kCluster = "test-cluster";

// Packs an envelope by hand so tests can break any part of it.
template <typename Body>
std::string envelope(std::uint64_t version, const std::string& cluster, std::uint64_t type,
                     const Body& body) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_array(5);
  pk.pack(version);
  pk.pack(cluster);
  pk.pack(std::uint64_t{3});
  pk.pack(type);
  pk.pack(body);
  return std::string(buffer.data(), buffer.size());
}

DropReason reason_of(const std::string& bytes, std::size_t max = wire::kDefaultMaxMessageBytes) {
  const wire::DecodeResult result = wire::decode(bytes, wire::DecodeLimits{kCluster, max});
  INFO((result.ok() ? wire::describe(*result.envelope) : wire::describe(result.error)));
  REQUIRE_FALSE(result.ok());
  CHECK_FALSE(result.error.detail.empty());
  return result.error.reason;
}

std::string valid_put() {
  return wire::encode(kCluster, 3, wire::PutRequest{1, 2, 3, "k", "v"});
}

TEST_CASE("wire: a valid message decodes", "[wire]") {
  const auto result = wire::decode(valid_put(), wire::DecodeLimits{kCluster});
  REQUIRE(result.ok());
  CHECK(std::get<wire::PutRequest>(result.envelope->body).value == "v");
}

TEST_CASE("wire: bytes that are not one msgpack value are malformed", "[wire]") {
  CHECK(reason_of("") == DropReason::malformed);
  CHECK(reason_of("\xc1") == DropReason::malformed);  // never-used msgpack byte
  const std::string good = valid_put();
  CHECK(reason_of(good.substr(0, good.size() - 1)) == DropReason::malformed);
  CHECK(reason_of(good + "x") == DropReason::malformed);
}

TEST_CASE("wire: a huge declared array size does not allocate it", "[wire]") {
  // array32 claiming 2^32-1 elements, then nothing: must fail fast, not reserve ~100 GB.
  CHECK(reason_of(std::string("\xdd\xff\xff\xff\xff", 5)) == DropReason::malformed);
  CHECK(reason_of(std::string("\xdf\xff\xff\xff\xff", 5)) == DropReason::malformed);
  // Deep nesting: 1000 single-element arrays.
  CHECK(reason_of(std::string(1000, '\x91')) == DropReason::malformed);
}

TEST_CASE("wire: a bad envelope shape is rejected", "[wire]") {
  msgpack::sbuffer b;
  msgpack::pack(b, 17);
  CHECK(reason_of(std::string(b.data(), b.size())) == DropReason::bad_envelope);
  msgpack::sbuffer four;
  msgpack::pack(four, std::vector<int>{1, 2, 3, 4});
  CHECK(reason_of(std::string(four.data(), four.size())) == DropReason::bad_envelope);
  msgpack::sbuffer wrong;
  msgpack::pack(wrong, std::make_tuple(1, 2, 3, 16, 4));  // cluster id is not a string
  CHECK(reason_of(std::string(wrong.data(), wrong.size())) == DropReason::bad_envelope);
}

TEST_CASE("wire: versions outside the accepted range are rejected", "[wire]") {
  const wire::StatusRequest body{1};
  CHECK(reason_of(envelope(wire::kProtocolVersion + 1, kCluster, 20, body)) ==
        DropReason::newer_version);
  CHECK(reason_of(envelope(0, kCluster, 20, body)) == DropReason::older_version);
}

TEST_CASE("wire: another cluster's message is rejected", "[wire]") {
  CHECK(reason_of(wire::encode("other-cluster", 3, wire::StatusRequest{1})) ==
        DropReason::wrong_cluster);
  CHECK(reason_of(wire::encode(std::string(200, 'c'), 3, wire::StatusRequest{1})) ==
        DropReason::wrong_cluster);
}

TEST_CASE("wire: unknown message types are rejected", "[wire]") {
  CHECK(reason_of(envelope(1, kCluster, 999, wire::StatusRequest{1})) == DropReason::unknown_type);
  CHECK(reason_of(envelope(1, kCluster, 0, wire::StatusRequest{1})) == DropReason::unknown_type);
}

TEST_CASE("wire: missing and extra fields are rejected, also in nested structs", "[wire]") {
  // StatusRequest has one field.
  CHECK(reason_of(envelope(1, kCluster, 20, std::vector<int>{})) == DropReason::bad_field_count);
  CHECK(reason_of(envelope(1, kCluster, 20, std::vector<int>{1, 2})) ==
        DropReason::bad_field_count);
  // A RaftMessage whose one entry lacks its data field.
  const auto raft = std::make_tuple(4, 1, 2, 5, 4, 10, std::vector{std::make_tuple(5, 11, 0)}, 9,
                                    false, 0, std::string());
  CHECK(reason_of(envelope(1, kCluster, 1, raft)) == DropReason::bad_field_count);
}

TEST_CASE("wire: fields of the wrong type are rejected", "[wire]") {
  // request_id as a string
  CHECK(reason_of(envelope(1, kCluster, 20, std::make_tuple(std::string("x")))) ==
        DropReason::bad_field_type);
  // negative request id
  CHECK(reason_of(envelope(1, kCluster, 20, std::make_tuple(-5))) == DropReason::bad_field_type);
  // body not an array
  CHECK(reason_of(envelope(1, kCluster, 20, 7)) == DropReason::bad_field_type);
  // uint32 limit overflowing
  const auto scan = std::make_tuple(1, 0, std::string("a"), std::string(), 1ULL << 40, 0);
  CHECK(reason_of(envelope(1, kCluster, 19, scan)) == DropReason::bad_field_type);
}

TEST_CASE("wire: enum values outside their range are rejected", "[wire]") {
  // RaftMessage type 11 does not exist.
  const auto raft = std::make_tuple(11, 1, 2, 5, 4, 10, std::vector<int>{}, 9, false, 0,
                                    std::string());
  CHECK(reason_of(envelope(1, kCluster, 1, raft)) == DropReason::bad_enum_value);
  // GetRequest consistency 2.
  CHECK(reason_of(envelope(1, kCluster, 18, std::make_tuple(1, std::string("k"), 2))) ==
        DropReason::bad_enum_value);
  CHECK(reason_of(envelope(1, kCluster, 18, std::make_tuple(1, std::string("k"), 300))) ==
        DropReason::bad_enum_value);
}

TEST_CASE("wire: messages above the size limit are rejected before parsing", "[wire]") {
  const std::string big = wire::encode(kCluster, 3, wire::PutRequest{1, 2, 3, "k",
                                                                     std::string(5000, 'v')});
  CHECK(reason_of(big, 4096) == DropReason::oversized);
  CHECK(wire::decode(big, wire::DecodeLimits{kCluster, big.size()}).ok());
}

TEST_CASE("wire: drop reasons have distinct stable names", "[wire]") {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kDropReasonCount; ++i) {
    const std::string_view name = to_string(static_cast<DropReason>(i));
    CHECK(name != "unknown");
    names.insert(name);
  }
  CHECK(names.size() == kDropReasonCount);
  CHECK(to_string(DropReason::wrong_cluster) == "wrong_cluster");
}

}  // namespace
}  // namespace meadow::transport
