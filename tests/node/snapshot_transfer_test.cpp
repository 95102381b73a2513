// The runtime's snapshot transfer without sockets: a SnapshotSender and a SnapshotReceiver joined
// by in-memory queues that lose, duplicate and reorder messages, on a simulated clock. The image
// must arrive whole (and install into another store with identical data) or the transfer must be
// reported failed so the core retries; a receiver restart makes the sender start over.
#include <catch2/catch.hpp>

#include <cstdio>
#include <deque>
#include <optional>
#include <filesystem>
#include <random>

#include "node/runtime/snapshot_files.h"
#include "node/runtime/snapshot_receiver.h"
#include "node/runtime/snapshot_sender.h"
#include "tests/support/temp_dir.h"

using namespace meadow;
using meadow::test::TempDir;
namespace wire = transport::wire;
using Clock = node::SnapshotSender::Clock;

namespace {

store::Store open_store(const TempDir& dir, std::uint64_t node) {
  store::OpenOptions o;
  o.cluster_id = "c";
  o.node_id = node;
  auto s = store::Store::open((dir / "meadow.db").string(), o);
  REQUIRE(s.ok());
  return std::move(s).value();
}

void fill(store::Store& s, std::uint64_t keys) {
  store::WriteBatch b;
  for (std::uint64_t i = 1; i <= keys; ++i) {
    b.entries.push_back({i, 1, 0, "e"});
    b.commands.push_back({i, store::Command{1, i, store::Op::put, "key-" + std::to_string(i),
                                            std::string(100, static_cast<char>('a' + i % 26))}});
  }
  b.applied_index = keys;
  REQUIRE(s.write(b).ok());
}

/// Both sides of one transfer, with a lossy network between them.
struct Link {
  TempDir leader_dir, follower_dir;
  store::Store leader = open_store(leader_dir, 1);
  std::FILE* log_file = std::tmpfile();
  node::Logger logger{1, raft::LogLevel::warn, log_file};
  std::deque<wire::RaftMessage> to_follower, to_leader;
  std::vector<std::pair<raft::NodeId, bool>> reports;
  std::vector<raft::Message> stepped;
  std::optional<raft::Index> awaiting_install;  ///< what the follower's core waits to install
  std::mt19937_64 rng{7};
  int drop_percent = 0, duplicate_percent = 0;
  Clock::time_point now = Clock::time_point() + std::chrono::hours(1);
  std::unique_ptr<node::SnapshotSender> sender;
  std::unique_ptr<node::SnapshotReceiver> receiver;

  Link() {
    fill(leader, 3000);
    node::SnapshotSenderOptions o;
    o.data_dir = leader_dir.path().string();
    o.chunk_bytes = 4096;  // many chunks
    o.pages_per_step = 16;
    sender = std::make_unique<node::SnapshotSender>(
        leader, o, 1, logger, [this](const wire::RaftMessage& m) { carry(to_follower, m); },
        [this](raft::NodeId to, bool ok) { reports.push_back({to, ok}); });
    restart_receiver();
  }
  ~Link() { std::fclose(log_file); }

  void restart_receiver() {
    receiver.reset();
    receiver = std::make_unique<node::SnapshotReceiver>(
        follower_dir.path().string(), "c", 2, logger,
        [this](const wire::RaftMessage& m) { carry(to_leader, m); },
        [this](raft::Index index) { return awaiting_install == index; });
  }
  void carry(std::deque<wire::RaftMessage>& queue, const wire::RaftMessage& m) {
    if (static_cast<int>(rng() % 100) < drop_percent) return;
    queue.push_back(m);
    if (static_cast<int>(rng() % 100) < duplicate_percent) queue.push_back(m);
    if (queue.size() > 1 && rng() % 4 == 0) std::swap(queue.back(), queue[queue.size() - 2]);
  }
  /// One loop iteration of both nodes, 100 ms of simulated time.
  void round() {
    now += std::chrono::milliseconds(100);
    sender->poll(now);
    for (auto n = to_follower.size(); n > 0; --n) {
      auto m = to_follower.front();
      to_follower.pop_front();
      if (auto done = receiver->on_chunk(m)) stepped.push_back(*done);
    }
    for (auto n = to_leader.size(); n > 0; --n) {
      auto m = to_leader.front();
      to_leader.pop_front();
      sender->on_response(m, now);
    }
  }
  bool run_until_reported(int max_rounds = 5000) {
    for (int i = 0; i < max_rounds && reports.empty(); ++i) round();
    return !reports.empty();
  }
};

}  // namespace

