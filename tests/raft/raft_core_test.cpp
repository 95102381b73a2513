// Unit tests of RaftCore beyond the paper's basic claims: input validation, PreVote,
// CheckQuorum, flow control, ReadIndex, leadership transfer, single-node clusters, restart.
#include <catch2/catch.hpp>

#include "tests/raft/harness.h"

namespace meadow::raft::test {
namespace {

Message ack(const Harness& h, NodeId from, Index index, Term term) {
  (void)h;
  Message m = msg(MessageType::append_response, from, 1, term);
  m.index = index;
  return m;
}

/// Leader 1 of {1,2,3} whose no-op is committed (follower 2 acknowledged it).
Harness committed_leader(Config config = make_config(1, {1, 2, 3})) {
  Harness h(std::move(config));
  h.become_leader();
  h.step(ack(h, 2, h.core().last_index(), h.core().term()));
  h.take();
  return h;
}

TEST_CASE("raft: a batch of proposals becomes consecutive entries sent in one AppendEntries per follower",
          "[raft]") {
  Harness h(make_config(1, {1, 2, 3}));
  h.become_leader();
  for (NodeId follower : {NodeId{2}, NodeId{3}}) {  // acknowledge the no-op: replicate state
    Message ack = msg(MessageType::append_response, follower, 1, h.core().term());
    ack.index = h.core().last_index();
    h.step(ack);
  }
  h.take();
  const Index before = h.core().last_index();
  const ProposeResult r = h.core().propose_batch({"a", "b", "c"});
  h.process();
  REQUIRE(r.status == Status::ok);
  CHECK(r.index == before + 1);
  CHECK(r.term == h.core().term());
  CHECK(h.core().last_index() == before + 3);
  const auto appends = h.take(MessageType::append);
  REQUIRE(appends.size() == 2);
  for (const Message& m : appends) {
    REQUIRE(m.entries.size() == 3);
    CHECK(m.entries[0].data == "a");
    CHECK(m.entries[2].data == "c");
    CHECK(m.entries[2].index == before + 3);
  }

  Harness follower(make_config(2, {1, 2, 3}));
  CHECK(follower.core().propose_batch({"x"}).status == Status::not_leader);
}

}  // namespace

TEST_CASE("raft: step rejects misaddressed and malformed messages without asserting",
          "[raft]") {
  Harness h(make_config(1, {1, 2, 3}));
  CHECK(h.step(msg(MessageType::heartbeat, 2, 3, 1)) == Status::invalid);   // not for us
  CHECK(h.step(msg(MessageType::heartbeat, 0, 1, 1)) == Status::invalid);   // no sender
  CHECK(h.step(msg(MessageType::heartbeat, 1, 1, 1)) == Status::invalid);   // from ourselves
  CHECK(h.step(msg(MessageType::heartbeat, 2, 1, 0)) == Status::invalid);   // term 0
  CHECK(h.step(msg(static_cast<MessageType>(77), 2, 1, 1)) == Status::invalid);
  CHECK(h.core().counters().messages_rejected == 5);
  CHECK(h.core().term() == 0);
  // Entries that do not follow the previous index are rejected too.
  Message bad = msg(MessageType::append, 2, 1, 1);
  bad.entries = {entry(1, 7)};
  CHECK(h.step(bad) == Status::invalid);
  // Entries of term 0 would make a log look empty to the election restriction (§5.4.1).
  Message term_zero = msg(MessageType::append, 2, 1, 1);
  term_zero.entries = {entry(0, 1)};
  CHECK(h.step(term_zero) == Status::invalid);
  // A previous entry with a term but no index, or a newer term than the message's own.
  Message bad_prev = msg(MessageType::append, 2, 1, 1);
  bad_prev.log_term = 1;
  CHECK(h.step(bad_prev) == Status::invalid);
  Message future_prev = msg(MessageType::append, 2, 1, 1);
  future_prev.index = 3;
  future_prev.log_term = 2;
  CHECK(h.step(future_prev) == Status::invalid);
  CHECK(h.core().counters().messages_rejected == 9);
  CHECK(h.core().last_index() == 0);
  CHECK(h.core().term() == 0);
  CHECK(h.take(MessageType::append_response).empty());
}

TEST_CASE("raft: a term near the top of the range is rejected, so a term can never wrap to 0",
          "[raft]") {
  // A vote in term 5, then a hostile heartbeat at the largest term: had it been adopted, the
  // next election's term + 1 would wrap to 0 and the node could vote twice in term 5.
  Harness h(make_config(3, {1, 2, 3}));
  Message vote = msg(MessageType::vote, 1, 3, 5);
  CHECK(h.step(vote) == Status::ok);
  CHECK(h.core().voted_for() == 1);
  for (Term huge : {~Term{0}, Term{1} << 62}) {
    CHECK(h.step(msg(MessageType::heartbeat, 2, 3, huge)) == Status::invalid);
    CHECK(h.core().term() == 5);
  }
  Message other_vote = msg(MessageType::vote, 2, 3, 5);
  h.step(other_vote);
  CHECK(h.core().voted_for() == 1);  // still the one vote of term 5
}

TEST_CASE("raft: a follower refuses proposals and reads with a leader hint", "[raft]") {
  Harness h(make_config(2, {1, 2, 3}));
  Message hb = msg(MessageType::heartbeat, 1, 2, 1);
  h.step(hb);
  const auto p = h.core().propose("x");
  CHECK(p.status == Status::not_leader);
  CHECK(p.leader_hint == 1);
  CHECK(h.core().read_index("r").status == Status::not_leader);
  CHECK(h.core().transfer_leadership(3).status == Status::not_leader);
}

TEST_CASE("raft: a single-node cluster elects itself and commits at once", "[raft]") {
  Harness h(make_config(1, {1}));
  h.tick(20);
  REQUIRE(h.core().role() == Role::leader);
  const auto p = h.core().propose("x");
  h.process();
  CHECK(h.core().commit_index() == p.index);
  REQUIRE(h.core().read_index("r").status == Status::ok);
  h.process();
  REQUIRE(h.reads().size() == 1);
  CHECK(h.reads()[0].index == p.index);
}

TEST_CASE("raft: PreVote asks first and keeps the term until a majority would vote", "[raft]") {
  Harness h(make_config(1, {1, 2, 3}, /*pre_vote=*/true));
  while (h.core().role() == Role::follower) h.tick();
  CHECK(h.core().role() == Role::pre_candidate);
  CHECK(h.core().term() == 0);
  const auto pre = h.take(MessageType::pre_vote);
  REQUIRE(pre.size() == 2);
  CHECK(pre[0].term == 1);  // the term it would campaign in
  h.step(Harness::response(pre[0], MessageType::pre_vote_response));
  CHECK(h.core().role() == Role::candidate);
  CHECK(h.core().term() == 1);
  CHECK(h.take(MessageType::vote).size() == 2);
}

TEST_CASE("raft: a pre-vote does not change the voter's term or vote", "[raft]") {
  Harness h(make_config(2, {1, 2, 3}, /*pre_vote=*/true));
  Message pv = msg(MessageType::pre_vote, 1, 2, 7);
  h.step(pv);
  CHECK(h.core().term() == 0);
  CHECK(h.core().voted_for() == kNoNode);
  const auto out = h.take(MessageType::pre_vote_response);
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].reject);
  CHECK(out[0].term == 7);
}

