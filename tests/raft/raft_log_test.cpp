// Unit tests of the log layers: MemoryStorage (the Storage contract), RaftLog (storage +
// unstable suffix, the AppendEntries receiver rules) and Progress (flow control).
#include <catch2/catch.hpp>

#include "node/raft/memory_storage.h"
#include "node/raft/progress.h"
#include "node/raft/raft_log.h"
#include "tests/raft/harness.h"

namespace meadow::raft::test {

TEST_CASE("raft storage: persist appends and truncates a conflicting suffix atomically",
          "[raft][storage]") {
  MemoryStorage s;
  CHECK(s.first_index() == 1);
  CHECK(s.last_index() == 0);
  CHECK(s.term(0) == 0u);
  CHECK_FALSE(s.term(1));
  s.persist(HardState{2, 1, 0}, {entry(1, 1), entry(2, 2), entry(2, 3)});
  CHECK(s.last_index() == 3);
  CHECK(s.hard_state() == HardState{2, 1, 0});
  s.persist(std::nullopt, {entry(3, 2, "new")});
  CHECK(s.last_index() == 2);
  CHECK(s.term(2) == 3u);
  CHECK(s.hard_state() == HardState{2, 1, 0});
  CHECK(s.persist_count() == 2);
}

TEST_CASE("raft storage: entries stops at max_bytes but returns at least one entry",
          "[raft][storage]") {
  MemoryStorage s;
  s.persist(std::nullopt, {entry(1, 1, "aaaa"), entry(1, 2, "bbbb"), entry(1, 3, "cccc")});
  CHECK(s.entries(1, 4, 8).size() == 2);
  CHECK(s.entries(1, 4, 1).size() == 1);
  CHECK(s.entries(1, 4, UINT64_MAX).size() == 3);
  CHECK(s.entries(2, 2, 100).empty());
}

TEST_CASE("raft log: entries span storage and the unstable suffix", "[raft][log]") {
  MemoryStorage s;
  s.persist(std::nullopt, {entry(1, 1), entry(1, 2)});
  RaftLog log(s, 0);
  log.append({entry(2, 3), entry(2, 4)});
  CHECK(log.last_index() == 4);
  CHECK(log.last_term() == 2);
  const auto all = log.entries(1, 5, UINT64_MAX);
  REQUIRE(all.size() == 4);
  CHECK(all[1].index == 2);
  CHECK(all[2].index == 3);
  CHECK(log.unstable_entries().size() == 2);
  log.stable_to(4, 2);
  CHECK(log.unstable_entries().empty());
}

TEST_CASE("raft log: maybe_append rejects a mismatch and truncates conflicts and commits to the minimum",
          "[raft][log]") {
  MemoryStorage s;
  s.persist(std::nullopt, {entry(1, 1), entry(1, 2), entry(1, 3)});
  RaftLog log(s, 0);
  CHECK_FALSE(log.maybe_append(3, 2, 0, {}));           // term mismatch at 3
  CHECK_FALSE(log.maybe_append(5, 1, 0, {}));           // gap
  const auto last = log.maybe_append(1, 1, 9, {entry(2, 2), entry(2, 3), entry(2, 4)});
  REQUIRE(last);
  CHECK(*last == 4);
  CHECK(log.committed() == 4);                          // min(leader commit 9, last new 4)
  CHECK(log.term(2) == 2u);
  REQUIRE(log.unstable_entries().size() == 3);
  CHECK(log.unstable_entries().front().index == 2);     // persist will truncate from 2
}

TEST_CASE("raft log: the conflict hint skips a whole term", "[raft][log]") {
  MemoryStorage s;
  s.persist(std::nullopt, {entry(1, 1), entry(1, 2), entry(4, 3), entry(4, 4), entry(4, 5)});
  RaftLog log(s, 0);
  CHECK(log.find_conflict_by_term(5, 3) == std::pair<Index, Term>{2, 1});
  CHECK(log.find_conflict_by_term(5, 4) == std::pair<Index, Term>{5, 4});
  CHECK(log.find_conflict_by_term(50, 4) == std::pair<Index, Term>{5, 4});
  CHECK(log.find_conflict_by_term(5, 0) == std::pair<Index, Term>{0, 0});
}

TEST_CASE("raft log: a candidate is up to date by last term and then by length", "[raft][log]") {
  MemoryStorage s;
  s.persist(std::nullopt, {entry(1, 1), entry(3, 2)});
  RaftLog log(s, 0);
  CHECK(log.is_up_to_date(1, 4));
  CHECK(log.is_up_to_date(2, 3));
  CHECK_FALSE(log.is_up_to_date(1, 3));
  CHECK_FALSE(log.is_up_to_date(9, 2));
}

TEST_CASE("raft log: the commit index only counts entries of the given term", "[raft][log]") {
  MemoryStorage s;
  s.persist(std::nullopt, {entry(1, 1), entry(2, 2)});
  RaftLog log(s, 0);
  CHECK_FALSE(log.maybe_commit(1, 2));
  CHECK(log.committed() == 0);
  CHECK(log.maybe_commit(2, 2));
  CHECK(log.committed() == 2);
}

TEST_CASE("raft progress: probe pauses after one append while replicate pipelines up to the window",
          "[raft][progress]") {
  Progress p(11, 2);
  CHECK(p.state() == ProgressState::probe);
  CHECK_FALSE(p.is_paused());
  p.on_append_sent(10, 0);
  CHECK(p.is_paused());
  p.on_heartbeat_response();
  CHECK_FALSE(p.is_paused());
  CHECK(p.maybe_update(10));
  p.become_replicate();
  p.on_append_sent(12, 2);
  p.on_append_sent(14, 2);
  CHECK(p.next_index() == 15);
  CHECK(p.is_paused());
  CHECK(p.maybe_update(12));
  CHECK_FALSE(p.is_paused());
  CHECK_FALSE(p.maybe_update(11));  // stale
}

TEST_CASE("raft progress: rejections move next_index back and stale ones are ignored",
          "[raft][progress]") {
  Progress p(21, 4);
  CHECK_FALSE(p.maybe_decr_to(5, 3));      // not the probe we sent (next-1 = 20)
  CHECK(p.maybe_decr_to(20, 7));           // follower hint: matches at most up to 7
  CHECK(p.next_index() == 8);
  p.maybe_update(7);
  p.become_replicate();
  p.on_append_sent(9, 2);
  CHECK_FALSE(p.maybe_decr_to(6, 0));      // below match: stale
  CHECK(p.maybe_decr_to(9, 0));
  CHECK(p.next_index() == 8);
}

}  // namespace meadow::raft::test