TEST_CASE("node snapshot transfer: an image crosses a lossy network whole and installs with "
          "identical data",
          "[node][snapshot]") {
  Link link;
  link.drop_percent = 20;
  link.duplicate_percent = 20;
  link.sender->request(2, 5, 1, link.now);
  REQUIRE(link.run_until_reported());
  REQUIRE(link.reports.front() == std::make_pair(raft::NodeId{2}, true));
  REQUIRE(link.stepped.size() == 1);
  const raft::Message& m = link.stepped.front();
  CHECK(m.type == raft::MessageType::snapshot);
  CHECK(m.from == 1);
  CHECK(m.to == 2);
  CHECK(m.term == 5);
  CHECK(m.index == 3000);
  CHECK(m.log_term == 1);
  CHECK(link.sender->counters().sent == 1);
  CHECK(link.sender->counters().chunks > 10);

  TempDir follower_store_dir;
  store::Store follower = open_store(follower_store_dir, 2);
  const std::string image = node::received_image_path(link.follower_dir.path().string(), 3000);
  REQUIRE(follower.install_image(image, {3000, 1}).is_ok());
  auto theirs = follower.scan_range("", "", SIZE_MAX);
  auto ours = link.leader.scan_range("", "", SIZE_MAX);
  REQUIRE(theirs.ok());
  REQUIRE(ours.ok());
  CHECK(*theirs == *ours);
  CHECK(theirs->size() == 3000);
}

TEST_CASE("node snapshot transfer: a follower restart mid-transfer makes the sender start over",
          "[node][snapshot]") {
  Link link;
  link.sender->request(2, 5, 1, link.now);
  for (int i = 0; i < 200 && link.receiver->counters().chunks < 20; ++i) link.round();
  REQUIRE(link.receiver->counters().chunks >= 20);
  link.restart_receiver();  // it forgets the partial image
  REQUIRE(link.run_until_reported());
  CHECK(link.reports.front().second);
  CHECK(link.stepped.size() == 1);
  CHECK(std::filesystem::exists(
      node::received_image_path(link.follower_dir.path().string(), 3000)));
}

TEST_CASE("node snapshot transfer: a silent follower is reported failed, and a new request "
          "reuses the image",
          "[node][snapshot]") {
  Link link;
  link.drop_percent = 100;
  link.sender->request(2, 5, 1, link.now);
  REQUIRE(link.run_until_reported());
  CHECK(link.reports.front() == std::make_pair(raft::NodeId{2}, false));
  CHECK(link.sender->counters().failed == 1);
  CHECK(link.sender->active() == 0);
  // The core asks again once the network works: the image made for the first try is reused.
  link.drop_percent = 0;
  link.reports.clear();
  link.sender->request(2, 6, 1, link.now);
  REQUIRE(link.run_until_reported());
  CHECK(link.reports.front().second);
  CHECK(link.sender->counters().images == 1);
  CHECK(link.stepped.back().term == 6);
}

TEST_CASE("node snapshot transfer: malformed chunks are refused without writing anything",
          "[node][snapshot]") {
  Link link;
  wire::RaftMessage bad;
  bad.type = wire::RaftMessageType::snapshot;
  bad.from = 1;
  bad.to = 2;
  bad.term = 1;
  bad.index = 10;
  bad.log_term = 1;
  bad.reject_hint = 0;  // no size
  CHECK(!link.receiver->on_chunk(bad));
  REQUIRE(link.to_leader.size() == 1);
  CHECK(link.to_leader.back().reject);
  // A complete "image" that is not a database: refused, never handed to the core.
  bad.reject_hint = 5;
  bad.context = "hello";
  CHECK(!link.receiver->on_chunk(bad));
  CHECK(link.to_leader.back().reject);
  CHECK(link.receiver->counters().refused == 1);
  CHECK(!std::filesystem::exists(node::received_image_path(link.follower_dir.path().string(), 10)));
  // More bytes than announced.
  bad.index = 11;
  bad.reject_hint = 3;
  CHECK(!link.receiver->on_chunk(bad));
  CHECK(link.to_leader.back().reject);
}

