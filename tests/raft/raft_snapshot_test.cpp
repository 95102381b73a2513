// Unit tests of InstallSnapshot and log compaction in the core (Raft §7): when a leader asks
// for a snapshot, how the follower keeps or replaces its log, what the Ready carries, and how
// report_snapshot moves the leader's progress.
#include <catch2/catch.hpp>

#include "tests/raft/harness.h"

namespace meadow::raft::test {
namespace {

Message ack(NodeId from, Index index, Term term) {
  Message m = msg(MessageType::append_response, from, 1, term);
  m.index = index;
  return m;
}

Message snapshot_msg(NodeId from, NodeId to, Term term, Index index, Term index_term) {
  Message m = msg(MessageType::snapshot, from, to, term);
  m.index = index;
  m.log_term = index_term;
  return m;
}

/// Leader 1 of {1,2,3}: no-op + 3 commands committed and applied with node 2, log compacted
/// up to 4 (everything), node 3 never answered.
Harness compacted_leader() {
  Harness h(make_config(1, {1, 2, 3}));
  h.become_leader();
  for (int i = 0; i < 3; ++i) h.core().propose("c" + std::to_string(i));
  h.process();
  h.step(ack(2, 4, 1));
  REQUIRE(h.core().commit_index() == 4);
  REQUIRE(h.core().last_applied() == 4);
  h.storage().compact(4);
  h.take();
  return h;
}

/// Follower 2 of {1,2,3} holding entries 1..3 of term 1, commit 1.
Harness follower_with_log() {
  Harness h(make_config(2, {1, 2, 3}));
  Message app = msg(MessageType::append, 1, 2, 1);
  app.entries = {entry(1, 1, "a"), entry(1, 2, "b"), entry(1, 3, "c")};
  app.commit = 1;
  h.step(app);
  h.take();
  REQUIRE(h.core().last_index() == 3);
  REQUIRE(h.core().commit_index() == 1);
  return h;
}

}  // namespace

TEST_CASE("raft: section 7: a leader sends a snapshot to a follower whose next entry it compacted",
          "[raft][snapshot]") {
  Harness h = compacted_leader();
  // Node 3 finally answers a heartbeat: its next entry (1) is gone from the leader's log.
  h.step(msg(MessageType::heartbeat_response, 3, 1, 1));
  const auto snaps = h.take(MessageType::snapshot);
  REQUIRE(snaps.size() == 1);
  CHECK(snaps[0].to == 3);
  CHECK(snaps[0].index == 4);
  CHECK(snaps[0].log_term == 1);
  CHECK(h.core().progress().at(3).state() == ProgressState::snapshot);
  CHECK(h.core().counters().snapshots_requested == 1);
  // While it is in flight nothing else is sent to node 3, even on later heartbeats.
  h.step(msg(MessageType::heartbeat_response, 3, 1, 1));
  h.core().propose("more");
  h.process();
  for (const auto& m : h.take()) CHECK(!(m.to == 3 && (m.type == MessageType::append ||
                                                       m.type == MessageType::snapshot)));
  // The follower installs it and answers at the snapshot's index: replication resumes after it.
  h.step(ack(3, 4, 1));
  CHECK(h.core().progress().at(3).state() == ProgressState::replicate);
  CHECK(h.core().progress().at(3).match_index() == 4);
  const auto apps = h.take(MessageType::append);
  REQUIRE(!apps.empty());
  CHECK(apps.back().to == 3);
  CHECK(apps.back().index == 4);
  REQUIRE(apps.back().entries.size() == 1);
  CHECK(apps.back().entries[0].data == "more");
}

TEST_CASE("raft: a failed snapshot transfer is retried after the next heartbeat answer",
          "[raft][snapshot]") {
  Harness h = compacted_leader();
  h.step(msg(MessageType::heartbeat_response, 3, 1, 1));
  REQUIRE(h.take(MessageType::snapshot).size() == 1);
  h.core().report_snapshot(3, false);
  h.process();
  CHECK(h.core().progress().at(3).state() == ProgressState::probe);
  CHECK(h.take(MessageType::snapshot).empty());  // paused: no retry storm
  h.step(msg(MessageType::heartbeat_response, 3, 1, 1));
  CHECK(h.take(MessageType::snapshot).size() == 1);
  // A delivered snapshot whose answer was lost: the leader probes just past it.
  h.core().report_snapshot(3, true);
  h.process();
  CHECK(h.core().progress().at(3).state() == ProgressState::probe);
  CHECK(h.core().progress().at(3).next_index() == 5);
  // Reports for followers not in snapshot state, or on a non-leader, change nothing.
  h.core().report_snapshot(2, false);
  CHECK(h.core().progress().at(2).state() == ProgressState::replicate);
}

TEST_CASE("raft: section 7: a follower replaces a conflicting log by the snapshot, installed "
          "before anything else",
          "[raft][snapshot]") {
  Harness h = follower_with_log();
  h.step(snapshot_msg(1, 2, 2, 10, 2));
  REQUIRE(h.restored().size() == 1);
  CHECK(h.restored()[0] == SnapshotMeta{10, 2, ClusterConfig{{1, 2, 3}, {}, {}}});
  CHECK(h.storage().snapshot() == SnapshotMeta{10, 2, ClusterConfig{{1, 2, 3}, {}, {}}});
  CHECK(h.storage().last_index() == 10);
  CHECK(h.storage().hard_state().commit == 10);
  CHECK(h.core().commit_index() == 10);
  CHECK(h.core().last_applied() == 10);
  CHECK(h.core().counters().snapshots_restored == 1);
  // The answer vouches for the installed snapshot: it leaves after the install.
  const auto resp = h.take(MessageType::append_response);
  REQUIRE(resp.size() == 1);
  CHECK(resp[0].index == 10);
  CHECK(!resp[0].reject);
  CHECK(h.persisted_at_send().back().commit >= 10);
  // Entries before the snapshot were never applied here, and none is applied again.
  const std::size_t applied_before = h.applied().size();
  Message app = msg(MessageType::append, 1, 2, 2);
  app.index = 10;
  app.log_term = 2;
  app.entries = {entry(2, 11, "x")};
  app.commit = 11;
  h.step(app);
  REQUIRE(h.applied().size() == applied_before + 1);
  CHECK(h.applied().back().index == 11);
  // Restart: the state machine is at the snapshot; nothing before it is replayed.
  h.config().applied = 11;
  h.restart();
  CHECK(h.core().last_index() == 11);
  CHECK(h.core().log().first_index() == 11);
  CHECK(h.applied().empty());
}

TEST_CASE("raft: section 7: a follower that holds the snapshot's last entry keeps its log",
          "[raft][snapshot]") {
  Harness h = follower_with_log();
  h.step(snapshot_msg(1, 2, 1, 2, 1));
  CHECK(h.restored().empty());
  CHECK(h.core().last_index() == 3);
  CHECK(h.core().commit_index() == 2);
  const auto resp = h.take(MessageType::append_response);
  REQUIRE(resp.size() == 1);
  CHECK(resp[0].index == 2);
  // A snapshot at or below the commit index is old news: answered with the commit index.
  h.step(snapshot_msg(1, 2, 1, 1, 1));
  CHECK(h.restored().empty());
  const auto again = h.take(MessageType::append_response);
  REQUIRE(again.size() == 1);
  CHECK(again[0].index == 2);
}

TEST_CASE("raft: a snapshot message without an index or term is rejected", "[raft][snapshot]") {
  Harness h = follower_with_log();
  CHECK(h.step(snapshot_msg(1, 2, 1, 0, 0)) == Status::invalid);
  CHECK(h.step(snapshot_msg(1, 2, 1, 5, 0)) == Status::invalid);
  CHECK(h.restored().empty());
  CHECK(h.core().last_index() == 3);
}

TEST_CASE("raft: a candidate that receives a snapshot of its term becomes a follower",
          "[raft][snapshot]") {
  Harness h(make_config(2, {1, 2, 3}));
  while (h.core().role() != Role::candidate) h.tick();
  const Term term = h.core().term();
  h.step(snapshot_msg(1, 2, term, 7, term));
  CHECK(h.core().role() == Role::follower);
  CHECK(h.core().leader() == 1);
  CHECK(h.storage().snapshot() == SnapshotMeta{7, term, ClusterConfig{{1, 2, 3}, {}, {}}});
}

}  // namespace meadow::raft::test
