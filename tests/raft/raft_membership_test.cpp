// Membership changes (Raft thesis §4.1-4.3): the configuration codec and change rules, the
// refusals, configurations taking effect when appended (and reverting when truncated),
// learners, a leader removing itself, the 2015 single-server bug fix, and configurations
// carried by snapshots and restarts.
#include <catch2/catch.hpp>

#include "tests/raft/harness.h"

namespace meadow::raft::test {
namespace {

ClusterConfig config_of(std::vector<NodeId> voters, std::vector<NodeId> learners = {}) {
  return ClusterConfig{std::move(voters), std::move(learners), {}};
}

Entry config_entry(Term term, Index index, const ClusterConfig& config) {
  return Entry{term, index, EntryKind::config, encode_cluster_config(config)};
}

/// `from` acknowledges everything up to `index` to the leader `h`.
void ack(Harness& h, NodeId from, Index index) {
  Message m = msg(MessageType::append_response, from, h.core().id(), h.core().term());
  m.index = index;
  h.step(m);
}

/// A leader of {1, 2, 3} whose no-op is committed (acked by 2).
Harness committed_leader() {
  Harness h(make_config(1, {1, 2, 3}));
  h.become_leader();
  ack(h, 2, h.core().last_index());
  REQUIRE(h.core().commit_index() == h.core().last_index());
  h.take();
  return h;
}

}  // namespace

TEST_CASE("raft membership: a configuration round-trips through its text form and bad text "
          "is refused",
          "[raft][membership]") {
  const ClusterConfig c = config_of({1, 2, 3}, {7});
  CHECK(encode_cluster_config(c) == "v=1,2,3;l=7");
  CHECK(decode_cluster_config("v=1,2,3;l=7") == c);
  CHECK(decode_cluster_config("v=3,1;l=") == config_of({1, 3}));
  for (const char* bad : {"", "v=;l=", "v=1,1;l=", "v=1;l=1", "v=0;l=", "v=1,;l=", "v=x;l=",
                          "l=1;v=2", "v=1", "v=1;l=2,"}) {
    INFO(bad);
    CHECK_FALSE(decode_cluster_config(bad).has_value());
  }
}

TEST_CASE("raft membership: the single-server change rules and their refusals",
          "[raft][membership]") {
  const ClusterConfig c = config_of({1, 2}, {3});
  ClusterConfig out;
  CHECK(apply_conf_change(c, {ConfChangeType::add_learner, 4, {}}, out) == ConfChangeError::none);
  CHECK(out == config_of({1, 2}, {3, 4}));
  CHECK(apply_conf_change(c, {ConfChangeType::promote, 3, {}}, out) == ConfChangeError::none);
  CHECK(out == config_of({1, 2, 3}));
  CHECK(apply_conf_change(c, {ConfChangeType::remove, 1, {}}, out) == ConfChangeError::none);
  CHECK(out == config_of({2}, {3}));
  out = {};
  CHECK(apply_conf_change(c, {ConfChangeType::add_learner, 2, {}}, out) == ConfChangeError::exists);
  CHECK(apply_conf_change(c, {ConfChangeType::add_learner, 3, {}}, out) == ConfChangeError::exists);
  CHECK(apply_conf_change(c, {ConfChangeType::promote, 2, {}}, out) == ConfChangeError::not_learner);
  CHECK(apply_conf_change(c, {ConfChangeType::remove, 9, {}}, out) == ConfChangeError::unknown_node);
  CHECK(apply_conf_change(c, {ConfChangeType::add_learner, 0, {}}, out) ==
        ConfChangeError::invalid_node);
  CHECK(apply_conf_change(config_of({1}, {3}), {ConfChangeType::remove, 1, {}}, out) ==
        ConfChangeError::last_voter);
  CHECK(out == ClusterConfig{});  // refusals leave the output alone
}

TEST_CASE("raft membership: a leader refuses changes as values", "[raft][membership]") {
  Harness f(make_config(2, {1, 2, 3}));
  CHECK(f.core().propose_conf_change({ConfChangeType::add_learner, 4, {}}).status ==
        Status::not_leader);

  Harness h = committed_leader();
  auto r = h.core().propose_conf_change({ConfChangeType::add_learner, 2, {}});
  CHECK(r.status == Status::change_refused);
  CHECK(r.change_error == ConfChangeError::exists);

  r = h.core().propose_conf_change({ConfChangeType::add_learner, 4, {}});
  REQUIRE(r.status == Status::ok);
  h.process();
  // Thesis §4.1: in effect at once, before it commits.
  CHECK(h.core().membership() == config_of({1, 2, 3}, {4}));
  CHECK(h.core().membership_index() == r.index);
  CHECK(h.core().progress().count(4) == 1);
  // One change at a time.
  CHECK(h.core().propose_conf_change({ConfChangeType::promote, 4, {}}).status ==
        Status::change_in_flight);
  ack(h, 2, r.index);
  CHECK(h.core().commit_index() == r.index);
  CHECK(h.core().propose_conf_change({ConfChangeType::promote, 4, {}}).status == Status::ok);
}

TEST_CASE("raft membership: removing the last voter is refused", "[raft][membership]") {
  Harness h(make_config(1, {1}));
  while (h.core().role() != Role::leader) h.tick();
  REQUIRE(h.core().commit_index() == h.core().last_index());
  REQUIRE(h.core().propose_conf_change({ConfChangeType::add_learner, 2, {}}).status == Status::ok);
  h.process();
  CHECK(h.core().commit_index() == h.core().last_index());  // learners do not count
  const auto r = h.core().propose_conf_change({ConfChangeType::remove, 1, {}});
  CHECK(r.status == Status::change_refused);
  CHECK(r.change_error == ConfChangeError::last_voter);
  CHECK(h.core().propose_conf_change({ConfChangeType::remove, 2, {}}).status == Status::ok);
}

TEST_CASE("raft membership: 2015 bug fix: a new leader changes nothing before its own term "
          "has a committed entry",
          "[raft][membership]") {
  // The bug (Ongaro, raft-dev 2015): leader A of {1,2,3,4} appends "add 5" on 1 and 5 only,
  // then loses leadership; leader B, elected by 2,3,4 in the old configuration, appends
  // "remove 1" and commits it with 2,3,4... while 1 and 5 can still form a majority of
  // {1,2,3,4,5} with 2 or 3: two leaders of one term. The fix: B first commits its no-op, which
  // settles every earlier configuration entry (committed or overwritten).
  Harness h(make_config(2, {1, 2, 3, 4}));
  Message app = msg(MessageType::append, 1, 2, 1);
  app.entries = {entry(1, 1, "a"), config_entry(1, 2, config_of({1, 2, 3, 4}, {5}))};
  app.commit = 1;
  h.step(app);
  CHECK(h.core().membership() == config_of({1, 2, 3, 4}, {5}));  // uncommitted, in effect
  h.become_leader();
  REQUIRE(h.core().role() == Role::leader);
  CHECK(h.core().progress().count(5) == 1);  // the learner is replicated to
  CHECK(h.core().propose_conf_change({ConfChangeType::remove, 1, {}}).status ==
        Status::leader_not_ready);
  CHECK(h.core().propose_conf_change({ConfChangeType::promote, 5, {}}).status ==
        Status::leader_not_ready);
  // The no-op (index 3) commits with 3 and 4 (the learner's copy would not count); the old
  // configuration entry commits with it, so the next change may go.
  ack(h, 5, 3);
  CHECK(h.core().commit_index() == 1);
  ack(h, 3, 3);
  ack(h, 4, 3);
  CHECK(h.core().commit_index() == 3);
  CHECK(h.core().propose_conf_change({ConfChangeType::promote, 5, {}}).status == Status::ok);
}

TEST_CASE("raft membership: a follower uses the newest configuration in its log and reverts "
          "when that entry is truncated",
          "[raft][membership]") {
  Harness h(make_config(2, {1, 2, 3}));
  Message app = msg(MessageType::append, 1, 2, 1);
  app.entries = {entry(1, 1), config_entry(1, 2, config_of({1, 2}))};
  h.step(app);
  CHECK(h.core().membership() == config_of({1, 2}));
  CHECK(h.core().membership_index() == 2);
  // A leader of term 2 overwrites index 2 with a normal entry: the removal never happened.
  Message app2 = msg(MessageType::append, 3, 2, 2);
  app2.index = 1;
  app2.log_term = 1;
  app2.entries = {entry(2, 2, "x")};
  h.step(app2);
  CHECK(h.core().membership() == config_of({1, 2, 3}));
  CHECK(h.core().membership_index() == 0);
  // A malformed configuration entry is outside input: refused, nothing changes.
  Message bad = msg(MessageType::append, 3, 2, 2);
  bad.index = 2;
  bad.log_term = 2;
  bad.entries = {Entry{2, 3, EntryKind::config, "v=;l="}};
  CHECK(h.step(bad) == Status::invalid);
  CHECK(h.core().last_index() == 2);
}

TEST_CASE("raft membership: a learner receives entries but never campaigns and its vote and "
          "acknowledgements never count",
          "[raft][membership]") {
  Config lc = make_config(4, {1, 2, 3});
  lc.learners = {4};
  Harness learner(lc);
  learner.tick(200);
  CHECK(learner.core().role() == Role::follower);
  CHECK(learner.take(MessageType::vote).empty());
  // TimeoutNow does not make it campaign either.
  learner.step(msg(MessageType::timeout_now, 1, 4, 1));
  CHECK(learner.core().role() == Role::follower);

  Harness h = committed_leader();
  REQUIRE(h.core().propose_conf_change({ConfChangeType::add_learner, 4, {}}).status == Status::ok);
  h.process();
  const Index change = h.core().last_index();
  auto appends = h.take(MessageType::append);
  bool sent_to_learner = false;
  for (const auto& m : appends) sent_to_learner = sent_to_learner || m.to == 4;
  CHECK(sent_to_learner);
  ack(h, 4, change);
  CHECK(h.core().commit_index() < change);  // {1,2,3} needs 2 of 3: the learner is not one
  ack(h, 3, change);
  CHECK(h.core().commit_index() == change);
}

TEST_CASE("raft membership: a leader that removes itself refuses commands and steps down once "
          "the removal commits",
          "[raft][membership]") {
  Harness h = committed_leader();
  const auto r = h.core().propose_conf_change({ConfChangeType::remove, 1, {}});
  REQUIRE(r.status == Status::ok);
  h.process();
  CHECK(h.core().role() == Role::leader);  // thesis §4.2.2: it manages the new config
  CHECK(h.core().propose("x").status == Status::transferring);
  CHECK(h.core().read_index("r").status == Status::transferring);
  // Its own copy does not count: {2, 3} both have to acknowledge.
  ack(h, 2, r.index);
  CHECK(h.core().commit_index() < r.index);
  CHECK(h.core().role() == Role::leader);
  ack(h, 3, r.index);
  CHECK(h.core().commit_index() == r.index);
  CHECK(h.core().role() == Role::follower);
  // The commit index went out before it stepped down, and it never campaigns again.
  CHECK_FALSE(h.take(MessageType::append).empty());
  h.tick(200);
  CHECK(h.core().role() == Role::follower);
}

TEST_CASE("raft membership: a node whose removal is not committed may still campaign to "
          "finish it",
          "[raft][membership]") {
  // Node 2 holds "remove 2" from leader 1, uncommitted. If 1 and 3 lack that entry, 2's log
  // is the most up to date, so only 2 can win: it campaigns although it is not a voter of its
  // newest configuration and wins with the votes of {1, 3} (its own does not count).
  Harness h(make_config(2, {1, 2, 3}));
  Message app = msg(MessageType::append, 1, 2, 1);
  app.entries = {entry(1, 1), config_entry(1, 2, config_of({1, 3}))};
  app.commit = 1;
  h.step(app);
  REQUIRE(h.core().membership() == config_of({1, 3}));
  h.become_leader();
  CHECK(h.core().role() == Role::leader);
  // Its no-op (index 3) commits with 1 and 3, and then it steps down.
  ack(h, 1, 3);
  ack(h, 3, 3);
  CHECK(h.core().commit_index() == 3);
  h.tick();
  CHECK(h.core().role() == Role::follower);
  h.tick(200);
  CHECK(h.core().role() == Role::follower);
}

TEST_CASE("raft membership: snapshots and restarts keep the configuration",
          "[raft][membership]") {
  Harness h(make_config(2, {1, 2, 3}));
  Message app = msg(MessageType::append, 1, 2, 1);
  app.entries = {entry(1, 1), config_entry(1, 2, config_of({1, 2, 3}, {4})), entry(1, 3)};
  app.commit = 3;
  h.step(app);
  h.restart();  // from the log
  CHECK(h.core().membership() == config_of({1, 2, 3}, {4}));
  h.storage().compact(3);
  CHECK(h.storage().snapshot().config == config_of({1, 2, 3}, {4}));
  h.config().applied = 3;  // the state machine holds what the snapshot covers
  h.restart();  // from the snapshot's configuration
  CHECK(h.core().membership() == config_of({1, 2, 3}, {4}));

  // A snapshot message carries the configuration at its index; the follower adopts it.
  Message snap = msg(MessageType::snapshot, 1, 2, 2);
  snap.index = 10;
  snap.log_term = 2;
  snap.entries = {config_entry(2, 10, config_of({1, 2, 4}))};
  h.step(snap);
  CHECK(h.core().membership() == config_of({1, 2, 4}));
  CHECK(h.storage().snapshot().config == config_of({1, 2, 4}));
  h.config().applied = 10;
  h.restart();
  CHECK(h.core().membership() == config_of({1, 2, 4}));

  // A leader's snapshot message says which configuration its index had.
  Harness l = committed_leader();
  REQUIRE(l.core().propose_conf_change({ConfChangeType::add_learner, 4, {}}).status == Status::ok);
  l.process();
  ack(l, 2, l.core().last_index());
  l.storage().compact(l.core().last_index());
  l.take();
  Message reject = msg(MessageType::append_response, 4, 1, l.core().term());
  reject.reject = true;
  reject.index = l.core().progress().at(4).next_index() - 1;
  l.step(reject);
  const auto snaps = l.take(MessageType::snapshot);
  REQUIRE(snaps.size() == 1);
  REQUIRE(snaps[0].entries.size() == 1);
  CHECK(decode_cluster_config(snaps[0].entries[0].data) == config_of({1, 2, 3}, {4}));
}

}  // namespace meadow::raft::test

