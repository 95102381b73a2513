// NodeConfig: everything one `meadow node` process needs to run, already validated by the
// command line layer (node_command.cpp). Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "node/raft/config.h"
#include "node/raft/types.h"
#include "store/types.h"

namespace meadow::node {

/// One member of the cluster and its endpoints.
struct Member {
  raft::NodeId id = raft::kNoNode;
  std::string raft_endpoint;    ///< where peers reach its Raft ROUTER, e.g. tcp://127.0.0.1:7001
  std::string client_endpoint;  ///< where clients reach it (may be empty if unknown)
};

struct NodeConfig {
  raft::NodeId id = raft::kNoNode;
  std::string cluster_id = "meadow";
  std::string data_dir;                ///< holds meadow.db; created if absent
  /// The members given on the command line, this node included: the initial configuration of
  /// a fresh database (afterwards the configuration comes from the database) and, while a
  /// joining node has none yet, the nodes it listens to.
  std::vector<Member> members;
  /// Start with no configuration and wait to be added by the leader (a fresh database only).
  bool join = false;
  std::string listen;                  ///< Raft bind address; empty = own member's raft_endpoint
  std::string client_listen;           ///< client bind address; empty = own client_endpoint
  store::Durability durability = store::Durability::full;
  int tick_ms = 10;                    ///< logical clock period of the Raft core
  int heartbeat_ms = 50;               ///< leader heartbeat interval, a multiple of tick_ms
  int election_timeout_min_ms = 150;   ///< randomized election timeout in [min, max)
  int election_timeout_max_ms = 300;
  /// Take a snapshot (compact the log) once the applied index is this many entries past the
  /// last snapshot plus the kept tail (--snapshot-entries).
  std::uint64_t snapshot_entries = 10000;
  /// Applied entries kept in the log behind a snapshot, so followers slightly behind catch up
  /// from the log instead of a snapshot (--snapshot-keep-entries).
  std::uint64_t snapshot_keep_entries = 5000;
  raft::LogLevel log_level = raft::LogLevel::info;
  std::string log_file;                ///< empty = stderr

  /// The member entry of this node. Precondition: validated config.
  const Member& self() const;
};

}  // namespace meadow::node