TEST_CASE("raft: a follower that hears from its leader ignores vote requests (leader stickiness)",
          "[raft]") {
  Config c = make_config(2, {1, 2, 3}, /*pre_vote=*/true);
  c.check_quorum = true;
  Harness h(c);
  h.step(msg(MessageType::heartbeat, 1, 2, 1));
  h.take();
  h.step(msg(MessageType::pre_vote, 3, 2, 2));
  h.step(msg(MessageType::vote, 3, 2, 2));
  CHECK(h.take().empty());
  CHECK(h.core().term() == 1);
  CHECK(h.core().leader() == 1);
  // A transfer's election is honoured even so.
  Message forced = msg(MessageType::vote, 3, 2, 2);
  forced.context = kCampaignTransfer;
  h.step(forced);
  CHECK(h.core().term() == 2);
  CHECK(h.core().voted_for() == 3);
}

TEST_CASE("raft: CheckQuorum makes a leader without a live majority step down", "[raft]") {
  Config c = make_config(1, {1, 2, 3});
  c.check_quorum = true;
  Harness h(c);
  h.become_leader();
  h.tick(10);  // first round: peers count as inactive since becoming leader
  CHECK(h.core().role() == Role::follower);
  CHECK(h.core().counters().check_quorum_step_downs == 1);

  Harness k(c);
  k.become_leader();
  for (int i = 0; i < 30; ++i) {
    Message r = msg(MessageType::heartbeat_response, 2, 1, k.core().term());
    k.step(r);
    k.tick();
  }
  CHECK(k.core().role() == Role::leader);
}

