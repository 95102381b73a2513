// Membership changes across real `meadow node` processes: a node started with --join is added
// as a learner (catching up by snapshot), promoted, and then counts in quorums and elections;
// a follower and the leader are removed (the leader hands over first and exits 0); refusals;
// and restarts keep the stored configuration whatever the command line says.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>

#include "tests/cluster/test_cluster.h"
#include "transport/wire.h"

using namespace meadow::test;
namespace wire = meadow::transport::wire;
using meadow::transport::ClientStatus;

namespace {

/// Low thresholds: the leader compacts well before node 4 joins, so it needs a snapshot.
const std::vector<std::string> kArgs = {"--snapshot-entries", "20", "--snapshot-keep-entries",
                                        "5"};

std::string raft_endpoint_of(TestCluster& c, NodeId id) {
  const auto command = c.node_command(id);
  const auto peers = std::find(command.begin(), command.end(), "--peers");
  const std::string prefix = std::to_string(id) + "=";
  std::string list = *(peers + 1);
  const std::size_t at = ("," + list).find("," + prefix);
  REQUIRE(at != std::string::npos);
  const std::string rest = list.substr(at + prefix.size());
  return rest.substr(0, rest.find(','));
}

wire::MembershipRequest request(TestCluster& c, wire::MembershipAction action, NodeId node) {
  wire::MembershipRequest r{0, action, node, "", ""};
  if (action == wire::MembershipAction::add_learner) {
    r.raft_endpoint = raft_endpoint_of(c, node);
    r.client_endpoint = c.client_endpoint(node);
  }
  return r;
}

/// Sends `r` through a client that starts at `first`, retrying while the leader is not ready
/// (unavailable) or unknown; returns the final completion.
meadow::transport::Completion change(TestCluster& c, const wire::MembershipRequest& r,
                                     NodeId first) {
  meadow::transport::Completion done;
  wait_until(
      [&] {
        auto client = c.client(first, 10s);
        done = client->call(r);
        if (done.status == ClientStatus::deadline_exceeded) return false;
        const auto* e = done.reply ? std::get_if<wire::ErrorReply>(&*done.reply) : nullptr;
        return e == nullptr || e->code != wire::ErrorCode::unavailable;
      },
      60s);
  return done;
}

std::uint64_t ok_index(const meadow::transport::Completion& done) {
  INFO(done.message);
  REQUIRE(done.reply.has_value());
  const auto* e = std::get_if<wire::ErrorReply>(&*done.reply);
  INFO((e ? e->message : std::string()));
  const auto* ok = std::get_if<wire::OkReply>(&*done.reply);
  REQUIRE(ok != nullptr);
  return ok->index;
}

/// The ErrorReply of a refused change.
wire::ErrorReply refusal(const meadow::transport::Completion& done) {
  REQUIRE(done.reply.has_value());
  const auto* e = std::get_if<wire::ErrorReply>(&*done.reply);
  REQUIRE(e != nullptr);
  return *e;
}

/// "v:1,2,3 l:4" from a status reply's members (voters first).
std::string members_text(const wire::StatusReply& s) {
  std::string voters, learners;
  for (const auto& m : s.members) {
    std::string& list = m.voter ? voters : learners;
    list += (list.empty() ? "" : ",") + std::to_string(m.id);
  }
  return "v:" + voters + " l:" + learners;
}

/// Waits until node `id` reports `expected` members with all its entries up to `index` applied.
bool reports(TestCluster& c, NodeId id, const std::string& expected, std::uint64_t index = 0) {
  return wait_until(
      [&] {
        auto s = c.status(id, 500ms);
        return s && members_text(*s) == expected && s->last_applied >= index;
      },
      30s);
}

std::uint64_t counter(const wire::StatusReply& s, const std::string& name) {
  auto it = s.counters.find(name);
  return it == s.counters.end() ? 0 : it->second;
}

void put_ok(TestCluster& c, NodeId first, const std::string& key) {
  auto client = c.client(first, 20s);
  auto r = client->put(key, "v");
  INFO(r.message);
  REQUIRE(r.ok());
}

/// A leader among `among` that all of them agree on, or 0.
NodeId agreed_leader(TestCluster& c, const std::vector<NodeId>& among) {
  NodeId found = 0;
  wait_until(
      [&] {
        NodeId leader = 0;
        for (NodeId id : among) {
          auto s = c.status(id, 500ms);
          if (!s || s->leader_id == 0 || (leader != 0 && s->leader_id != leader)) return false;
          leader = s->leader_id;
        }
        auto s = c.status(leader, 500ms);
        if (!s || s->role != wire::Role::leader) return false;
        found = leader;
        return true;
      },
      30s);
  return found;
}

}  // namespace

