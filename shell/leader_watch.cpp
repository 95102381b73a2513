#include "shell/leader_watch.h"

namespace meadow::shell {

std::vector<Event> LeaderWatch::observe(const ClusterView& view, Clock::time_point now) {
  std::vector<Event> events;
  if (!baseline_) {
    baseline_ = true;
    for (const auto& n : view.nodes) up_[n.id] = n.up();
    leader_ = view.leader;
    term_ = view.term;
    if (leader_ == 0) leaderless_since_ = now;
    return events;
  }
  for (const auto& n : view.nodes) {
    auto it = up_.find(n.id);
    const bool was_up = it == up_.end() ? n.up() : it->second;
    up_[n.id] = n.up();
    if (was_up == n.up()) continue;
    const std::string id = std::to_string(n.id);
    Event e{n.up() ? "node_up" : "node_down", JsonValue::object().set("node", n.id),
            "node " + id + (n.up() ? " is up" : " is down")};
    events.push_back(std::move(e));
  }
  if (view.leader == 0) {
    if (leader_ != 0) {
      events.push_back({"leader_lost",
                        JsonValue::object().set("node", leader_).set("term", term_),
                        "leader node " + std::to_string(leader_) + " (term " +
                            std::to_string(term_) + ") lost; election in progress"});
      lost_leader_ = leader_;
      leader_ = 0;
      if (!leaderless_since_) leaderless_since_ = now;
    }
    return events;
  }
  if (view.leader == leader_ && view.term == term_) return events;
  const std::uint64_t previous = leader_ != 0 ? leader_ : lost_leader_;
  JsonValue data = JsonValue::object().set("node", view.leader).set("term", view.term);
  data.set("previous", previous != 0 ? JsonValue(previous) : JsonValue());
  std::string text = "node " + std::to_string(view.leader) + " elected leader for term " +
                     std::to_string(view.term);
  if (previous == view.leader && view.term == term_) {
    // The same leader in the same term: it was only unreachable for a while, no election.
    data.set("election_ms", JsonValue());
    text = "node " + std::to_string(view.leader) + " is reachable again as leader (term " +
           std::to_string(view.term) + ")";
  } else if (leaderless_since_) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - *leaderless_since_).count();
    data.set("election_ms", static_cast<std::int64_t>(ms));
    text += " after " + std::to_string(ms) + " ms";
  } else {
    data.set("election_ms", JsonValue());
    if (previous != 0) text += " (was node " + std::to_string(previous) + ")";
  }
  events.push_back({"leader_changed", std::move(data), std::move(text)});
  leader_ = view.leader;
  term_ = view.term;
  leaderless_since_.reset();
  lost_leader_ = 0;
  return events;
}

void LeaderWatch::node_stopped(std::uint64_t id, Clock::time_point now) {
  up_[id] = false;
  if (id == leader_) {
    lost_leader_ = leader_;
    leader_ = 0;
    leaderless_since_ = now;
  }
}

void LeaderWatch::node_started(std::uint64_t id) { up_[id] = true; }

}  // namespace meadow::shell
