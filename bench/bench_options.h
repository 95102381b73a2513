// BenchOptions: what `meadow bench` was asked to do, and the pure parsing and checking of its
// textual flags (--ratio, --duration), kept apart from CLI11 so tables of cases can test them.
// Standard library only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meadow::bench {

/// Relative weights of puts and gets ("3:1" = three puts per get on average).
struct Ratio {
  std::uint32_t put = 1;
  std::uint32_t get = 0;
  bool operator==(const Ratio&) const = default;
};

enum class Consistency { linearizable, stale };

struct BenchOptions {
  // Where: a spawned cluster (neither attach nor connect), a cluster directory, or endpoints.
  int nodes = 3;                       ///< spawned cluster size, [1, 9]
  std::string data_dir;                ///< spawned cluster's directory; empty = a temp dir
  std::string durability = "full";     ///< spawned cluster: full | normal
  bool keep = false;                   ///< leave the spawned cluster (and its directory) behind
  std::string attach;                  ///< existing cluster directory
  std::string connect;                 ///< existing cluster's client endpoints
  std::string cluster_id = "meadow";   ///< with --connect
  // What.
  int clients = 64;                    ///< requests in flight at once, [1, 100000]
  std::optional<std::chrono::milliseconds> duration;  ///< stop submitting after this long
  std::optional<std::uint64_t> ops;    ///< stop after this many completed requests
  std::uint64_t keys = 10000;          ///< distinct keys, [1, 10^12)
  std::size_t value_size = 100;        ///< bytes, [0, kMaxValueBytes]
  Ratio ratio;                         ///< default: puts only
  Consistency consistency = Consistency::linearizable;
  std::uint64_t seed = 1;              ///< workload PRNG seed
  std::chrono::milliseconds request_timeout{10000};  ///< a request's deadline
  bool json = false;                   ///< --output json
};

/// "P:G" with P, G decimal integers, not both 0. nullopt on anything else.
std::optional<Ratio> parse_ratio(std::string_view text);
/// "250ms", "10s", "2m", "1h" or a bare number of seconds ("10", "0.5"); 1 ms to 7 days.
/// nullopt otherwise.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
/// Checks combinations CLI11 cannot: returns an error line, or empty if the options are usable.
/// Neither --duration nor --ops given means a 10 s run (filled in here).
std::string check_options(BenchOptions& options);

std::string_view to_string(Consistency consistency);

}  // namespace meadow::bench