namespace {

wire::RaftMessage garbage_chunk(raft::Term term, raft::Index index) {
  wire::RaftMessage m;
  m.type = wire::RaftMessageType::snapshot;
  m.from = 3;
  m.to = 2;
  m.term = term;
  m.index = index;
  m.log_term = 1;
  m.reject_hint = 5;
  m.context = "hello";
  return m;
}

}  // namespace

TEST_CASE("node snapshot transfer: a chunk from an older term never replaces the transfer in "
          "progress",
          "[node][snapshot]") {
  Link link;
  link.sender->request(2, 5, 1, link.now);
  for (int i = 0; i < 200 && link.receiver->counters().chunks < 5; ++i) link.round();
  REQUIRE(link.receiver->counters().chunks >= 5);
  // A deposed leader (term 4) starts over at byte 0: refused, the partial image is kept.
  link.to_follower.push_front(garbage_chunk(4, 3000));
  REQUIRE(link.run_until_reported());
  CHECK(link.reports.front() == std::make_pair(raft::NodeId{2}, true));
  CHECK(link.receiver->counters().stale == 1);
  CHECK(link.receiver->counters().refused == 0);  // never assembled, so never checked
  REQUIRE(link.stepped.size() == 1);
  CHECK(link.stepped.front().term == 5);
}

TEST_CASE("node snapshot transfer: a follower that keeps dropping our partial image is given up "
          "on",
          "[node][snapshot]") {
  // The follower takes the first chunk, then answers "I hold nothing" (it switched to another
  // sender's transfer), and so on: the first chunk again and again is no progress.
  Link link;
  link.sender->request(2, 5, 1, link.now);
  for (int i = 0; i < 1000 && link.reports.empty(); ++i) {
    link.now += std::chrono::milliseconds(100);
    link.sender->poll(link.now);
    for (; !link.to_follower.empty(); link.to_follower.pop_front()) {
      const wire::RaftMessage& chunk = link.to_follower.front();
      wire::RaftMessage r;
      r.type = wire::RaftMessageType::snapshot_response;
      r.from = 2;
      r.to = 1;
      r.term = chunk.term;
      r.index = chunk.index;
      r.log_term = chunk.log_term;
      r.commit = chunk.commit == 0 ? chunk.context.size() : 0;
      link.sender->on_response(r, link.now);
    }
  }
  REQUIRE(!link.reports.empty());
  CHECK(link.reports.front() == std::make_pair(raft::NodeId{2}, false));
}

TEST_CASE("node snapshot transfer: transfers of a leadership that ended are dropped unreported",
          "[node][snapshot]") {
  Link link;
  link.sender->request(2, 5, 1, link.now);
  link.sender->keep_only_term(5);
  CHECK(link.sender->active() == 1);
  link.sender->keep_only_term(0);  // no longer leader
  CHECK(link.sender->active() == 0);
  CHECK(link.sender->counters().cancelled == 1);
  for (int i = 0; i < 300; ++i) link.round();
  CHECK(link.reports.empty());
  CHECK(link.stepped.empty());
}

TEST_CASE("node snapshot transfer: a bad image never replaces one waiting to be installed",
          "[node][snapshot]") {
  Link link;
  link.sender->request(2, 5, 1, link.now);
  REQUIRE(link.run_until_reported());
  REQUIRE(link.stepped.size() == 1);
  link.awaiting_install = 3000;  // the core restored it; the store installs it next Ready
  const std::string image = node::received_image_path(link.follower_dir.path().string(), 3000);
  const auto size = std::filesystem::file_size(image);
  // Garbage for the same index, same term, then a valid image again: neither touches the file.
  CHECK(!link.receiver->on_chunk(garbage_chunk(5, 3000)));
  CHECK(link.to_leader.back().reject);
  link.reports.clear();
  link.sender->request(2, 6, 1, link.now);
  REQUIRE(link.run_until_reported());
  CHECK(!link.reports.front().second);
  CHECK(link.stepped.size() == 1);
  REQUIRE(std::filesystem::exists(image));
  CHECK(std::filesystem::file_size(image) == size);
  CHECK(!std::filesystem::exists(node::partial_image_path(link.follower_dir.path().string())));
  TempDir follower_store_dir;
  store::Store follower = open_store(follower_store_dir, 2);
  CHECK(follower.install_image(image, {3000, 1}).is_ok());
}
