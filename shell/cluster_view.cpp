#include "shell/cluster_view.h"

namespace meadow::shell {

const NodeView* ClusterView::node(std::uint64_t id) const {
  for (const auto& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

std::vector<std::uint64_t> ClusterView::down_ids() const {
  std::vector<std::uint64_t> out;
  for (const auto& n : nodes)
    if (!n.up()) out.push_back(n.id);
  return out;
}

std::size_t ClusterView::up_count() const {
  std::size_t count = 0;
  for (const auto& n : nodes) count += n.up() ? 1 : 0;
  return count;
}

void derive_leader(ClusterView& view) {
  view.leader = 0;
  view.term = 0;
  std::uint64_t leader_term = 0;
  for (const auto& n : view.nodes) {
    if (!n.status) continue;
    view.term = std::max(view.term, n.status->term);
    if (n.status->role == transport::wire::Role::leader && n.status->term >= leader_term) {
      view.leader = n.id;
      leader_term = n.status->term;
    }
  }
  if (view.leader != 0) view.term = leader_term;
}

std::string role_name(transport::wire::Role role) {
  switch (role) {
    case transport::wire::Role::follower: return "follower";
    case transport::wire::Role::candidate: return "candidate";
    case transport::wire::Role::leader: return "leader";
    case transport::wire::Role::pre_candidate: return "pre-candidate";
  }
  return "?";
}

std::string join_ids(const std::vector<std::uint64_t>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
  return out;
}

Members members_of(const transport::wire::StatusReply& status) {
  Members out;
  for (const auto& m : status.members) (m.voter ? out.voters : out.learners).push_back(m.id);
  return out;
}

JsonValue members_json(const transport::wire::StatusReply& status) {
  const Members members = members_of(status);
  JsonValue voters = JsonValue::array(), learners = JsonValue::array();
  for (auto id : members.voters) voters.push(id);
  for (auto id : members.learners) learners.push(id);
  return JsonValue::object().set("voters", std::move(voters)).set("learners", std::move(learners));
}

}  // namespace meadow::shell
