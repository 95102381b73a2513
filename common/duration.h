// Durations as people type them on a command line: "1500ms", "2s", "1.5s", "30m", "1h", or a
// bare number in a unit the caller chooses. One parser for the shell, bench and test drivers.
// Standard library only.
#pragma once

#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string_view>

namespace meadow {

/// `text` as milliseconds (rounded to the nearest), or nullopt for anything malformed
/// (no digits, a sign, nan/inf, an unknown unit) or outside [min, max]. A number without a
/// unit is in `bare_unit`.
inline std::optional<std::chrono::milliseconds> parse_duration(
    std::string_view text, std::chrono::milliseconds bare_unit, std::chrono::milliseconds min,
    std::chrono::milliseconds max) {
  double scale_ms = static_cast<double>(bare_unit.count());
  if (text.ends_with("ms")) {
    scale_ms = 1;
    text.remove_suffix(2);
  } else if (text.ends_with('s')) {
    scale_ms = 1000;
    text.remove_suffix(1);
  } else if (text.ends_with('m')) {
    scale_ms = 60'000;
    text.remove_suffix(1);
  } else if (text.ends_with('h')) {
    scale_ms = 3'600'000;
    text.remove_suffix(1);
  }
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  const double ms = std::round(value * scale_ms);
  if (ms < static_cast<double>(min.count()) || ms > static_cast<double>(max.count()))
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

}  // namespace meadow
