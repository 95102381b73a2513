// One test per claim of the Raft paper (Ongaro & Ousterhout 2014), named by section, in the
// style of etcd's raft_paper_test.go. Each drives one real core through process_ready.
#include <catch2/catch.hpp>

#include "tests/raft/harness.h"

namespace meadow::raft::test {
namespace {

/// A follower of `leader` in `term` that holds `log` (persisted as if replicated earlier).
Harness follower_with_log(NodeId id, const std::vector<Entry>& log, Term term,
                          bool pre_vote = false) {
  Harness h(make_config(id, {1, 2, 3}, pre_vote));
  h.storage().persist(HardState{term, kNoNode, 0}, log);
  h.restart();
  return h;
}

Message append(NodeId from, NodeId to, Term term, Term prev_term, Index prev_index,
               std::vector<Entry> entries, Index commit) {
  Message m = msg(MessageType::append, from, to, term);
  m.log_term = prev_term;
  m.index = prev_index;
  m.entries = std::move(entries);
  m.commit = commit;
  return m;
}

}  // namespace

TEST_CASE("raft §5.1: a node that sees a higher term becomes a follower in that term",
          "[raft][paper]") {
  Harness h(make_config(1, {1, 2, 3}));
  h.become_leader();
  REQUIRE(h.core().role() == Role::leader);
  Message m = msg(MessageType::append_response, 2, 1, h.core().term() + 3);
  h.step(m);
  CHECK(h.core().role() == Role::follower);
  CHECK(h.core().term() == m.term);
  CHECK(h.core().voted_for() == kNoNode);
  CHECK(h.storage().hard_state().term == m.term);
}

TEST_CASE("raft §5.1: a message with a stale term is answered with the current term",
          "[raft][paper]") {
  // (With PreVote or CheckQuorum on; without them a stale message is only ignored.)
  Harness h = follower_with_log(2, {entry(1, 1)}, 5, /*pre_vote=*/true);
  h.step(append(1, 2, 3, 1, 1, {entry(3, 2)}, 1));
  const auto out = h.take();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type == MessageType::append_response);
  CHECK(out[0].term == 5);  // tells the stale leader it is stale
  CHECK(h.core().last_index() == 1);
  CHECK(h.core().leader() == kNoNode);
}

TEST_CASE("raft §5.2: a follower that hears nothing starts an election after its timeout",
          "[raft][paper]") {
  Harness h(make_config(1, {1, 2, 3}));
  int ticks = 0;
  while (h.core().role() == Role::follower && ticks < 100) {
    h.tick();
    ++ticks;
  }
  CHECK(ticks >= 10);
  CHECK(ticks < 20);
  CHECK(h.core().role() == Role::candidate);
  CHECK(h.core().term() == 1);
  CHECK(h.core().voted_for() == 1);
  const auto votes = h.take(MessageType::vote);
  CHECK(votes.size() == 2);
}

TEST_CASE("raft §5.2: election timeouts are randomized over the whole range by the seed",
          "[raft][paper]") {
  std::set<int> seen;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Config c = make_config(1, {1, 2, 3});
    c.rng_seed = seed;
    Harness h(c);
    int ticks = 0;
    while (h.core().role() == Role::follower) {
      h.tick();
      ++ticks;
    }
    REQUIRE(ticks >= 10);
    REQUIRE(ticks < 20);
    seen.insert(ticks);
  }
  CHECK(seen.size() == 10);  // every value of the range occurs
}

TEST_CASE("raft §5.2 + §8: a candidate with a majority becomes leader and appends a no-op",
          "[raft][paper]") {
  Harness h(make_config(1, {1, 2, 3}));
  while (h.core().role() != Role::candidate) h.tick();
  const auto votes = h.take(MessageType::vote);
  h.step(Harness::response(votes[0], MessageType::vote_response));
  CHECK(h.core().role() == Role::leader);
  CHECK(h.core().last_index() == 1);
  const auto noop = h.storage().entries(1, 2, UINT64_MAX);
  REQUIRE(noop.size() == 1);
  CHECK(noop[0].kind == EntryKind::noop);
  CHECK(noop[0].term == h.core().term());
  CHECK(h.take(MessageType::append).size() == 2);
}

