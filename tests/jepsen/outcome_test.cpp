// Which client results are definite: a write is `fail` only when it certainly did not and never
// will take effect; anything that may have reached a leader is `info`.
#include <catch2/catch.hpp>

#include "tests/jepsen/workload.h"

using namespace meadow;
using namespace meadow::jepsen;
namespace wire = transport::wire;

namespace {

transport::Completion completion(transport::ClientStatus status, std::uint32_t attempts,
                                 std::optional<wire::Reply> reply = std::nullopt) {
  transport::Completion done;
  done.status = status;
  done.attempts = attempts;
  done.reply = std::move(reply);
  return done;
}

}  // namespace

TEST_CASE("outcome: an acknowledged write is ok", "[checker]") {
  CHECK(write_outcome(completion(transport::ClientStatus::ok, 1, wire::OkReply{})) == Outcome::ok);
}

TEST_CASE("outcome: a timeout after sending is info, before sending is fail", "[checker]") {
  CHECK(write_outcome(completion(transport::ClientStatus::deadline_exceeded, 3)) == Outcome::info);
  CHECK(write_outcome(completion(transport::ClientStatus::deadline_exceeded, 0)) == Outcome::fail);
}

TEST_CASE("outcome: a refusal at the door is fail, other node errors are info", "[checker]") {
  CHECK(write_outcome(completion(transport::ClientStatus::server_error, 1,
                                 wire::ErrorReply{0, wire::ErrorCode::too_large, "big"})) ==
        Outcome::fail);
  CHECK(write_outcome(completion(transport::ClientStatus::server_error, 1,
                                 wire::ErrorReply{0, wire::ErrorCode::invalid_request, "stale"})) ==
        Outcome::fail);
  CHECK(write_outcome(completion(transport::ClientStatus::server_error, 1,
                                 wire::ErrorReply{0, wire::ErrorCode::internal, "disk"})) ==
        Outcome::info);
  // A not-leader after the node had accepted it (it stepped down): the entry may still commit.
  CHECK(write_outcome(completion(transport::ClientStatus::server_error, 2,
                                 wire::NotLeaderReply{})) == Outcome::info);
  CHECK(write_outcome(completion(transport::ClientStatus::invalid_argument, 0)) == Outcome::fail);
}
