// Logger: the node's event log, one line per event on stderr or a file:
//   2026-11-23T04:01:02.123Z node=1 term=3 INFO became leader
// It is the sink for the Raft core and the transport. Single-threaded (the node loop).
// Depends on the standard library and node/raft's LogSink interface only.
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "node/raft/config.h"

namespace meadow::node {

using raft::LogLevel;

/// "debug" | "info" | "warn" → level; nullopt for anything else.
std::optional<LogLevel> parse_log_level(std::string_view text);

class Logger : public raft::LogSink {
 public:
  /// Writes to `file` (not owned; stderr by default) lines at or above `min_level`.
  explicit Logger(raft::NodeId node, LogLevel min_level = LogLevel::info, std::FILE* file = stderr);

  /// Where the current term comes from (shown on every line); unset shows term=0.
  void set_term_source(std::function<raft::Term()> term) { term_ = std::move(term); }

  void log(LogLevel level, raft::NodeId node, std::string_view line) override;
  void info(std::string_view line) { log(LogLevel::info, node_, line); }
  void warn(std::string_view line) { log(LogLevel::warn, node_, line); }
  void debug(std::string_view line) { log(LogLevel::debug, node_, line); }
  bool enabled(LogLevel level) const { return level >= min_level_; }

 private:
  raft::NodeId node_;
  LogLevel min_level_;
  std::FILE* file_;
  std::function<raft::Term()> term_;
};

}  // namespace meadow::node