TEST_CASE("membership: a joining node is added, caught up by snapshot, promoted and counts, then "
          "a follower and then the leader are removed",
          "[cluster][membership]") {
  TestCluster c(3, kArgs);
  const NodeId leader = c.wait_for_leader();
  REQUIRE(leader != 0);
  for (int i = 0; i < 60; ++i) put_ok(c, leader, "before-" + std::to_string(i));
  REQUIRE(reports(c, leader, "v:1,2,3 l:"));

  // Node 4 starts with --join: no configuration, it waits.
  c.add_node(4);
  c.start_joining(4);
  REQUIRE(wait_until([&] { return c.status(4, 500ms).has_value(); }, 30s));
  CHECK(c.status(4)->members.empty());

  const auto add = request(c, wire::MembershipAction::add_learner, 4);
  const std::uint64_t added_at = ok_index(change(c, add, leader));
  CHECK(added_at > 60);
  // Caught up from a snapshot: the leader's log no longer held the early entries.
  REQUIRE(reports(c, 4, "v:1,2,3 l:4", added_at));
  CHECK(counter(*c.status(4), "snapshot.installed") >= 1);
  CHECK(c.status(leader)->membership_index == added_at);
  // A retry is answered at once with the same index; another id or other endpoints are refused.
  CHECK(ok_index(change(c, add, leader)) == added_at);
  auto moved = add;
  moved.client_endpoint = "tcp://127.0.0.1:1";
  CHECK(refusal(change(c, moved, leader)).code == wire::ErrorCode::invalid_request);
  auto existing = request(c, wire::MembershipAction::add_learner, 4);
  existing.node = 2;
  const auto exists = refusal(change(c, existing, leader));
  CHECK(exists.code == wire::ErrorCode::invalid_request);
  CHECK(exists.message.find("node 2 is already a member") != std::string::npos);
  CHECK(refusal(change(c, request(c, wire::MembershipAction::promote, 9), leader)).message ==
        "node 9 is not a learner: only a learner can be promoted");

  const std::uint64_t promoted_at =
      ok_index(change(c, request(c, wire::MembershipAction::promote, 4), leader));
  REQUIRE(reports(c, 4, "v:1,2,3,4 l:", promoted_at));

  // Four voters: quorum 3. With one old follower down, a write needs node 4's copy; with that
  // follower back and the leader down, a new leader needs node 4's vote.
  std::vector<NodeId> followers;
  for (NodeId id : {1, 2, 3})
    if (id != leader) followers.push_back(id);
  c.kill(followers[0]);
  put_ok(c, leader, "needs-node-4");
  c.start(followers[0]);
  c.kill(leader);
  const NodeId second = agreed_leader(c, {followers[0], followers[1], 4});
  REQUIRE(second != 0);
  c.start(leader);
  put_ok(c, second, "after-failover");

  // Remove a follower (the old leader, now back as a follower): it learns its removal, exits 0.
  const std::uint64_t removed_at =
      ok_index(change(c, request(c, wire::MembershipAction::remove, leader), second));
  std::vector<NodeId> rest;
  for (NodeId id : {1, 2, 3, 4})
    if (id != leader) rest.push_back(id);
  std::string voters;
  for (NodeId id : rest) voters += (voters.empty() ? "" : ",") + std::to_string(id);
  for (NodeId id : rest) REQUIRE(reports(c, id, "v:" + voters + " l:", removed_at));
  INFO("removed node:\n" << c.log_tail(leader, 40) << "leader:\n" << c.log_tail(second, 40));
  REQUIRE(wait_until([&] { return !c.running(leader); }, 30s));
  CHECK(c.stop(leader) == 0);
  CHECK(c.log_tail(leader).find("removed from the cluster at index " +
                                std::to_string(removed_at)) != std::string::npos);

  // Remove the leader: it hands over first, the client follows the redirect, the removal
  // commits under the new leader and the old one exits 0.
  const std::uint64_t leader_removed_at =
      ok_index(change(c, request(c, wire::MembershipAction::remove, second), second));
  std::vector<NodeId> last;
  for (NodeId id : rest)
    if (id != second) last.push_back(id);
  const NodeId third = agreed_leader(c, last);
  REQUIRE(third != 0);
  CHECK(third != second);
  REQUIRE(wait_until([&] { return !c.running(second); }, 30s));
  CHECK(c.stop(second) == 0);
  CHECK(c.log_tail(second).find("removed from the cluster at index " +
                                std::to_string(leader_removed_at)) != std::string::npos);
  put_ok(c, third, "two-voters-left");
  auto s = c.status(third);
  REQUIRE(s);
  CHECK(s->members.size() == 2);
  CHECK(s->membership_index == leader_removed_at);

  // The last two: removing one leaves one voter; removing that one is refused.
  const NodeId other = last[0] == third ? last[1] : last[0];
  ok_index(change(c, request(c, wire::MembershipAction::remove, other), third));
  const auto last_voter = refusal(change(c, request(c, wire::MembershipAction::remove, third), third));
  CHECK(last_voter.code == wire::ErrorCode::invalid_request);
  CHECK(last_voter.message.find("last voter") != std::string::npos);
}

