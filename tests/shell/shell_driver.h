// Test support for shell process tests: runs `meadow shell ...` with its stdin/stdout on pipes
// (a script fed line by line) or on a pseudo-terminal (the interactive line editor), reads its
// output with deadlines, and always cleans up: closes its input so it stops its nodes, and if it
// does not exit, SIGKILLs it and the node pids recorded in its cluster manifest.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "transport/manifest.h"

namespace meadow::test {

class ShellDriver {
 public:
  enum class Mode { pipes, pty };

  /// Starts `binary shell args...`; `data_dir` is the cluster directory (for cleanup). With
  /// pipes, stderr goes to `data_dir`/../shell.err; with a pty everything shares the terminal.
  ShellDriver(Mode mode, const std::string& binary, std::vector<std::string> args,
              std::string data_dir, std::vector<std::string> env = {});
  ShellDriver(const ShellDriver&) = delete;
  ShellDriver& operator=(const ShellDriver&) = delete;
  ~ShellDriver();

  pid_t pid() const { return pid_; }
  /// Writes `text` to the shell's input (no newline added).
  void type(const std::string& text);
  /// type(line + "\n") (a pty gets "\r").
  void send(const std::string& line);
  /// Reads until a complete line satisfies `match` and returns it, or nullopt after `deadline`
  /// (or EOF). Lines read are consumed.
  std::optional<std::string> expect_line(const std::function<bool(const std::string&)>& match,
                                         std::chrono::milliseconds deadline);
  /// Reads until the raw output (from the last consumed point) contains `text`; returns the
  /// output up to and including it, or nullopt after `deadline`.
  std::optional<std::string> expect_text(const std::string& text,
                                         std::chrono::milliseconds deadline);
  /// expect_line for the JSON result of `command` (ok or not).
  std::optional<std::string> expect_result(const std::string& command,
                                           std::chrono::milliseconds deadline);
  /// expect_line for the JSON event `kind`.
  std::optional<std::string> expect_event(const std::string& kind,
                                          std::chrono::milliseconds deadline);
  /// Closes the input (Ctrl-D on a pty).
  void close_input();
  /// Waits up to `deadline` for the shell to exit; its exit code (128 + signal if killed).
  std::optional<int> wait_exit(std::chrono::milliseconds deadline);
  /// Everything read so far.
  const std::string& transcript() const { return transcript_; }

 private:
  bool read_some(std::chrono::steady_clock::time_point until);

  Mode mode_;
  pid_t pid_ = -1;
  int in_fd_ = -1;   // we write the shell's input here
  int out_fd_ = -1;  // we read its output here (pty master = in_fd_)
  std::string data_dir_;
  std::string buffer_;      // read, not consumed
  std::string transcript_;  // everything read
  std::optional<int> exit_code_;
};

/// The first unsigned integer value of `"key":N` in a JSON line, or nullopt.
std::optional<std::uint64_t> json_uint(const std::string& line, const std::string& key);
/// True if `line` is the JSON result of `command` with "ok":`ok`.
bool is_result(const std::string& line, const std::string& command, bool ok);
/// True if `line` is the JSON event `kind`.
bool is_event(const std::string& line, const std::string& kind);
/// The manifest of the cluster in `data_dir` (nullopt and `error` if it cannot be read).
std::optional<transport::Manifest> cluster_manifest(const std::string& data_dir,
                                                    std::string& error);
/// The node pids recorded in `data_dir`/cluster.toml whose processes still run as that
/// cluster's nodes.
std::vector<pid_t> live_node_pids(const std::string& data_dir);

}  // namespace meadow::test