TEST_CASE("raft: a replicating follower gets at most max_inflight appends in flight", "[raft]") {
  Config c = make_config(1, {1, 2, 3});
  c.max_inflight_messages = 3;
  c.max_entries_per_message = 1;
  Harness h(c);
  h.become_leader();
  const Term term = h.core().term();
  h.step(ack(h, 2, h.core().last_index(), term));  // follower 2 -> replicate
  REQUIRE(h.core().progress().at(2).state() == ProgressState::replicate);
  h.take();
  for (int i = 0; i < 10; ++i) h.core().propose("x" + std::to_string(i));
  h.process();
  std::size_t to_2 = 0;
  for (const auto& m : h.take(MessageType::append)) to_2 += m.to == 2 ? 1 : 0;
  CHECK(to_2 == 3);
  CHECK(h.core().progress().at(2).inflight_count() == 3);
  CHECK(h.core().progress().at(3).state() == ProgressState::probe);
  // An acknowledgement frees the window and the pipeline refills.
  h.step(ack(h, 2, h.core().progress().at(2).match_index() + 1, term));
  std::size_t more = 0;
  for (const auto& m : h.take(MessageType::append)) more += m.to == 2 ? 1 : 0;
  CHECK(more == 1);
}

TEST_CASE("raft: a probing follower gets one append per heartbeat round", "[raft]") {
  Harness h(make_config(1, {1, 2, 3}));
  h.become_leader();
  h.take();
  h.core().propose("a");
  h.core().propose("b");
  h.process();
  std::size_t to_3 = 0;
  for (const auto& m : h.take(MessageType::append)) to_3 += m.to == 3 ? 1 : 0;
  CHECK(to_3 == 0);  // paused: the first probe is unanswered
  h.step(msg(MessageType::heartbeat_response, 3, 1, h.core().term()));
  for (const auto& m : h.take(MessageType::append)) to_3 += m.to == 3 ? 1 : 0;
  CHECK(to_3 == 1);
}

TEST_CASE("raft: ReadIndex answers only after a heartbeat round confirms leadership",
          "[raft]") {
  Harness h = committed_leader();
  const Term term = h.core().term();
  const Index commit = h.core().commit_index();
  REQUIRE(h.core().read_index("ctx").status == Status::ok);
  h.process();
  CHECK(h.reads().empty());
  const auto hbs = h.take(MessageType::heartbeat);
  REQUIRE(hbs.size() == 2);
  REQUIRE_FALSE(hbs[0].context.empty());
  // A heartbeat response without the round's context does not count.
  h.step(msg(MessageType::heartbeat_response, 2, 1, term));
  CHECK(h.reads().empty());
  Message resp = Harness::response(hbs[0], MessageType::heartbeat_response);
  resp.context = hbs[0].context;
  h.step(resp);
  REQUIRE(h.reads().size() == 1);
  CHECK(h.reads()[0].context == "ctx");
  CHECK(h.reads()[0].index == commit);
}

TEST_CASE("raft: ReadIndex waits until the new leader committed an entry of its term",
          "[raft]") {
  Harness h(make_config(1, {1, 2, 3}));
  h.become_leader();
  h.take();
  REQUIRE(h.core().read_index("early").status == Status::ok);
  h.process();
  CHECK(h.take(MessageType::heartbeat).empty());  // no round yet: commit index not current
  CHECK(h.core().pending_read_count() == 1);
  h.step(ack(h, 2, h.core().last_index(), h.core().term()));
  const auto hbs = h.take(MessageType::heartbeat);
  REQUIRE_FALSE(hbs.empty());
  Message resp = Harness::response(hbs[0], MessageType::heartbeat_response);
  resp.context = hbs[0].context;
  h.step(resp);
  REQUIRE(h.reads().size() == 1);
  CHECK(h.reads()[0].index == h.core().commit_index());
}

TEST_CASE("raft: reads pending when leadership is lost are never answered", "[raft]") {
  Harness h = committed_leader();
  h.core().read_index("r");
  h.process();
  h.step(msg(MessageType::heartbeat, 2, 1, h.core().term() + 1));
  CHECK(h.core().role() == Role::follower);
  CHECK(h.core().pending_read_count() == 0);
  CHECK(h.reads().empty());
}

