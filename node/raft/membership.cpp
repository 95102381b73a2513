#include "node/raft/membership.h"

#include <algorithm>
#include <charconv>

namespace meadow::raft {

namespace {

bool contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::binary_search(ids.begin(), ids.end(), id);
}

void insert_sorted(std::vector<NodeId>& ids, NodeId id) {
  ids.insert(std::lower_bound(ids.begin(), ids.end(), id), id);
}

void erase_id(std::vector<NodeId>& ids, NodeId id) {
  ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
}

std::string join(const std::vector<NodeId>& ids) {
  std::string out;
  for (NodeId id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

/// "1,2,3" or "" -> ids ascending; nullopt on a bad number, 0 or a duplicate.
std::optional<std::vector<NodeId>> parse_ids(std::string_view text) {
  std::vector<NodeId> ids;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    NodeId id = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
    if (ec != std::errc() || end != part.data() + part.size() || id == kNoNode) return std::nullopt;
    ids.push_back(id);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return std::nullopt;  // trailing comma
  }
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) return std::nullopt;
  return ids;
}

}  // namespace

bool ClusterConfig::is_voter(NodeId id) const { return contains(voters, id); }
bool ClusterConfig::is_learner(NodeId id) const { return contains(learners, id); }

std::vector<NodeId> ClusterConfig::members() const {
  std::vector<NodeId> out = voters;
  out.insert(out.end(), learners.begin(), learners.end());
  return out;
}

std::string ClusterConfig::address_of(NodeId id) const {
  auto it = addresses.find(id);
  return it == addresses.end() ? std::string() : it->second;
}

const char* conf_change_error_name(ConfChangeError error) {
  switch (error) {
    case ConfChangeError::none: return "none";
    case ConfChangeError::invalid_node: return "invalid_node";
    case ConfChangeError::exists: return "exists";
    case ConfChangeError::not_learner: return "not_learner";
    case ConfChangeError::unknown_node: return "unknown_node";
    case ConfChangeError::last_voter: return "last_voter";
    case ConfChangeError::bad_address: return "bad_address";
  }
  return "?";
}

const char* conf_change_type_name(ConfChangeType type) {
  switch (type) {
    case ConfChangeType::add_learner: return "add_learner";
    case ConfChangeType::promote: return "promote";
    case ConfChangeType::remove: return "remove";
  }
  return "?";
}

ConfChangeError apply_conf_change(const ClusterConfig& config, const ConfChange& change,
                                  ClusterConfig& out) {
  if (change.node == kNoNode) return ConfChangeError::invalid_node;
  ClusterConfig next = config;
  switch (change.type) {
    case ConfChangeType::add_learner:
      if (config.is_member(change.node)) return ConfChangeError::exists;
      if (change.address.size() > kMaxMemberAddressBytes ||
          change.address.find('\n') != std::string::npos) {
        return ConfChangeError::bad_address;
      }
      insert_sorted(next.learners, change.node);
      if (!change.address.empty()) next.addresses[change.node] = change.address;
      break;
    case ConfChangeType::promote:
      if (!config.is_learner(change.node)) return ConfChangeError::not_learner;
      erase_id(next.learners, change.node);
      insert_sorted(next.voters, change.node);
      break;
    case ConfChangeType::remove:
      if (!config.is_member(change.node)) return ConfChangeError::unknown_node;
      if (config.is_voter(change.node) && config.voters.size() == 1) {
        return ConfChangeError::last_voter;
      }
      erase_id(next.voters, change.node);
      erase_id(next.learners, change.node);
      next.addresses.erase(change.node);
      break;
  }
  out = std::move(next);
  return ConfChangeError::none;
}

std::string encode_cluster_config(const ClusterConfig& config) {
  std::string out = "v=" + join(config.voters) + ";l=" + join(config.learners);
  for (const auto& [id, address] : config.addresses) {
    out += '\n' + std::to_string(id) + '=' + address;
  }
  return out;
}

namespace {

/// Adds the "ID=ADDRESS" lines of `text` to `config`; false if any is malformed.
bool parse_addresses(std::string_view text, ClusterConfig& config) {
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) return false;
    NodeId id = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + eq, id);
    const std::string_view address = line.substr(eq + 1);
    if (ec != std::errc() || end != line.data() + eq || !config.is_member(id) ||
        address.empty() || address.size() > kMaxMemberAddressBytes ||
        !config.addresses.emplace(id, std::string(address)).second) {
      return false;
    }
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
    if (text.empty()) return false;  // trailing newline
  }
  return true;
}

}  // namespace

std::optional<ClusterConfig> decode_cluster_config(std::string_view text) {
  const std::size_t first_newline = text.find('\n');
  const std::string_view addresses =
      first_newline == std::string_view::npos ? std::string_view() : text.substr(first_newline + 1);
  if (first_newline != std::string_view::npos && addresses.empty()) return std::nullopt;
  text = text.substr(0, first_newline);
  const std::size_t semi = text.find(';');
  if (semi == std::string_view::npos || text.substr(0, 2) != "v=" ||
      text.substr(semi, 3) != ";l=") {
    return std::nullopt;
  }
  auto voters = parse_ids(text.substr(2, semi - 2));
  auto learners = parse_ids(text.substr(semi + 3));
  if (!voters || !learners || voters->empty()) return std::nullopt;
  for (NodeId id : *learners) {
    if (contains(*voters, id)) return std::nullopt;
  }
  ClusterConfig config{std::move(*voters), std::move(*learners), {}};
  if (!parse_addresses(addresses, config)) return std::nullopt;
  return config;
}

}  // namespace meadow::raft