TEST_CASE("raft §5.2: a candidate that a majority rejects returns to follower",
          "[raft][paper]") {
  Harness h(make_config(1, {1, 2, 3}));
  while (h.core().role() != Role::candidate) h.tick();
  const auto votes = h.take(MessageType::vote);
  h.step(Harness::response(votes[0], MessageType::vote_response, true));
  CHECK(h.core().role() == Role::candidate);
  h.step(Harness::response(votes[1], MessageType::vote_response, true));
  CHECK(h.core().role() == Role::follower);
}

TEST_CASE("raft §5.2: a node grants at most one vote per term to the first candidate that asks",
          "[raft][paper]") {
  Harness h(make_config(3, {1, 2, 3}));
  Message v1 = msg(MessageType::vote, 1, 3, 1);
  Message v2 = msg(MessageType::vote, 2, 3, 1);
  h.step(v1);
  h.step(v2);
  h.step(v1);  // a repeated request from the one we voted for is granted again
  const auto out = h.take(MessageType::vote_response);
  REQUIRE(out.size() == 3);
  CHECK_FALSE(out[0].reject);
  CHECK(out[1].reject);
  CHECK_FALSE(out[2].reject);
  CHECK(h.storage().hard_state().voted_for == 1);
}

TEST_CASE("raft §5.2 + Figure 2: a vote survives a restart and is not granted twice",
          "[raft][paper]") {
  Harness h(make_config(3, {1, 2, 3}));
  h.step(msg(MessageType::vote, 1, 3, 4));
  h.take();
  h.restart();
  CHECK(h.core().term() == 4);
  CHECK(h.core().voted_for() == 1);
  h.step(msg(MessageType::vote, 2, 3, 4));
  const auto out = h.take(MessageType::vote_response);
  REQUIRE(out.size() == 1);
  CHECK(out[0].reject);
}

TEST_CASE("raft Figure 2: a vote is durable before the response is sent", "[raft][paper]") {
  Harness h(make_config(3, {1, 2, 3}));
  h.step(msg(MessageType::vote, 1, 3, 2));
  REQUIRE(h.persisted_at_send().size() == 1);
  CHECK(h.persisted_at_send()[0].term == 2);
  CHECK(h.persisted_at_send()[0].voted_for == 1);
}

TEST_CASE("raft §5.4.1: a voter rejects a candidate whose log is less up to date",
          "[raft][paper]") {
  // The voter's log ends at term 2, index 2.
  Harness h = follower_with_log(3, {entry(1, 1), entry(2, 2)}, 2);
  const auto granted = [&](Term last_term, Index last_index) {
    Message v = msg(MessageType::vote, 1, 3, 3);
    v.log_term = last_term;
    v.index = last_index;
    h.step(v);
    return !h.take(MessageType::vote_response).at(0).reject;
  };
  SECTION("older last term") { CHECK_FALSE(granted(1, 5)); }
  SECTION("same last term, shorter log") { CHECK_FALSE(granted(2, 1)); }
  SECTION("same last term, same length") { CHECK(granted(2, 2)); }
  SECTION("newer last term, shorter log") { CHECK(granted(3, 1)); }
}

TEST_CASE("raft §5.3: a follower rejects AppendEntries with a gap", "[raft][paper]") {
  Harness h = follower_with_log(2, {entry(1, 1)}, 1);
  h.step(append(1, 2, 1, 1, 5, {entry(1, 6)}, 0));
  const auto out = h.take(MessageType::append_response);
  REQUIRE(out.size() == 1);
  CHECK(out[0].reject);
  CHECK(out[0].index == 5);
  CHECK(out[0].reject_hint == 1);  // our last index: retry from there
  CHECK(h.core().last_index() == 1);
}

TEST_CASE("raft §5.3: a follower rejects AppendEntries whose previous term differs "
          "and sends a conflict hint", "[raft][paper]") {
  Harness h = follower_with_log(2, {entry(1, 1), entry(2, 2), entry(2, 3), entry(2, 4)}, 2);
  h.step(append(1, 2, 3, 3, 4, {entry(3, 5)}, 0));
  const auto out = h.take(MessageType::append_response);
  REQUIRE(out.size() == 1);
  CHECK(out[0].reject);
  // Our entries of term 2 are all <= 3: the hint is our last entry with term <= 3.
  CHECK(out[0].reject_hint == 4);
  CHECK(out[0].log_term == 2);
}

