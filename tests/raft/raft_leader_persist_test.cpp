// The leader sends AppendEntries before persisting its own new entries (Raft thesis §10.2.1),
// so its own copy must not count towards the commit quorum until advance() reports it durable.
// These tests fail if the core counts the leader's unpersisted entries.
#include <catch2/catch.hpp>

#include "tests/raft/harness.h"

namespace meadow::raft::test {
namespace {

Message ack(NodeId from, Index index, Term term) {
  Message m = msg(MessageType::append_response, from, 1, term);
  m.index = index;
  return m;
}

/// Leader 1 of {1,2,3} whose no-op is committed (follower 2 acknowledged it); 3 is down.
Harness leader_with_one_follower() {
  Harness h(make_config(1, {1, 2, 3}));
  h.become_leader();
  h.step(ack(2, h.core().last_index(), h.core().term()));
  h.take();
  REQUIRE(h.core().commit_index() == h.core().last_index());
  return h;
}

/// Records, at each send, how far the leader's own log was durable.
class OrderHarness : public Harness {
 public:
  using Harness::Harness;
  void send(const Message& m) override {
    durable_at_send.push_back({m.type, storage().last_index()});
    Harness::send(m);
  }
  std::vector<std::pair<MessageType, Index>> durable_at_send;
};

}  // namespace

TEST_CASE("raft: with one follower down the leader does not commit before its own entry is durable",
          "[raft]") {
  Harness h = leader_with_one_follower();
  const Term term = h.core().term();
  const Index commit = h.core().commit_index();
  REQUIRE(h.core().propose("x").status == Status::ok);
  const Index x = h.core().last_index();
  // The runtime took the Ready and sent the AppendEntries, but has not persisted yet.
  const Ready rd = h.core().ready();
  REQUIRE(rd.entries.size() == 1);
  // Follower 2 is fast: its acknowledgement arrives before the leader's fsync finished. One
  // durable copy of three is no majority.
  REQUIRE(h.core().step(ack(2, x, term)) == Status::ok);
  CHECK(h.core().commit_index() == commit);
  CHECK(h.core().progress().at(1).match_index() < x);
  // Now the leader's write is durable: two copies of three, committed.
  h.storage().persist(rd.hard_state, rd.entries);
  h.core().advance(rd);
  CHECK(h.core().progress().at(1).match_index() == x);
  CHECK(h.core().commit_index() == x);
  // The new commit index is spread at once.
  h.process();
  const auto appends = h.take(MessageType::append);
  REQUIRE_FALSE(appends.empty());
  CHECK(appends[0].commit == x);
  REQUIRE_FALSE(h.applied().empty());
  CHECK(h.applied().back().data == "x");
}

TEST_CASE("raft: a leader's lost unpersisted entry was never committed", "[raft]") {
  Harness h = leader_with_one_follower();
  const Term term = h.core().term();
  const Index commit = h.core().commit_index();
  h.core().propose("x");
  const Index x = h.core().last_index();
  const Ready rd = h.core().ready();
  h.core().step(ack(2, x, term));
  // Power lost before the leader's write: its Ready is never persisted nor advanced.
  CHECK(h.core().commit_index() == commit);
  h.restart();
  CHECK(h.core().commit_index() == commit);
  CHECK(h.core().last_index() == x - 1);
}

TEST_CASE("raft: a single-node leader commits its entries only after they are persisted",
          "[raft]") {
  Harness h(make_config(1, {1}));
  h.tick(20);
  REQUIRE(h.core().role() == Role::leader);
  const Index commit = h.core().commit_index();
  h.core().propose("x");
  const Ready rd = h.core().ready();
  CHECK(rd.committed_entries.empty());
  CHECK(h.core().commit_index() == commit);
  h.storage().persist(rd.hard_state, rd.entries);
  h.core().advance(rd);
  CHECK(h.core().commit_index() == h.core().last_index());
}

TEST_CASE("raft: process_ready sends the leader's AppendEntries before persisting its entries",
          "[raft]") {
  OrderHarness h(make_config(1, {1, 2, 3}));
  h.become_leader();
  h.step(ack(2, h.core().last_index(), h.core().term()));
  h.step(ack(3, h.core().last_index(), h.core().term()));
  h.durable_at_send.clear();
  h.core().propose("x");
  const Index x = h.core().last_index();
  h.process();
  std::size_t appends = 0;
  for (const auto& [type, durable] : h.durable_at_send) {
    if (type != MessageType::append) continue;
    ++appends;
    CHECK(durable == x - 1);  // the entry left before the leader's own write
  }
  CHECK(appends == 2);
  CHECK(h.storage().last_index() == x);
}

TEST_CASE("raft: SendOrder::after_persist sends everything after the write", "[raft]") {
  OrderHarness h(make_config(1, {1, 2, 3}));
  h.become_leader();
  h.step(ack(2, h.core().last_index(), h.core().term()));
  h.durable_at_send.clear();
  h.core().propose("x");
  const Index x = h.core().last_index();
  while (process_ready(h.core(), h.storage(), h, h, SendOrder::after_persist)) {
  }
  REQUIRE_FALSE(h.durable_at_send.empty());
  for (const auto& sent : h.durable_at_send) CHECK(sent.second == x);
}

TEST_CASE("raft: a follower acknowledges appended entries only after persisting them", "[raft]") {
  OrderHarness f(make_config(2, {1, 2, 3}));
  Message append = msg(MessageType::append, 1, 2, 1);
  append.entries = {entry(1, 1, "a"), entry(1, 2, "b")};
  f.step(append);
  const auto acks = f.take(MessageType::append_response);
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].index == 2);
  REQUIRE(f.durable_at_send.size() == 1);
  CHECK(f.durable_at_send[0].second == 2);
}

TEST_CASE("raft: a vote is granted only after it is persisted", "[raft]") {
  OrderHarness f(make_config(2, {1, 2, 3}));
  Message vote = msg(MessageType::vote, 1, 2, 5);
  f.step(vote);
  const auto grants = f.take(MessageType::vote_response);
  REQUIRE(grants.size() == 1);
  CHECK_FALSE(grants[0].reject);
  REQUIRE_FALSE(f.persisted_at_send().empty());
  CHECK(f.persisted_at_send().back().term == 5);
  CHECK(f.persisted_at_send().back().voted_for == 1);
}

TEST_CASE("raft: a single voter that just won persists its term before sending to a learner",
          "[raft]") {
  // A lone voter wins inside one tick, so the Ready that carries its new term and vote also
  // carries its first appends. Sent before the persist, a crash would let it win the same term
  // again with different entries at the same indexes the learner already holds.
  Config config = make_config(1, {1});
  config.learners = {2};
  Harness h(config);
  while (h.core().role() != Role::leader) h.core().tick();  // no Ready handled in between
  const Term term = h.core().term();
  REQUIRE(h.core().propose("x").status == Status::ok);
  h.process();
  REQUIRE_FALSE(h.persisted_at_send().empty());
  for (const HardState& durable : h.persisted_at_send()) {
    CHECK(durable.term == term);
    CHECK(durable.voted_for == 1);
  }
}

}  // namespace meadow::raft::test
