#include "node/runtime/logger.h"

#include <chrono>
#include <ctime>

namespace meadow::node {

std::optional<LogLevel> parse_log_level(std::string_view text) {
  if (text == "debug") return LogLevel::debug;
  if (text == "info") return LogLevel::info;
  if (text == "warn") return LogLevel::warn;
  return std::nullopt;
}

Logger::Logger(raft::NodeId node, LogLevel min_level, std::FILE* file)
    : node_(node), min_level_(min_level), file_(file) {}

void Logger::log(LogLevel level, raft::NodeId node, std::string_view line) {
  if (!enabled(level)) return;
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  static constexpr const char* kNames[] = {"DEBUG", "INFO", "WARN"};
  std::fprintf(file_, "%s.%03dZ node=%llu term=%llu %s %.*s\n", stamp, static_cast<int>(millis),
               static_cast<unsigned long long>(node),
               static_cast<unsigned long long>(term_ ? term_() : 0),
               kNames[static_cast<int>(level)], static_cast<int>(line.size()), line.data());
  std::fflush(file_);  // a killed node's last lines are the interesting ones
}

}  // namespace meadow::node
