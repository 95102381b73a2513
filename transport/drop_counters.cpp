// Drop counting with power-of-two log throttling: no clock needed, O(log n) lines per reason.
#include "transport/drop_counters.h"

#include <numeric>
#include <utility>

namespace meadow::transport {

DropCounters::DropCounters(std::string source, LogSink log)
    : source_(std::move(source)), log_(std::move(log)) {}

void DropCounters::record(DropReason reason, std::string_view detail) {
  const std::uint64_t n = ++counts_[static_cast<std::size_t>(reason)];
  const bool power_of_two = (n & (n - 1)) == 0;
  if (log_ && power_of_two) {
    std::string line = source_ + ": dropped message (" + std::string(to_string(reason)) +
                       ", " + std::to_string(n) + " so far): ";
    line.append(detail);
    log_(line);
  }
}

std::uint64_t DropCounters::count(DropReason reason) const {
  return counts_[static_cast<std::size_t>(reason)];
}

std::uint64_t DropCounters::total() const {
  return std::accumulate(counts_.begin(), counts_.end(), std::uint64_t{0});
}

std::map<std::string, std::uint64_t> DropCounters::snapshot() const {
  std::map<std::string, std::uint64_t> out;
  for (std::size_t i = 0; i < kDropReasonCount; ++i) {
    if (counts_[i] != 0) {
      out["drop." + std::string(to_string(static_cast<DropReason>(i)))] = counts_[i];
    }
  }
  return out;
}

void DropCounters::set_log_sink(LogSink log) { log_ = std::move(log); }

}  // namespace meadow::transport
