// LocalCluster: the node processes of a cluster directory, as its manifest (cluster.toml) names
// them: start, signal and check each node by the pid recorded there, after verifying that the
// pid really is that node (its command line names this manifest and its id). Used by the
// launching shell and by attached shells alike; the manifest is re-read before every action
// because another shell may have restarted a node.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "transport/manifest.h"

namespace meadow::shell {

class LocalCluster {
 public:
  /// `dir`: the cluster directory holding cluster.toml. `launched`: this shell started the
  /// nodes (and so may stop them on exit).
  LocalCluster(std::string dir, transport::Manifest manifest, bool launched);

  /// Opens an existing cluster directory; nullopt and `error` if it has no valid manifest.
  static std::optional<LocalCluster> open(const std::string& dir, bool launched,
                                          std::string& error);

  const std::string& dir() const { return dir_; }
  std::string manifest_path() const;
  bool launched() const { return launched_; }
  /// The manifest as last read (refresh() re-reads it).
  const transport::Manifest& manifest() const { return manifest_; }
  /// Re-reads the manifest from disk; keeps the previous one if that fails.
  void refresh();
  std::vector<std::uint64_t> ids() const;

  /// True if node `id`'s recorded pid is alive and is that node.
  bool running(std::uint64_t id) const;
  /// The recorded pid if running(id), else 0.
  std::int64_t running_pid(std::uint64_t id) const;

  /// Starts node `id` (precondition: known id, not running) and records its pid in the
  /// manifest; a node added to the running cluster (`joined`) is started with --join. Returns
  /// the pid, or nullopt and `error`.
  std::optional<std::int64_t> start(std::uint64_t id, std::string& error);
  /// Sends `sig` to node `id` and waits up to `grace` for it to exit; if it has not, sends
  /// SIGKILL and waits again. Returns false (and `error`) if it was not running.
  /// `forced` tells whether SIGKILL was needed after a gentler signal.
  bool stop(std::uint64_t id, int sig, std::chrono::milliseconds grace, bool& forced,
            std::string& error);
  /// Stops every running node at once (SIGTERM, SIGKILL for those still alive after `grace`);
  /// returns the ids it stopped.
  std::vector<std::uint64_t> stop_all(std::chrono::milliseconds grace);

  /// Re-reads the manifest, lets `change` edit it and writes it back atomically. False and
  /// `error` if it cannot be read or written (the file is then unchanged).
  bool update_manifest(const std::function<void(transport::Manifest&)>& change, std::string& error);

  /// The last `lines` lines of node `id`'s log file.
  std::vector<std::string> log_tail(std::uint64_t id, std::size_t lines) const;
  std::string log_path(std::uint64_t id) const;

 private:
  bool is_node_process(std::int64_t pid, std::uint64_t id) const;

  std::string dir_;
  transport::Manifest manifest_;
  bool launched_ = false;
};

}  // namespace meadow::shell
