#include "bench/bench_options.h"

#include <charconv>

#include "common/duration.h"
#include "common/limits.h"

namespace meadow::bench {
namespace {

std::optional<std::uint32_t> parse_u32(std::string_view text) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Ratio> parse_ratio(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto put = parse_u32(text.substr(0, colon));
  const auto get = parse_u32(text.substr(colon + 1));
  if (!put || !get || (*put == 0 && *get == 0)) return std::nullopt;
  return Ratio{*put, *get};
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  using namespace std::chrono_literals;
  return meadow::parse_duration(text, 1s, 1ms, std::chrono::hours(7 * 24));
}

std::string check_options(BenchOptions& o) {
  if (!o.attach.empty() && !o.connect.empty()) return "give --attach or --connect, not both";
  if (o.nodes < 1 || o.nodes > 9) return "--nodes must be from 1 to 9";
  if (o.durability != "full" && o.durability != "normal")
    return "--durability must be full or normal";
  if (o.clients < 1 || o.clients > 100000) return "--clients must be from 1 to 100000";
  if (o.keys < 1 || o.keys >= 1000000000000ull) return "--keys must be from 1 to 999999999999";
  if (o.value_size > kMaxValueBytes)
    return "--value-size of " + std::to_string(o.value_size) + " bytes exceeds the limit of " +
           std::to_string(kMaxValueBytes) + " bytes";
  if (o.ops && *o.ops == 0) return "--ops must be at least 1";
  if (!o.duration && !o.ops) o.duration = std::chrono::seconds(10);
  return {};
}

std::string_view to_string(Consistency consistency) {
  return consistency == Consistency::stale ? "stale" : "linearizable";
}

}  // namespace meadow::bench