namespace meadow::raft::test {

TEST_CASE("raft membership: member addresses round-trip, follow changes and are checked",
          "[raft][membership]") {
  ClusterConfig c = config_of({1, 2}, {3});
  c.addresses = {{1, "tcp://a tcp://b"}, {3, "x"}};
  CHECK(encode_cluster_config(c) == "v=1,2;l=3\n1=tcp://a tcp://b\n3=x");
  CHECK(decode_cluster_config(encode_cluster_config(c)) == c);
  for (const char* bad : {"v=1;l=\n", "v=1;l=\n2=x", "v=1;l=\n1=", "v=1;l=\n1=a\n1=b",
                          "v=1;l=\n1=a\n", "v=1;l=\nx=a", "v=1;l=\n=a", "v=1;l=\n0=a"}) {
    INFO(bad);
    CHECK_FALSE(decode_cluster_config(bad).has_value());
  }
  CHECK_FALSE(decode_cluster_config("v=1;l=\n1=" + std::string(kMaxMemberAddressBytes + 1, 'a')));

  ClusterConfig out;
  REQUIRE(apply_conf_change(c, {ConfChangeType::add_learner, 4, "tcp://d"}, out) ==
          ConfChangeError::none);
  CHECK(out.address_of(4) == "tcp://d");
  REQUIRE(apply_conf_change(out, {ConfChangeType::promote, 3, "ignored"}, out) ==
          ConfChangeError::none);
  CHECK(out.address_of(3) == "x");
  REQUIRE(apply_conf_change(out, {ConfChangeType::remove, 1, {}}, out) == ConfChangeError::none);
  CHECK(out.address_of(1).empty());
  CHECK(out.addresses.size() == 2);
  CHECK(apply_conf_change(c, {ConfChangeType::add_learner, 5, "a\nb"}, out) ==
        ConfChangeError::bad_address);
  CHECK(apply_conf_change(c, {ConfChangeType::add_learner, 5,
                              std::string(kMaxMemberAddressBytes + 1, 'a')},
                          out) == ConfChangeError::bad_address);
}

TEST_CASE("raft membership: a node started without a configuration never campaigns and "
          "learns its configuration from the leader",
          "[raft][membership]") {
  Harness h(make_config(4, {}));
  CHECK(h.core().membership().empty());
  h.tick(200);
  CHECK(h.core().role() == Role::follower);
  CHECK(h.take().empty());
  ClusterConfig with_me = config_of({1, 2, 3}, {4});
  with_me.addresses[4] = "me";
  Message append = msg(MessageType::append, 1, 4, 2);
  append.entries = {Entry{2, 1, EntryKind::noop, ""}, config_entry(2, 2, with_me)};
  append.commit = 2;
  h.step(append);
  CHECK(h.core().membership() == with_me);
  CHECK(h.core().membership_index() == 2);
  h.tick(200);
  CHECK(h.core().role() == Role::follower);  // a learner: still no campaign
}

}  // namespace meadow::raft::test

