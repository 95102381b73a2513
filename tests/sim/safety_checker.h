// SafetyChecker: the Raft safety properties (Raft paper Figure 3) plus linearizable reads,
// checked incrementally by the simulator after every step. Records the first violation as
// text instead of aborting, so the simulator can print the seed that found it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "node/raft/raft_core.h"
#include "node/raft/types.h"

namespace meadow::sim {

using raft::Entry;
using raft::Index;
using raft::NodeId;
using raft::Term;

class SafetyChecker {
 public:
  /// `entries` were just persisted by `node`; `prev_term` is the term stored before the first.
  void on_persist(NodeId node, Term prev_term, const std::vector<Entry>& entries);
  /// After `core` handled one input and its Ready: election safety, leader append-only,
  /// leader completeness, and commit agreement (committed entries never change).
  void after_step(const raft::RaftCore& core);
  /// `node`'s state machine applied `entry` as its `applied_count`-th entry.
  void on_apply(NodeId node, const Entry& entry, Index applied_before);
  /// `node`'s state machine was replaced by a snapshot image (entries 1..n in order).
  void on_restore(NodeId node, const std::vector<Entry>& image);
  /// A write was acknowledged to its client (applied at its index on the node it went to).
  void on_write_acked(Index index);
  /// Highest index of any acknowledged write so far (a read starting now must see it).
  Index max_acked_index() const { return max_acked_index_; }
  /// A read that started when max_acked_index() was `required` was served from a state
  /// machine that had applied `applied` entries.
  void on_read_served(NodeId node, Index required, Index applied, Index read_index);
  /// A node restarted: its leadership records are void (its logs are checked afresh).
  void on_restart(NodeId node);

  bool ok() const { return !failure_; }
  const std::optional<std::string>& failure() const { return failure_; }
  std::size_t committed_count() const { return committed_.size(); }

  /// Record a violation found outside this class (e.g. a liveness bound).
  void fail(const std::string& what);

 private:
  struct EntryRecord {
    raft::EntryKind kind;
    std::string data;
    Term prev_term;
  };
  struct LeaderRecord {
    Term term = 0;
    Index last_index = 0;
    Term last_term = 0;
  };

  std::map<Term, NodeId> leader_of_term_;
  std::map<std::pair<Index, Term>, EntryRecord> entries_;  ///< log matching registry
  std::map<Index, Entry> committed_;                       ///< every entry known committed
  std::map<NodeId, Index> commit_seen_;
  std::map<NodeId, LeaderRecord> leading_;                 ///< current leadership per node
  std::map<Index, Entry> applied_;                         ///< state machine safety registry
  Index max_acked_index_ = 0;
  std::optional<std::string> failure_;
};

}  // namespace meadow::sim
