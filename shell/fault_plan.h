// FaultPlan: turns the shell's experiment commands (partition, isolate, one-way partition,
// delay, drop, heal) into the FaultRequests each node must apply, and parses their arguments
// (groups "1,2 | 3", "1 -> 2", durations "50ms"/"2s", percentages "20%"). Pure: no I/O, tested
// from tables. Depends on the wire structs only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/wire_client.h"

namespace meadow::shell {

/// One FaultRequest for one node.
struct NodeFault {
  std::uint64_t node = 0;
  transport::wire::FaultRequest request;
};

using Groups = std::vector<std::vector<std::uint64_t>>;

/// "1,2 | 3" (spaces optional) -> {{1,2},{3}}. Every id must be one of `ids`, named once;
/// nodes not named form one more group, which may be written `rest` ("2 | rest"). Needs two groups at least. nullopt + `error` if not.
std::optional<Groups> parse_groups(std::string_view text, const std::vector<std::uint64_t>& ids,
                                   std::string& error);
/// "1 -> 2" or "1->2" -> {1, 2}; both must be ids of `ids` and differ.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_oneway(
    std::string_view text, const std::vector<std::uint64_t>& ids, std::string& error);
/// "50ms", "2s", "1.5s", "2m", "250" (ms) -> milliseconds in [0, 1 hour]; nullopt if malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
/// "20%" or "20" -> 20, in [0, 100]; nullopt if malformed.
std::optional<std::uint32_t> parse_percent(std::string_view text);

/// Each node drops all traffic to and from every node outside its group. Both ends drop, so
/// the cut holds even if one side misses its request (e.g. it is down).
std::vector<NodeFault> plan_partition(const Groups& groups);
/// Messages from `from` to `to` are lost; `to` -> `from` still flows.
std::vector<NodeFault> plan_oneway(std::uint64_t from, std::uint64_t to);
/// Every message to or from `node` waits `delay` plus a random extra in [0, jitter].
std::vector<NodeFault> plan_delay(std::uint64_t node, const std::vector<std::uint64_t>& ids,
                                  std::chrono::milliseconds delay,
                                  std::chrono::milliseconds jitter);
/// `node` loses `percent` % of the messages it sends.
std::vector<NodeFault> plan_drop(std::uint64_t node, std::uint32_t percent);
/// Every node clears all its faults.
std::vector<NodeFault> plan_heal(const std::vector<std::uint64_t>& ids);

/// `ids` without `node`.
std::vector<std::uint64_t> others(std::uint64_t node, const std::vector<std::uint64_t>& ids);

/// "1,2 | 3"
std::string describe_groups(const Groups& groups);

}  // namespace meadow::shell
