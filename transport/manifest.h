// The cluster manifest: a small TOML file in a cluster's data directory naming its nodes, their
// endpoints, data directories and pids. The shell writes it when it launches a cluster; nodes
// (`meadow node --cluster FILE`), a second shell (`--attach DIR`), one-shot commands and tests
// read it. Parsed with CLI11's TOML reader; written atomically (temp file + rename).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meadow::transport {

/// File name of the manifest inside a cluster directory.
inline constexpr const char* kManifestFileName = "cluster.toml";
inline constexpr int kManifestFormat = 1;

struct ManifestNode {
  std::uint64_t id = 0;
  std::string raft_endpoint;    ///< e.g. tcp://127.0.0.1:7001
  std::string client_endpoint;  ///< e.g. tcp://127.0.0.1:7101
  std::string data_dir;         ///< absolute path of the node's data directory
  std::int64_t pid = 0;         ///< process id when the launcher last started it; 0 = unknown
  std::string log_file;         ///< where its log goes; empty = unknown
  /// false = a learner (receives the log, no vote). Follows the configuration the leader
  /// reports; absent in older manifests = voter.
  bool voter = true;
  /// Added to a running cluster (`add-node`): started with `meadow node --join`, so it takes
  /// its configuration from the leader, never from this manifest.
  bool joined = false;

  bool operator==(const ManifestNode&) const = default;
};

struct Manifest {
  std::string cluster_id;
  std::string durability = "full";  ///< "full" or "normal"
  std::vector<std::string> node_args;  ///< extra `meadow node` flags the launcher passes (timing)
  std::vector<ManifestNode> nodes;     ///< ascending ids

  /// The node with `id`, or nullptr.
  const ManifestNode* find(std::uint64_t id) const;
  ManifestNode* find(std::uint64_t id);
  bool operator==(const Manifest&) const = default;
};

/// Reads and validates `path`. On failure returns nullopt and sets `error` to one line naming
/// the file and the problem (missing, unreadable, not TOML, unknown format, duplicate ids, ...).
std::optional<Manifest> read_manifest(const std::string& path, std::string& error);

/// Writes `manifest` to `path` atomically. Returns false and sets `error` on failure, or if a
/// string cannot be written safely (it contains a quote, backslash or newline).
bool write_manifest(const std::string& path, const Manifest& manifest, std::string& error);

}  // namespace meadow::transport