TEST_CASE("membership: a change while another is in flight is a conflict, and a restart with "
          "the original --peers keeps the stored configuration",
          "[cluster][membership]") {
  TestCluster c(3, kArgs);
  const NodeId leader = c.wait_for_leader();
  REQUIRE(leader != 0);
  put_ok(c, leader, "k");
  // Node 4 is never started: with both followers stopped the add cannot commit and stays in
  // flight.
  c.add_node(4);
  std::vector<NodeId> followers;
  for (NodeId id : {1, 2, 3})
    if (id != leader) followers.push_back(id);
  for (NodeId id : followers) c.kill(id);
  auto client = c.client(leader, 2s);
  client->submit(request(c, wire::MembershipAction::add_learner, 4), 0);
  REQUIRE(wait_until([&] {
    auto s = c.status(leader, 500ms);
    return s && members_text(*s) == "v:1,2,3 l:4";
  }, 30s));
  const auto in_flight = refusal(change(c, request(c, wire::MembershipAction::remove, 4), leader));
  CHECK(in_flight.code == wire::ErrorCode::conflict);
  CHECK(in_flight.message.find("another membership change is in flight (index") !=
        std::string::npos);
  for (NodeId id : followers) c.start(id);
  // The add commits, or a follower that never saw it wins the election and it is gone; either
  // way wait until no change is in flight, and remove node 4 if it is a member.
  const NodeId now = c.wait_for_leader();
  REQUIRE(now != 0);
  std::optional<wire::StatusReply> settled;
  REQUIRE(wait_until([&] {
    settled = c.status(now, 500ms);
    return settled && settled->membership_index <= settled->commit_index;
  }, 30s));
  std::uint64_t removed_at = 0;
  if (members_text(*settled) == "v:1,2,3 l:4") {
    removed_at = ok_index(change(c, request(c, wire::MembershipAction::remove, 4), now));
  }
  // Remove a follower and restart the others with the original --peers 1,2,3: the stored
  // configuration wins.
  NodeId gone = now == 3 ? 2 : 3;
  const std::uint64_t gone_at =
      ok_index(change(c, request(c, wire::MembershipAction::remove, gone), now));
  CHECK(gone_at > removed_at);
  std::vector<NodeId> kept;
  for (NodeId id : {1, 2, 3})
    if (id != gone) kept.push_back(id);
  const std::string expected =
      "v:" + std::to_string(kept[0]) + "," + std::to_string(kept[1]) + " l:";
  for (NodeId id : kept) REQUIRE(reports(c, id, expected, gone_at));
  if (c.running(gone)) c.stop(gone);
  for (NodeId id : kept) c.stop(id);
  for (NodeId id : kept) c.start(id);
  const NodeId again = agreed_leader(c, kept);
  REQUIRE(again != 0);
  for (NodeId id : kept) CHECK(reports(c, id, expected));
  CHECK(c.log_tail(kept[0], 200).find("members from the command line ignored") !=
        std::string::npos);
  put_ok(c, again, "after-restart");
  // The removed node, restarted with its old command line, does not disrupt the two.
  c.start(gone);
  put_ok(c, again, "with-the-removed-one-back");
  CHECK(agreed_leader(c, kept) == again);
}
