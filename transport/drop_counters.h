// Per-reason counters of discarded messages with rate-limited logging: the 1st, 2nd, 4th, 8th…
// drop of each reason is logged (with the running count), so a flood costs O(log n) lines.
// Owned by one socket wrapper; single-threaded like the loop that owns it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "transport/drop_reason.h"

namespace meadow::transport {

/// Receives one log line (no trailing newline). May be empty: then nothing is logged.
using LogSink = std::function<void(std::string_view line)>;

class DropCounters {
 public:
  /// `source` prefixes log lines, e.g. "peer" or "client-server".
  explicit DropCounters(std::string source = "transport", LogSink log = {});

  /// Counts one drop of `reason`; logs `detail` if this count is a power of two.
  void record(DropReason reason, std::string_view detail);
  /// Drops of `reason` so far.
  std::uint64_t count(DropReason reason) const;
  /// Sum over all reasons.
  std::uint64_t total() const;
  /// Non-zero counters as {"drop.<reason>": count}, ready for StatusReply::counters.
  std::map<std::string, std::uint64_t> snapshot() const;
  /// Replaces the log sink.
  void set_log_sink(LogSink log);

 private:
  std::string source_;
  LogSink log_;
  std::array<std::uint64_t, kDropReasonCount> counts_{};
};

}  // namespace meadow::transport
