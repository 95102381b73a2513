// LogTailCache must mirror the storage it caches: appends, truncation by a conflicting
// suffix, gaps, bounds and the byte cap of Storage::entries.
#include <catch2/catch.hpp>

#include "node/runtime/log_tail_cache.h"

using namespace meadow;
using raft::Entry;

namespace {

std::vector<Entry> run(raft::Index first, raft::Index last, raft::Term term, std::size_t bytes = 1) {
  std::vector<Entry> out;
  for (raft::Index i = first; i <= last; ++i)
    out.push_back({term, i, raft::EntryKind::normal, std::string(bytes, 'x')});
  return out;
}

}  // namespace

TEST_CASE("node log tail cache: serves what was persisted, nothing else", "[node][cache]") {
  node::LogTailCache cache(100, 1 << 20);
  CHECK_FALSE(cache.entries(1, 2, UINT64_MAX));
  cache.persisted(run(1, 10, 1));
  auto got = cache.entries(3, 8, UINT64_MAX);
  REQUIRE(got);
  REQUIRE(got->size() == 5);
  CHECK(got->front().index == 3);
  CHECK(got->back().index == 7);
  CHECK(cache.term(10) == 1u);
  CHECK_FALSE(cache.term(11));
  CHECK_FALSE(cache.entries(8, 12, UINT64_MAX));  // 11 is not held: read storage
  CHECK_FALSE(cache.entries(5, 5, UINT64_MAX));
}

TEST_CASE("node log tail cache: a conflicting suffix replaces the cached one", "[node][cache]") {
  node::LogTailCache cache(100, 1 << 20);
  cache.persisted(run(1, 10, 1));
  cache.persisted(run(6, 7, 2));  // truncates 6..10, appends 6..7 of term 2
  CHECK(cache.term(5) == 1u);
  CHECK(cache.term(6) == 2u);
  CHECK(cache.term(7) == 2u);
  CHECK_FALSE(cache.term(8));
  // A gap (e.g. after a snapshot) or a replacement below the cache starts over.
  cache.persisted(run(20, 21, 3));
  CHECK_FALSE(cache.term(7));
  CHECK(cache.term(20) == 3u);
  cache.clear();
  CHECK(cache.size() == 0);
}

TEST_CASE("node log tail cache: keeps the newest entries within its bounds", "[node][cache]") {
  node::LogTailCache by_count(5, 1 << 20);
  by_count.persisted(run(1, 8, 1));
  CHECK(by_count.size() == 5);
  CHECK_FALSE(by_count.term(3));
  CHECK(by_count.term(4) == 1u);
  node::LogTailCache by_bytes(100, 250);
  by_bytes.persisted(run(1, 5, 1, 100));
  CHECK(by_bytes.size() == 2);
  CHECK(by_bytes.term(5) == 1u);
}

TEST_CASE("node log tail cache: caps a read at max_bytes but returns at least one entry",
          "[node][cache]") {
  node::LogTailCache cache(100, 1 << 20);
  cache.persisted(run(1, 10, 1, 100));
  CHECK(cache.entries(1, 11, 250)->size() == 2);
  CHECK(cache.entries(1, 11, 10)->size() == 1);
}
