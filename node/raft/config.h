// Configuration of one Raft core and the log sink it reports through. Standard library only:
// the sink is an interface the runtime implements (the core never prints).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "node/raft/types.h"

namespace meadow::raft {

enum class LogLevel : std::uint8_t { debug, info, warn };

/// Where the core's log lines go. Called synchronously from the core's thread.
class LogSink {
 public:
  virtual ~LogSink() = default;
  /// One line of text, no trailing newline. `node` is the reporting core's id.
  virtual void log(LogLevel level, NodeId node, std::string_view line) = 0;
};

struct Config {
  NodeId id = kNoNode;             ///< this node; may be outside the configuration (a node
                                   ///< waiting to be added learns it from the leader's log)
  /// The initial configuration, used until the log or a snapshot holds one (thesis §4.1: the
  /// latest configuration in the log wins, committed or not). No kNoNode, no duplicates,
  /// disjoint; voters non-empty, or both empty for a node that waits to be added.
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;    ///< receive entries, never vote or campaign
  /// Election timeout drawn uniformly from [min, max) ticks after every reset (Raft §5.2).
  /// `min` is also the CheckQuorum period and the leadership-transfer deadline.
  int election_timeout_ticks_min = 10;
  int election_timeout_ticks_max = 20;
  int heartbeat_interval_ticks = 1;      ///< must be < election_timeout_ticks_min
  bool pre_vote = true;                  ///< Raft thesis §9.6
  bool check_quorum = true;              ///< leader steps down without a live majority (§6.2)
  std::size_t max_inflight_messages = 64;       ///< per-follower pipelining window, >= 1
  std::size_t max_entries_per_message = 64;     ///< >= 1
  std::uint64_t max_bytes_per_message = 1 << 20;  ///< payload bytes; at least one entry is sent
  /// Index the state machine has already applied (the runtime persists it with the data);
  /// entries (applied, commit] are handed out again after a restart.
  Index applied = 0;
  std::uint64_t rng_seed = 0;      ///< seeds the election-timeout PRNG (runs are reproducible)
  LogSink* log_sink = nullptr;     ///< optional; not owned
};

}  // namespace meadow::raft
