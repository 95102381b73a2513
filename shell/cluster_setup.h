// Preparing a cluster directory for `meadow shell`: create it with a fresh manifest (cluster id,
// loopback endpoints on free or given ports, one data dir per node), or reuse the one found there
// (same node count; data survives a shell restart), or wipe it first (--fresh). Starts nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "shell/local_cluster.h"

namespace meadow::shell {

struct LaunchOptions {
  std::string data_dir = "meadow-data";
  std::optional<int> nodes;               ///< [1, 9]; default 3, or the manifest's count
  int base_port = 0;                      ///< 0 = free ports; else node i uses base+2(i-1), +1
  std::optional<std::string> durability;  ///< "full" | "normal"; default: manifest's or full
  std::vector<std::string> node_args;     ///< Raft timing flags; empty = the manifest's
  bool fresh = false;                     ///< wipe the directory first (already confirmed)
};

/// Prepares `options.data_dir` and returns the cluster (launched = true, no node started), or
/// nullopt and a one-line `error`: node count out of range, a directory that is not a cluster
/// directory, existing data of another node count, nodes of it still running, ports in use.
std::optional<LocalCluster> prepare_cluster_dir(const LaunchOptions& options, std::string& error);

/// Adds a node for `add-node` to `cluster`'s manifest (as a learner started with --join): the
/// next id that no node and no leftover node-N directory uses, two free loopback ports and a
/// fresh data directory. Returns the new entry, or nullopt and `error`.
std::optional<transport::ManifestNode> add_node_entry(LocalCluster& cluster, std::string& error);

/// True if `dir` holds a cluster manifest.
bool has_manifest(const std::string& dir);

/// `count` distinct TCP ports on 127.0.0.1 that were free a moment ago.
std::vector<int> free_ports(int count);

/// True if 127.0.0.1:port can be bound right now.
bool port_free(int port);

}  // namespace meadow::shell