TEST_CASE("raft §5.3: a follower deletes a conflicting suffix and appends the leader's entries",
          "[raft][paper]") {
  Harness h = follower_with_log(2, {entry(1, 1), entry(2, 2), entry(2, 3)}, 2);
  h.step(append(1, 2, 3, 1, 1, {entry(3, 2, "a"), entry(3, 3, "b"), entry(3, 4, "c")}, 3));
  const auto out = h.take(MessageType::append_response);
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].reject);
  CHECK(out[0].index == 4);
  CHECK(h.storage().all_entries() ==
        std::vector<Entry>{entry(1, 1), entry(3, 2, "a"), entry(3, 3, "b"), entry(3, 4, "c")});
  CHECK(h.core().commit_index() == 3);  // min(leader commit, last new index)
  CHECK(h.applied().size() == 3);
}

TEST_CASE("raft §5.3: a delayed shorter AppendEntries does not truncate newer entries",
          "[raft][paper]") {
  Harness h = follower_with_log(2, {entry(1, 1), entry(1, 2), entry(1, 3)}, 1);
  h.step(append(1, 2, 1, 1, 1, {entry(1, 2)}, 0));
  CHECK(h.core().last_index() == 3);
  CHECK(h.take(MessageType::append_response).at(0).index == 2);
}

TEST_CASE("raft §5.3: the leader commits an entry once a majority stored it", "[raft][paper]") {
  Harness h(make_config(1, {1, 2, 3}));
  h.become_leader();
  const Term term = h.core().term();
  const auto r = h.core().propose("x");
  h.process();
  REQUIRE(r.status == Status::ok);
  CHECK(h.core().commit_index() == 0);
  Message ack = msg(MessageType::append_response, 2, 1, term);
  ack.index = r.index;
  h.step(ack);
  CHECK(h.core().commit_index() == r.index);
  REQUIRE(h.applied().size() == 2);
  CHECK(h.applied()[1].data == "x");
  CHECK(h.storage().hard_state().commit == r.index);
}

TEST_CASE("raft §5.4.2: a leader does not commit an earlier-term entry by counting replicas",
          "[raft][paper]") {
  // Node 1 holds an uncommitted entry of term 1; it becomes leader of a later term.
  Harness h(make_config(1, {1, 2, 3}));
  h.storage().persist(HardState{1, kNoNode, 0}, {entry(1, 1, "old")});
  h.restart();
  h.become_leader();
  const Term term = h.core().term();
  REQUIRE(term > 1);
  REQUIRE(h.core().last_index() == 2);  // its no-op
  // A follower acknowledges only index 1 (the old-term entry): a majority holds it, but it
  // must not be committed by counting.
  Message ack = msg(MessageType::append_response, 2, 1, term);
  ack.index = 1;
  h.step(ack);
  CHECK(h.core().commit_index() == 0);
  // Once the no-op (current term) is on a majority, both commit.
  ack.index = 2;
  h.step(ack);
  CHECK(h.core().commit_index() == 2);
}

TEST_CASE("raft §5.3: a leader backs up next_index using the follower's conflict hint",
          "[raft][paper]") {
  Harness h(make_config(1, {1, 2, 3}));
  h.storage().persist(HardState{5, kNoNode, 0},
                      {entry(1, 1), entry(1, 2), entry(5, 3), entry(5, 4), entry(5, 5)});
  h.restart();
  h.become_leader();
  const Term term = h.core().term();
  const Index probe_prev = h.core().last_index() - 1;
  REQUIRE(probe_prev == 5);
  // The follower holds entries of term 3 from index 3 on: it rejects the probe at index 5
  // with the hint 5/term 3.
  Message rej = msg(MessageType::append_response, 2, 1, term);
  rej.reject = true;
  rej.index = probe_prev;
  rej.reject_hint = 5;
  rej.log_term = 3;
  h.take();
  h.step(rej);
  const auto out = h.take(MessageType::append);
  REQUIRE(out.size() == 1);
  // Our last entry with term <= 3 is index 2: resend from there in one step.
  CHECK(out[0].index == 2);
  CHECK(out[0].log_term == 1);
}

}  // namespace meadow::raft::test
