// Targeted simulations of the classic Raft traps: Figure 8, a stale leader in a minority,
// a long-isolated node rejoining, a vote across a restart, a long conflicting suffix.
#include <catch2/catch.hpp>

#include <functional>

#include "tests/sim/cluster.h"

namespace meadow::sim {
namespace {

using raft::Role;

ClusterOptions quiet(std::size_t nodes, bool pre_vote = true, bool check_quorum = true) {
  ClusterOptions o;
  o.nodes = nodes;
  o.seed = 42;
  o.trace = true;
  o.max_delay_ticks = 1;
  o.base.election_timeout_ticks_min = 10;
  o.base.election_timeout_ticks_max = 20;
  o.base.heartbeat_interval_ticks = 2;
  o.base.pre_vote = pre_vote;
  o.base.check_quorum = check_quorum;
  return o;
}

/// Tick only `id` until it starts a new (pre-)election.
void start_campaign(Cluster& c, NodeId id) {
  const auto& counters = c.core(id).counters();
  const auto started = counters.pre_elections_started + counters.elections_started;
  for (int i = 0; i < 100 && counters.pre_elections_started + counters.elections_started == started;
       ++i) {
    c.tick(id);
  }
}

/// Make `id` campaign, then deliver messages one by one until it leads; retries a lost
/// election a few times.
void elect(Cluster& c, NodeId id) {
  for (int attempt = 0; attempt < 5 && c.core(id).role() != Role::leader; ++attempt) {
    start_campaign(c, id);
    for (int i = 0; i < 1000 && c.core(id).role() != Role::leader && c.deliver_next(); ++i) {
    }
  }
  if (c.core(id).role() != Role::leader) {
    for (const auto& line : c.trace()) UNSCOPED_INFO(line);
  }
  REQUIRE(c.core(id).role() == Role::leader);
}

/// Deliver messages one by one until `done` holds; false if the network ran dry first.
bool deliver_until(Cluster& c, const std::function<bool()>& done) {
  for (int i = 0; i < 10'000 && !done(); ++i) {
    if (!c.deliver_next()) return false;
  }
  return done();
}

void run_ticks(Cluster& c, int ticks) {
  for (int i = 0; i < ticks; ++i) {
    c.step_time();
    REQUIRE(c.checker().ok());
  }
}

}  // namespace

TEST_CASE("sim: Figure 8 - a leader does not commit an old-term entry by counting replicas",
          "[sim][trap]") {
  // Raft §5.4.2, Figure 8, with five nodes S1..S5. One entry per append so the old entry
  // can reach a majority without the new leader's no-op.
  ClusterOptions o = quiet(5, /*pre_vote=*/false, /*check_quorum=*/false);
  o.base.max_entries_per_message = 1;
  o.base.max_inflight_messages = 1;
  Cluster c(o);
  elect(c, 1);
  c.deliver_all();
  const Term t1 = c.core(1).term();

  // (a) S1 replicates "x" at index 2 to S2 only.
  for (NodeId n : {3, 4, 5}) c.block(1, n);
  REQUIRE(c.propose(1, "x").index == 2);
  c.deliver_all();
  REQUIRE(c.core(2).log().term(2) == t1);
  c.heal();

  // (b) S1 crashes; S5 wins with S3 and S4, appends its no-op at index 2, and crashes before
  // sending it anywhere.
  c.crash(1);
  elect(c, 5);
  c.clear_network();
  REQUIRE(c.core(5).log().term(2) == c.core(5).term());
  c.crash(5);

  // (c) S1 restarts and wins a later term with S2 and S3. It learns that S2 holds index 2,
  // then brings S3 up to index 2 (the old-term entry) but not further: index 2 is now on a
  // majority {S1, S2, S3} as far as S1 knows.
  c.restart(1);
  elect(c, 1);
  for (NodeId n : {3, 4, 5}) c.block(1, n);
  REQUIRE(deliver_until(c, [&] { return c.core(1).progress().at(2).match_index() >= 2; }));
  c.heal();
  for (NodeId n : {2, 4, 5}) c.block(1, n);
  const auto s3_has_2 = [&] { return c.core(1).progress().at(3).match_index() >= 2; };
  for (int i = 0; i < 20 && !s3_has_2(); ++i) {
    c.tick(1);  // heartbeats make S1 probe S3
    deliver_until(c, s3_has_2);
  }
  REQUIRE(s3_has_2());
  REQUIRE(c.core(3).log().term(2) == t1);
  REQUIRE(c.core(3).last_index() == 2);
  // The rule under test: index 2 has term t1 < current term, so it is NOT committed.
  CHECK(c.core(1).commit_index() == 1);

  // (d) S1 crashes; S5 comes back and wins with S2, S3, S4 (its last term is newer), and
  // overwrites index 2. Had S1 committed it, the checker would flag the lost entry.
  c.crash(1);
  c.clear_network();
  c.heal();
  c.restart(5);
  elect(c, 5);
  c.deliver_all();
  CHECK(c.core(3).log().term(2) != t1);
  CHECK(c.checker().ok());
  INFO(c.checker().failure().value_or(""));
}

TEST_CASE("sim: a stale leader in a minority partition never commits and never answers reads",
          "[sim][trap]") {
  // Without CheckQuorum the stale leader keeps believing it leads: the strongest case.
  Cluster c(quiet(5, /*pre_vote=*/true, /*check_quorum=*/false));
  elect(c, 1);
  run_ticks(c, 5);
  const Index commit_before = c.core(1).commit_index();
  c.isolate({1, 2});
  const auto write = c.propose(1, "lost");
  REQUIRE(write.status == raft::Status::ok);
  const auto read = c.read(1);
  REQUIRE(read);
  run_ticks(c, 200);
  // The majority moved on, and acknowledged writes there.
  const auto newer = c.newest_leader();
  REQUIRE(newer);
  REQUIRE(*newer != 1);
  c.propose(*newer, "majority");
  run_ticks(c, 20);
  CHECK(c.acked("majority"));
  // The stale leader still thinks it leads, but nothing it did completes.
  CHECK(c.core(1).role() == Role::leader);
  CHECK(c.core(1).commit_index() == commit_before);
  CHECK_FALSE(c.acked("lost"));
  CHECK_FALSE(c.read_served(*read));
  // A read started on it now is refused or never answered either.
  const auto late_read = c.read(1);
  run_ticks(c, 50);
  CHECK_FALSE((late_read && c.read_served(*late_read)));
  // After healing it steps down and its entry is replaced.
  c.heal();
  run_ticks(c, 50);
  CHECK(c.core(1).role() != Role::leader);
  CHECK_FALSE(c.acked("lost"));
  CHECK(c.checker().ok());
}

TEST_CASE("sim: with CheckQuorum an isolated leader steps down within two election timeouts",
          "[sim][trap]") {
  Cluster c(quiet(3));
  elect(c, 1);
  run_ticks(c, 5);
  c.isolate({1});
  run_ticks(c, 2 * 10);
  CHECK(c.core(1).role() == Role::follower);
  CHECK(c.core(1).counters().check_quorum_step_downs == 1);
}

TEST_CASE("sim: a node rejoining after a long isolation does not disrupt the leader (PreVote)",
          "[sim][trap]") {
  SECTION("with PreVote its term never rises and the leader stays") {
    Cluster c(quiet(5));
    elect(c, 1);
    run_ticks(c, 10);
    const Term term = c.core(1).term();
    c.isolate({5});
    run_ticks(c, 300);
    CHECK(c.core(5).term() == term);
    CHECK(c.core(5).counters().pre_elections_started >= 5);
    CHECK(c.core(5).counters().elections_started == 0);
    c.heal();
    run_ticks(c, 100);
    CHECK(c.core(1).role() == Role::leader);
    CHECK(c.core(1).term() == term);
    CHECK(c.core(5).leader() == 1);
  }
  SECTION("without PreVote the same node inflates its term and forces an election") {
    Cluster c(quiet(5, /*pre_vote=*/false, /*check_quorum=*/true));
    elect(c, 1);
    run_ticks(c, 10);
    const Term term = c.core(1).term();
    c.isolate({5});
    run_ticks(c, 300);
    CHECK(c.core(5).term() > term + 5);
    c.heal();
    run_ticks(c, 100);
    CHECK(c.newest_leader());
    CHECK(c.core(*c.newest_leader()).term() > term);  // the contrast PreVote removes
  }
}

TEST_CASE("sim: a node does not vote twice in one term across a restart", "[sim][trap]") {
  Cluster c(quiet(3, /*pre_vote=*/false, /*check_quorum=*/false));
  // S1 campaigns; only S3 hears it and grants.
  c.block(1, 2);
  start_campaign(c, 1);
  const Term term = c.core(1).term();
  REQUIRE(deliver_until(c, [&] { return c.core(3).voted_for() == 1; }));
  c.clear_network();  // the grant is lost
  // S3 restarts: its vote must come back from storage.
  c.crash(3);
  c.restart(3);
  CHECK(c.core(3).term() == term);
  CHECK(c.core(3).voted_for() == 1);
  // S2 campaigns in the same term and asks S3: refused.
  c.heal();
  c.block(2, 1);
  start_campaign(c, 2);
  REQUIRE(c.core(2).term() == term);
  c.deliver_all();
  CHECK(c.core(2).role() != Role::leader);
  CHECK(c.core(3).voted_for() == 1);
  CHECK(c.checker().ok());
}

TEST_CASE("sim: a vote lost in a crash before it was persisted was never sent", "[sim][trap]") {
  Cluster c(quiet(3, /*pre_vote=*/false, /*check_quorum=*/false));
  c.block(1, 2);
  start_campaign(c, 1);
  // S3 crashes while persisting its vote: the grant must not leave.
  c.crash_on_next_persist(3, PersistCrash::before_write);
  c.deliver_all();
  CHECK_FALSE(c.up(3));
  CHECK(c.core(1).role() == Role::candidate);
  c.restart(3);
  CHECK(c.core(3).voted_for() == raft::kNoNode);
}

TEST_CASE("sim: a follower with a long conflicting suffix is repaired in a few round trips",
          "[sim][trap]") {
  Cluster c(quiet(3));
  elect(c, 1);
  run_ticks(c, 5);
  // S1 is cut off and takes 200 proposals that can never commit.
  c.isolate({1});
  for (int i = 0; i < 200; ++i) c.propose(1, "stale" + std::to_string(i));
  // S2 and S3 elect one of themselves and commit 150 entries of a newer term.
  run_ticks(c, 60);
  auto leader = c.newest_leader();
  REQUIRE(leader);
  REQUIRE(*leader != 1);
  for (int i = 0; i < 150; ++i) c.propose(*leader, "new" + std::to_string(i));
  run_ticks(c, 10);
  // That leader restarts, so the next leader knows nothing of S1 and probes it at its own
  // last index, deep inside S1's conflicting suffix.
  c.crash(*leader);
  c.restart(*leader);
  run_ticks(c, 60);
  leader = c.newest_leader();
  REQUIRE(leader);
  REQUIRE(*leader != 1);
  REQUIRE(c.core(*leader).last_index() > 150);
  REQUIRE(c.core(1).last_index() > 200);
  c.heal();
  // Every entry of S1's conflicting term is skipped at once (conflict term hints), so the
  // repair takes a couple of round trips (2 ticks each here), not one per entry (~150).
  const auto repaired = [&] {
    return c.core(1).last_index() == c.core(*leader).last_index() &&
           c.core(1).last_term() == c.core(*leader).last_term();
  };
  int ticks = 0;
  for (; ticks < 400 && !repaired(); ++ticks) run_ticks(c, 1);
  CHECK(ticks <= 10);
  run_ticks(c, 5);
  CHECK(c.core(1).last_index() == c.core(*leader).last_index());
  CHECK(c.core(1).log().term(c.core(1).last_index()) == c.core(*leader).last_term());
  CHECK(c.core(1).commit_index() == c.core(*leader).commit_index());
  CHECK(c.checker().ok());
}

TEST_CASE("sim: a node down while the others compact catches up by snapshot after a restart",
          "[sim][trap][snapshot]") {
  Cluster c(quiet(3));
  elect(c, 1);
  run_ticks(c, 5);
  c.crash(3);
  for (int i = 0; i < 100; ++i) {
    c.propose(1, "w" + std::to_string(i));
    if (i % 10 == 9) run_ticks(c, 2);
  }
  run_ticks(c, 10);
  REQUIRE(c.core(1).last_applied() >= 100);
  // Both survivors compact nearly everything; node 3 restarts with an empty log.
  c.compact(1, c.core(1).last_applied() - 2);
  c.compact(2, c.core(2).last_applied() - 2);
  REQUIRE(c.storage(1).snapshot().index > 90);
  // The first snapshot message is lost: the leader hears of the failure and sends another.
  c.restart(3);
  for (int i = 0; i < 100 && c.core(1).counters().snapshots_requested == 0; ++i) {
    run_ticks(c, 1);
  }
  REQUIRE(c.core(1).counters().snapshots_requested == 1);
  c.block(1, 3);
  run_ticks(c, 5);
  c.heal();
  for (int i = 0; i < 300 && c.core(3).last_applied() < c.core(1).last_applied(); ++i) {
    run_ticks(c, 1);
  }
  CHECK(c.snapshots_installed() >= 1);
  CHECK(c.core(1).counters().snapshots_requested >= 2);
  CHECK(c.core(3).counters().snapshots_restored >= 1);
  CHECK(c.storage(3).snapshot().index >= c.storage(1).snapshot().index);
  CHECK(c.core(3).last_applied() == c.core(1).last_applied());
  // It keeps replicating normally afterwards, and survives a restart from its snapshot.
  c.propose(1, "after");
  run_ticks(c, 10);
  c.crash(3);
  c.restart(3);
  run_ticks(c, 10);
  CHECK(c.core(3).last_applied() == c.core(1).last_applied());
  CHECK(c.applied(3) == c.applied(1));
  CHECK(c.checker().ok());
}

}  // namespace meadow::sim
