#include "shell/timeline_watch.h"

namespace meadow::shell {
namespace {

std::uint64_t counter(const transport::wire::StatusReply& s, const char* name) {
  const auto it = s.counters.find(name);
  return it == s.counters.end() ? 0 : it->second;
}

}  // namespace

std::vector<Event> TimelineWatch::observe(const ClusterView& view, Clock::time_point now) {
  std::vector<Event> events;
  for (const auto& n : view.nodes) {
    if (!n.status) continue;
    const Seen current{counter(*n.status, "raft.elections_started"),
                       counter(*n.status, "raft.pre_elections_started")};
    const auto it = nodes_.find(n.id);
    // A restarted node starts its counters at 0 again: only growth counts.
    if (it != nodes_.end()) {
      const std::string id = std::to_string(n.id);
      if (current.pre_elections > it->second.pre_elections)
        events.push_back({"pre_vote", JsonValue::object().set("node", n.id).set("term", n.status->term),
                          "node " + id + " asks whether it could win an election (PreVote, term " +
                              std::to_string(n.status->term) + ")"});
      if (current.elections > it->second.elections)
        events.push_back({"election_started",
                          JsonValue::object().set("node", n.id).set("term", n.status->term),
                          "node " + id + " started an election for term " +
                              std::to_string(n.status->term)});
    }
    nodes_[n.id] = current;
  }
  const NodeView* leader = view.node(view.leader);
  if (leader && leader->status) {
    const std::uint64_t commit = leader->status->commit_index;
    if (!rate_since_ || commit < rate_commit_) {
      rate_since_ = now;
      rate_commit_ = commit;
    } else if (now - *rate_since_ >= std::chrono::seconds(1)) {
      const double seconds = std::chrono::duration<double>(now - *rate_since_).count();
      const auto per_second = static_cast<std::uint64_t>(static_cast<double>(commit - rate_commit_) / seconds + 0.5);
      if (commit != rate_commit_)
        events.push_back({"commits",
                          JsonValue::object().set("commit_index", commit).set("per_second", per_second),
                          "commits: " + std::to_string(per_second) + "/s (commit index " +
                              std::to_string(commit) + ")"});
      rate_since_ = now;
      rate_commit_ = commit;
    }
  }
  return events;
}

}  // namespace meadow::shell