TEST_CASE("raft: leadership transfer sends TimeoutNow to an up-to-date target", "[raft]") {
  Harness h = committed_leader();
  const Term term = h.core().term();
  SECTION("target up to date: TimeoutNow at once, proposals refused meanwhile") {
    REQUIRE(h.core().transfer_leadership(2).status == Status::ok);
    h.process();
    CHECK(h.take(MessageType::timeout_now).size() == 1);
    CHECK(h.core().propose("x").status == Status::transferring);
  }
  SECTION("target behind: caught up first, then TimeoutNow") {
    REQUIRE(h.core().transfer_leadership(3).status == Status::ok);
    h.process();
    CHECK(h.take(MessageType::timeout_now).empty());
    h.step(ack(h, 3, h.core().last_index(), term));
    CHECK(h.take(MessageType::timeout_now).size() == 1);
  }
  SECTION("no answer: the transfer is abandoned after an election timeout") {
    REQUIRE(h.core().transfer_leadership(3).status == Status::ok);
    h.tick(10);
    CHECK(h.core().lead_transferee() == kNoNode);
    CHECK(h.core().propose("x").status == Status::ok);
  }
  CHECK(h.core().transfer_leadership(9).status == Status::unknown_peer);
}

TEST_CASE("raft: TimeoutNow makes a follower campaign at once without PreVote", "[raft]") {
  Harness h(make_config(2, {1, 2, 3}, /*pre_vote=*/true));
  h.step(msg(MessageType::heartbeat, 1, 2, 3));
  h.take();
  h.step(msg(MessageType::timeout_now, 1, 2, 3));
  CHECK(h.core().role() == Role::candidate);
  CHECK(h.core().term() == 4);
  const auto votes = h.take(MessageType::vote);
  REQUIRE(votes.size() == 2);
  CHECK(votes[0].context == kCampaignTransfer);
}

TEST_CASE("raft: a restarted core re-applies committed entries from its storage", "[raft]") {
  Harness h = committed_leader();
  h.core().propose("x");
  h.process();
  h.step(ack(h, 2, h.core().last_index(), h.core().term()));
  const Index commit = h.core().commit_index();
  h.restart();
  CHECK(h.core().role() == Role::follower);
  CHECK(h.core().commit_index() == commit);
  CHECK(h.applied().size() == commit);
  CHECK(h.applied().back().data == "x");
}

TEST_CASE("raft: Ready hands out each entry to persist and to apply exactly once", "[raft]") {
  Harness h(make_config(1, {1}));
  h.tick(20);
  for (int i = 0; i < 5; ++i) h.core().propose("p" + std::to_string(i));
  REQUIRE(h.core().has_ready());
  const Ready rd = h.core().ready();
  CHECK(rd.entries.size() == 5);
  // A single node commits its entries once they are durable, i.e. after advance().
  CHECK(rd.committed_entries.empty());
  h.storage().persist(rd.hard_state, rd.entries);
  h.core().advance(rd);
  REQUIRE(h.core().has_ready());
  const Ready rd2 = h.core().ready();
  CHECK(rd2.entries.empty());
  CHECK(rd2.committed_entries.size() == 5);
  REQUIRE(rd2.hard_state);
  CHECK(rd2.hard_state->commit == h.core().last_index());
  h.storage().persist(rd2.hard_state, rd2.entries);
  h.core().advance(rd2);
  CHECK_FALSE(h.core().has_ready());
  CHECK(h.core().last_applied() == h.core().last_index());
}

// A harness whose applier takes process_ready's group-commit path (Applier::persist_and_apply)
// and notes, at each send, what was durable and applied by then.
class GroupCommitHarness : public Harness {
 public:
  using Harness::Harness;
  bool persist_and_apply(const std::optional<HardState>& hard_state,
                         const std::vector<Entry>& entries,
                         const std::vector<Entry>& committed) override {
    storage().persist(hard_state, entries);
    apply(committed);
    ++group_commits;
    return true;
  }
  void send(const Message& m) override {
    durable_at_send.push_back(storage().last_index());
    applied_at_send.push_back(applied().size());
    Harness::send(m);
  }
  int group_commits = 0;
  std::vector<Index> durable_at_send;
  std::vector<std::size_t> applied_at_send;
};

TEST_CASE("raft: with group commit a follower persists and applies a Ready before acknowledging it",
          "[raft]") {
  GroupCommitHarness f(make_config(2, {1, 2, 3}));
  Message append = msg(MessageType::append, 1, 2, 1);
  append.index = 0;
  append.log_term = 0;
  append.commit = 2;
  append.entries = {Entry{1, 1, EntryKind::normal, "a"}, Entry{1, 2, EntryKind::normal, "b"}};
  f.step(append);
  const auto acks = f.take(MessageType::append_response);
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].index == 2);
  CHECK(f.group_commits >= 1);
  REQUIRE(f.applied().size() == 2);
  // The acknowledgement left after the entries were durable and the committed ones applied.
  CHECK(f.durable_at_send.back() == 2);
  CHECK(f.applied_at_send.back() == 2);
  CHECK(f.persisted_at_send().back().commit == 2);
}

}  // namespace meadow::raft::test
