#include "shell/fault_plan.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/duration.h"

namespace meadow::shell {
namespace {

namespace wire = transport::wire;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<std::uint64_t> parse_id(std::string_view text,
                                      const std::vector<std::uint64_t>& ids, std::string& error) {
  text = trim(text);
  std::uint64_t id = 0;
  bool ok = !text.empty() && text.size() < 19;
  for (char c : text) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!ok) {
    error = "node id must be a number, not '" + std::string(text) + "'";
    return std::nullopt;
  }
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
    error = "there is no node " + std::to_string(id);
    return std::nullopt;
  }
  return id;
}

wire::FaultRequest drop(std::vector<std::uint64_t> peers, wire::FaultDirection direction) {
  wire::FaultRequest r;
  r.action = wire::FaultAction::drop_peers;
  r.peers = std::move(peers);
  r.direction = direction;
  return r;
}

}  // namespace

std::optional<Groups> parse_groups(std::string_view text, const std::vector<std::uint64_t>& ids,
                                   std::string& error) {
  Groups groups;
  std::set<std::uint64_t> named;
  std::size_t start = 0;
  for (;;) {
    const std::size_t bar = text.find('|', start);
    const std::string_view part =
        text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    std::vector<std::uint64_t> group;
    std::size_t from = 0;
    if (trim(part) == "rest") {  // the nodes not named: the extra group made below
      if (bar == std::string_view::npos) break;
      start = bar + 1;
      continue;
    }
    for (;;) {
      const std::size_t comma = part.find(',', from);
      const auto word =
          part.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from);
      const auto id = parse_id(word, ids, error);
      if (!id) return std::nullopt;
      if (!named.insert(*id).second) {
        error = "node " + std::to_string(*id) + " is named twice";
        return std::nullopt;
      }
      group.push_back(*id);
      if (comma == std::string_view::npos) break;
      from = comma + 1;
    }
    groups.push_back(std::move(group));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  std::vector<std::uint64_t> rest;
  for (auto id : ids)
    if (!named.count(id)) rest.push_back(id);
  if (!rest.empty()) groups.push_back(std::move(rest));
  if (groups.size() < 2) {
    error = "a partition needs two groups at least, e.g. 1,2 | 3";
    return std::nullopt;
  }
  return groups;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_oneway(
    std::string_view text, const std::vector<std::uint64_t>& ids, std::string& error) {
  const std::size_t arrow = text.find("->");
  if (arrow == std::string_view::npos) {
    error = "expected FROM -> TO, e.g. 1 -> 2";
    return std::nullopt;
  }
  const auto from = parse_id(text.substr(0, arrow), ids, error);
  if (!from) return std::nullopt;
  const auto to = parse_id(text.substr(arrow + 2), ids, error);
  if (!to) return std::nullopt;
  if (*from == *to) {
    error = "FROM and TO are the same node";
    return std::nullopt;
  }
  return std::make_pair(*from, *to);
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  using namespace std::chrono_literals;
  return meadow::parse_duration(text, 1ms, 0ms, 1h);
}

std::optional<std::uint32_t> parse_percent(std::string_view text) {
  if (!text.empty() && text.back() == '%') text.remove_suffix(1);
  if (text.empty() || text.size() > 3) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (value > 100) return std::nullopt;
  return value;
}

std::vector<NodeFault> plan_partition(const Groups& groups) {
  std::vector<NodeFault> plan;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::vector<std::uint64_t> outside;
    for (std::size_t h = 0; h < groups.size(); ++h)
      if (h != g) outside.insert(outside.end(), groups[h].begin(), groups[h].end());
    std::sort(outside.begin(), outside.end());
    for (auto node : groups[g]) plan.push_back({node, drop(outside, wire::FaultDirection::both)});
  }
  std::sort(plan.begin(), plan.end(),
            [](const NodeFault& a, const NodeFault& b) { return a.node < b.node; });
  return plan;
}

std::vector<NodeFault> plan_oneway(std::uint64_t from, std::uint64_t to) {
  // Both ends drop: the link stays cut one way even if one of the two misses the request.
  return {{from, drop({to}, wire::FaultDirection::outgoing)},
          {to, drop({from}, wire::FaultDirection::incoming)}};
}

std::vector<NodeFault> plan_delay(std::uint64_t node, const std::vector<std::uint64_t>& ids,
                                  std::chrono::milliseconds delay,
                                  std::chrono::milliseconds jitter) {
  // The filter delays outgoing messages only: the node delays what it sends, and every other
  // node delays what it sends to the node.
  auto request = [&](std::vector<std::uint64_t> peers) {
    wire::FaultRequest r;
    r.action = wire::FaultAction::delay_peers;
    r.peers = std::move(peers);
    r.delay_ms = static_cast<std::uint32_t>(delay.count());
    r.jitter_ms = static_cast<std::uint32_t>(jitter.count());
    return r;
  };
  std::vector<NodeFault> plan;
  for (auto id : ids)
    plan.push_back({id, id == node ? request(others(node, ids)) : request({node})});
  return plan;
}

std::vector<NodeFault> plan_drop(std::uint64_t node, std::uint32_t percent) {
  wire::FaultRequest r;
  r.action = wire::FaultAction::drop_percent;
  r.drop_percent = percent;
  return {{node, r}};
}

std::vector<NodeFault> plan_heal(const std::vector<std::uint64_t>& ids) {
  std::vector<NodeFault> plan;
  for (auto id : ids) plan.push_back({id, wire::FaultRequest{}});  // action clear
  return plan;
}

std::vector<std::uint64_t> others(std::uint64_t node, const std::vector<std::uint64_t>& ids) {
  std::vector<std::uint64_t> out;
  for (auto id : ids)
    if (id != node) out.push_back(id);
  return out;
}

std::string describe_groups(const Groups& groups) {
  std::string out;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (g) out += " | ";
    for (std::size_t i = 0; i < groups[g].size(); ++i)
      out += (i ? "," : "") + std::to_string(groups[g][i]);
  }
  return out;
}

}  // namespace meadow::shell
