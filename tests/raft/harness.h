// Test harness for one RaftCore: its MemoryStorage, and what process_ready sent, applied and
// served, so a test can play the rest of the cluster by hand with exact messages.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "node/raft/memory_storage.h"
#include "node/raft/raft_core.h"
#include "node/raft/ready_handler.h"

namespace meadow::raft::test {

inline Config make_config(NodeId id, std::vector<NodeId> voters, bool pre_vote = false) {
  Config c;
  c.id = id;
  c.voters = std::move(voters);
  c.election_timeout_ticks_min = 10;
  c.election_timeout_ticks_max = 20;
  c.heartbeat_interval_ticks = 1;
  c.pre_vote = pre_vote;
  c.check_quorum = false;
  c.rng_seed = id;
  return c;
}

class Harness : public MessageSink, public Applier {
 public:
  explicit Harness(Config config) : config_(std::move(config)) { restart(); }

  /// Rebuild the core from storage, as after a crash (unprocessed state is lost).
  void restart() {
    core_.reset();
    core_ = std::make_unique<RaftCore>(config_, storage_);
    applied_.clear();
    process();
  }
  RaftCore& core() { return *core_; }
  MemoryStorage& storage() { return storage_; }
  Config& config() { return config_; }

  /// Handle every pending Ready through the real process_ready.
  void process() {
    while (process_ready(*core_, storage_, *this, *this)) {
    }
  }
  Status step(const Message& m) {
    const Status s = core_->step(m);
    process();
    return s;
  }
  void tick(int n = 1) {
    for (int i = 0; i < n; ++i) {
      core_->tick();
      process();
    }
  }
  /// Messages sent since the last take(), removed from the outbox.
  std::vector<Message> take() { return std::exchange(sent_, {}); }
  std::vector<Message> take(MessageType type) {
    std::vector<Message> out;
    std::vector<Message> rest;
    for (auto& m : sent_) (m.type == type ? out : rest).push_back(std::move(m));
    sent_ = std::move(rest);
    return out;
  }

  void send(const Message& m) override {
    // The Ready contract: whatever a message vouches for is already durable.
    persisted_at_send_.push_back(storage_.hard_state());
    sent_.push_back(m);
  }
  void apply(const std::vector<Entry>& committed) override {
    applied_.insert(applied_.end(), committed.begin(), committed.end());
  }
  void restore(const SnapshotMeta& snapshot) override { restored_.push_back(snapshot); }
  void serve_reads(const std::vector<ReadState>& reads) override {
    reads_.insert(reads_.end(), reads.begin(), reads.end());
  }

  const std::vector<Entry>& applied() const { return applied_; }
  const std::vector<ReadState>& reads() const { return reads_; }
  /// Snapshots installed through Applier::restore, in order.
  const std::vector<SnapshotMeta>& restored() const { return restored_; }
  const std::vector<HardState>& persisted_at_send() const { return persisted_at_send_; }

  /// Make this node leader of term `current + 1` by granting every vote (no PreVote).
  void become_leader() {
    while (core_->role() != Role::candidate) tick();
    for (const Message& m : take(MessageType::vote)) step(response(m, MessageType::vote_response));
    take();
  }

  /// A reply to `m` from its recipient, in the term of `m`.
  static Message response(const Message& m, MessageType type, bool reject = false) {
    Message r;
    r.type = type;
    r.from = m.to;
    r.to = m.from;
    r.term = m.term;
    r.reject = reject;
    return r;
  }

 private:
  Config config_;
  MemoryStorage storage_;
  std::unique_ptr<RaftCore> core_;
  std::vector<Message> sent_;
  std::vector<Entry> applied_;
  std::vector<ReadState> reads_;
  std::vector<SnapshotMeta> restored_;
  std::vector<HardState> persisted_at_send_;
};

/// A message from `from` to `to` of `type` in `term`.
inline Message msg(MessageType type, NodeId from, NodeId to, Term term) {
  Message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

inline Entry entry(Term term, Index index, std::string data = {}) {
  return Entry{term, index, EntryKind::normal, std::move(data)};
}

}  // namespace meadow::raft::test
