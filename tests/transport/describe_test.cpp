// describe(): one readable line per protocol object (used in logs and test failures).
#include <catch2/catch.hpp>

#include "tests/transport/random_wire.h"
#include "transport/describe.h"

namespace meadow::transport {
namespace {

TEST_CASE("describe: raft messages read like etcd's", "[describe]") {
  wire::RaftMessage append;
  append.type = wire::RaftMessageType::append;
  append.from = 1;
  append.to = 2;
  append.term = 4;
  append.log_term = 3;
  append.index = 17;
  append.commit = 16;
  append.entries = {wire::Entry{4, 18, wire::EntryKind::normal, "ab"}};
  CHECK(wire::describe(append) == "1->2 Append term=4 log=3/17 commit=16 entries=1");

  wire::RaftMessage vote;
  vote.type = wire::RaftMessageType::vote_response;
  vote.from = 3;
  vote.to = 1;
  vote.term = 5;
  vote.reject = true;
  CHECK(wire::describe(vote) == "3->1 VoteResp term=5 reject");
  CHECK(wire::describe(append.entries[0]) == "4/18 normal 2B");
}

TEST_CASE("describe: client messages show ids and quote keys safely", "[describe]") {
  const wire::Request put = wire::PutRequest{7, 0x9f2a, 3, "k\n", "value"};
  CHECK(wire::describe(put) == "put#7 c=9f2a s=3 key=\"k\\x0a\" 5B");
  const wire::Reply hint = wire::NotLeaderReply{7, 2, "tcp://127.0.0.1:7102"};
  CHECK(wire::describe(hint) == "not_leader#7 leader=2 at tcp://127.0.0.1:7102");
  const wire::Reply value = wire::ValueReply{8, "v", wire::ReadInfo{2, 40, true}};
  CHECK(wire::describe(value) == "value#8 \"v\" by=2 applied=40 stale");
  const wire::Request scan =
      wire::ScanRequest{9, wire::ScanMode::range, "a", "m", 10, wire::ReadConsistency::stale};
  CHECK(wire::describe(scan) == "scan#9 range=[\"a\",\"m\") limit=10 stale");
  const wire::Request fault = wire::FaultRequest{
      4, wire::FaultAction::drop_peers, {2, 3}, wire::FaultDirection::incoming, 0, 0};
  CHECK(wire::describe(fault) == "fault#4 drop_peers peers={2,3} dir=in");
}

TEST_CASE("describe: every body and envelope gives one non-empty line", "[describe]") {
  test::Rng rng(3);
  for (std::size_t index = 0; index < std::variant_size_v<wire::Body>; ++index) {
    for (int i = 0; i < 50; ++i) {
      const wire::Envelope envelope{1, "c", 3, test::random_body(rng, index)};
      const std::string line = wire::describe(envelope);
      CHECK(line.rfind("v1 cluster=c sender=3 ", 0) == 0);
      CHECK(line.find('\n') == std::string::npos);
    }
  }
  CHECK(wire::describe(wire::DecodeError{DropReason::oversized, "9 bytes > 8"}) ==
        "oversized: 9 bytes > 8");
}

}  // namespace
}  // namespace meadow::transport