namespace meadow::raft::test {

TEST_CASE("raft membership: a removed follower is replicated to until it holds its committed "
          "removal, then told the commit and dropped",
          "[raft][membership]") {
  Harness h = [] {
    Harness l(make_config(1, {1, 2, 3}));
    l.become_leader();
    for (NodeId from : {2, 3}) {
      Message ack = msg(MessageType::append_response, from, 1, l.core().term());
      ack.index = l.core().last_index();
      l.step(ack);
    }
    l.take();
    return l;
  }();
  const auto r = h.core().propose_conf_change({ConfChangeType::remove, 3, {}});
  REQUIRE(r.status == Status::ok);
  h.process();
  const auto sent_to = [&](NodeId to) {
    bool any = false;
    for (const Message& m : h.take()) any = any || m.to == to;
    return any;
  };
  CHECK(sent_to(3));  // the removal entry goes to node 3 too
  CHECK(h.core().progress().count(3) == 1);
  // Committed by 1 and 2 (node 3's copy would not count any more) ...
  Message ack2 = msg(MessageType::append_response, 2, 1, h.core().term());
  ack2.index = r.index;
  h.step(ack2);
  REQUIRE(h.core().commit_index() == r.index);
  // ... but node 3 does not hold it yet: it is still replicated to.
  CHECK(h.core().progress().count(3) == 1);
  h.take();
  Message ack3 = msg(MessageType::append_response, 3, 1, h.core().term());
  ack3.index = r.index;
  h.step(ack3);
  CHECK(h.core().progress().count(3) == 0);
  bool told = false;
  for (const Message& m : h.take()) {
    told = told || (m.to == 3 && m.type == MessageType::heartbeat && m.commit == r.index);
  }
  CHECK(told);
}

}  // namespace meadow::raft::test
