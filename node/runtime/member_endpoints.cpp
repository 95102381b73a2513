#include "node/runtime/member_endpoints.h"

#include <algorithm>

namespace meadow::node {

std::string endpoint_problem(std::string_view what, std::string_view endpoint) {
  const std::string name(what);
  if (endpoint.empty()) return name + " is missing";
  if (endpoint.size() > kMaxEndpointBytes)
    return name + " is longer than " + std::to_string(kMaxEndpointBytes) + " bytes";
  if (endpoint.substr(0, 6) != "tcp://" || endpoint.size() == 6)
    return name + " must be tcp://HOST:PORT, not '" + std::string(endpoint) + "'";
  for (const char c : endpoint) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      return name + " must not contain spaces or control characters";
  }
  return "";
}

std::string member_address(const Member& member) {
  return member.raft_endpoint + " " + member.client_endpoint;
}

std::optional<Member> member_from_address(raft::NodeId id, std::string_view address) {
  const std::size_t space = address.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  Member m{id, std::string(address.substr(0, space)), std::string(address.substr(space + 1))};
  if (!endpoint_problem("", m.raft_endpoint).empty() ||
      (!m.client_endpoint.empty() && !endpoint_problem("", m.client_endpoint).empty())) {
    return std::nullopt;
  }
  return m;
}

raft::ClusterConfig initial_config(const std::vector<Member>& members) {
  raft::ClusterConfig config;
  for (const Member& m : members) {
    config.voters.push_back(m.id);
    config.addresses[m.id] = member_address(m);
  }
  std::sort(config.voters.begin(), config.voters.end());
  return config;
}

std::string describe_members(const raft::ClusterConfig& config) {
  const auto ids = [](const std::vector<raft::NodeId>& list) {
    std::string out;
    for (raft::NodeId id : list) out += (out.empty() ? "" : ",") + std::to_string(id);
    return out.empty() ? std::string("none") : out;
  };
  return "voters " + ids(config.voters) + " learners " + ids(config.learners);
}

std::vector<Member> members_of(const raft::ClusterConfig& config,
                               const std::vector<Member>& command_line) {
  std::vector<Member> out;
  for (raft::NodeId id : config.members()) {
    auto it = std::find_if(command_line.begin(), command_line.end(),
                           [&](const Member& m) { return m.id == id; });
    Member stored = member_from_address(id, config.address_of(id)).value_or(Member{id, "", ""});
    if (it != command_line.end()) {
      stored.raft_endpoint = it->raft_endpoint;
      if (!it->client_endpoint.empty()) stored.client_endpoint = it->client_endpoint;
    }
    out.push_back(std::move(stored));
  }
  return out;
}

}  // namespace meadow::node
