#include "tests/jepsen/nemesis.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

namespace meadow::jepsen {

namespace wire = transport::wire;
using namespace std::chrono_literals;
using test::NodeId;

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kill: return "kill";
    case FaultKind::leader_kills: return "leader-kills";
    case FaultKind::kill_all: return "kill-all";
    case FaultKind::leader_isolation: return "leader-isolation";
    case FaultKind::split: return "split";
    case FaultKind::bridge: return "bridge";
    case FaultKind::one_way: return "one-way";
    case FaultKind::pause: return "pause";
    case FaultKind::delay: return "delay";
  }
  return "?";
}

bool parse_fault_kinds(const std::string& text, std::vector<FaultKind>& out, std::string& error) {
  out.clear();
  std::stringstream in(text);
  for (std::string name; std::getline(in, name, ',');) {
    if (name == "all") {
      out.assign(std::begin(kAllFaults), std::end(kAllFaults));
      continue;
    }
    const auto it = std::find_if(std::begin(kAllFaults), std::end(kAllFaults),
                                 [&](FaultKind k) { return to_string(k) == name; });
    if (it == std::end(kAllFaults)) {
      error = "unknown fault '" + name + "'; known: all";
      for (FaultKind k : kAllFaults) error += ", " + std::string(to_string(k));
      return false;
    }
    out.push_back(*it);
  }
  if (out.empty()) error = "no fault kinds given";
  return !out.empty();
}

Nemesis::Nemesis(test::TestCluster& cluster, std::uint64_t seed, std::vector<FaultKind> kinds,
                 std::chrono::steady_clock::time_point epoch, bool verbose)
    : cluster_(cluster), rng_(seed), kinds_(std::move(kinds)), epoch_(epoch), verbose_(verbose) {}

std::int64_t Nemesis::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              epoch_)
      .count();
}

void Nemesis::say(const std::string& line) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%7.3fs] ", static_cast<double>(now_ns()) / 1e9);
  log_.push_back(stamp + line);
  if (verbose_) std::cout << "nemesis " << log_.back() << std::endl;
}

void Nemesis::hold(std::chrono::milliseconds duration, const std::atomic<bool>& stop) {
  // The fault's duration is the experiment itself; stop cuts it short (a run's end).
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stop && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(20ms);
}

bool Nemesis::quorum_possible() const {
  // Some live node (a would-be leader) with bidirectional links to enough live peers that it
  // and they form a majority.
  const auto ids = cluster_.ids();
  const std::size_t majority = ids.size() / 2 + 1;
  auto alive = [&](NodeId n) { return !down_.count(n) && !paused_.count(n); };
  for (NodeId leader : ids) {
    if (!alive(leader)) continue;
    std::size_t reach = 1;
    for (NodeId peer : ids) {
      if (peer == leader || !alive(peer)) continue;
      if (!cut_.count({leader, peer}) && !cut_.count({peer, leader})) ++reach;
    }
    if (reach >= majority) return true;
  }
  return false;
}

void Nemesis::before_change() {
  if (!in_window_) return;
  windows_.back().to_ns = now_ns();
  in_window_ = false;
}

void Nemesis::after_change(const std::string& what) {
  say(what);
  if (in_window_ || quorum_possible()) return;
  windows_.push_back({now_ns(), 0, what});
  in_window_ = true;
}

NodeId Nemesis::random_node() {
  const auto ids = cluster_.ids();
  return ids[rng_.below(ids.size())];
}

NodeId Nemesis::leader() {
  // The node that says it leads in the highest term; 0 if none answers within a few seconds.
  for (int attempt = 0; attempt < 30; ++attempt) {
    NodeId best = 0;
    std::uint64_t best_term = 0;
    for (NodeId id : cluster_.ids()) {
      if (down_.count(id) || paused_.count(id)) continue;
      auto s = cluster_.status(id, 300ms);
      if (s && s->role == wire::Role::leader && s->term >= best_term) {
        best = id;
        best_term = s->term;
      }
    }
    if (best != 0) return best;
    std::this_thread::sleep_for(100ms);
  }
  return 0;
}

void Nemesis::kill(NodeId id) {
  before_change();
  cluster_.kill(id);
  paused_.erase(id);
  down_.insert(id);
  // A killed node forgets its injected faults; forget the links it cut.
  for (auto it = cut_.begin(); it != cut_.end();)
    it = it->first == id ? cut_.erase(it) : std::next(it);
  after_change("kill -9 node " + std::to_string(id));
}

void Nemesis::start(NodeId id) {
  before_change();
  cluster_.start(id);
  down_.erase(id);
  after_change("restart node " + std::to_string(id));
}

void Nemesis::pause(NodeId id) {
  before_change();
  cluster_.signal(id, SIGSTOP);
  paused_.insert(id);
  after_change("SIGSTOP node " + std::to_string(id));
}

bool Nemesis::send_fault(NodeId at, const wire::FaultRequest& request) {
  auto options = cluster_.client_options(at, 2s);
  options.attempt_timeout = 500ms;
  transport::Client client(options);
  return client.fault(0, request).ok();
}

void Nemesis::drop(NodeId at, const std::vector<NodeId>& peers, wire::FaultDirection direction) {
  if (peers.empty()) return;
  wire::FaultRequest request;
  request.action = wire::FaultAction::drop_peers;
  request.peers = peers;
  request.direction = direction;
  if (!send_fault(at, request)) {
    say("could not reach node " + std::to_string(at) + " to inject a fault");
    return;
  }
  for (NodeId p : peers) {
    if (direction != wire::FaultDirection::incoming) cut_.insert({at, p});
    if (direction != wire::FaultDirection::outgoing) cut_.insert({p, at});
  }
}

void Nemesis::partition(const std::vector<std::set<NodeId>>& groups) {
  // Every node drops (both ways) every node outside its own group(s): a node in two groups is
  // a bridge.
  before_change();
  std::string text;
  for (NodeId id : cluster_.ids()) {
    std::set<NodeId> sees = {id};
    for (const auto& g : groups)
      if (g.count(id)) sees.insert(g.begin(), g.end());
    std::vector<NodeId> cut;
    for (NodeId other : cluster_.ids())
      if (!sees.count(other)) cut.push_back(other);
    drop(id, cut, wire::FaultDirection::both);
  }
  for (const auto& g : groups) {
    text += text.empty() ? "{" : " | {";
    for (NodeId n : g) text += (text.back() == '{' ? "" : ",") + std::to_string(n);
    text += "}";
  }
  after_change("partition " + text);
}

bool Nemesis::heal_all(std::string& error) {
  before_change();
  for (NodeId id : std::vector<NodeId>(paused_.begin(), paused_.end()))
    cluster_.signal(id, SIGCONT);
  paused_.clear();
  for (NodeId id : std::vector<NodeId>(down_.begin(), down_.end())) cluster_.start(id);
  down_.clear();
  bool ok = true;
  for (NodeId id : cluster_.ids()) {
    // A node that just restarted has no faults; one that runs must confirm the clear.
    bool cleared = false;
    for (int attempt = 0; attempt < 10 && !cleared; ++attempt)
      cleared = send_fault(id, wire::FaultRequest{0, wire::FaultAction::clear, {}, {}, 0, 0});
    if (!cleared) {
      ok = false;
      error += "node " + std::to_string(id) + " did not confirm clearing its faults; ";
    }
  }
  cut_.clear();
  after_change("heal: all nodes up, all links clear");
  return ok;
}

void Nemesis::inject(FaultKind kind, const std::atomic<bool>& stop) {
  ++injected_[kind];
  const auto ids = cluster_.ids();
  const auto ms = [](std::int64_t v) { return std::chrono::milliseconds(v); };
  switch (kind) {
    case FaultKind::kill: {
      const NodeId victim = random_node();
      const auto down_for = ms(rng_.between(0, 3000));
      kill(victim);
      hold(down_for, stop);
      start(victim);
      break;
    }
    case FaultKind::leader_kills: {
      const int times = static_cast<int>(rng_.between(2, 3));
      for (int i = 0; i < times && !stop; ++i) {
        const auto down_for = ms(rng_.between(0, 1000));
        const NodeId victim = leader();
        if (victim == 0) {
          say("no leader to kill");
          break;
        }
        kill(victim);
        hold(down_for, stop);
        start(victim);
      }
      break;
    }
    case FaultKind::kill_all: {
      const auto down_for = ms(rng_.between(0, 3000));
      for (NodeId id : ids) kill(id);
      hold(down_for, stop);
      for (NodeId id : ids) start(id);
      break;
    }
    case FaultKind::leader_isolation: {
      const auto cut_for = ms(rng_.between(2000, 8000));
      const NodeId l = leader();
      if (l == 0) {
        say("no leader to isolate");
        break;
      }
      std::set<NodeId> rest(ids.begin(), ids.end());
      rest.erase(l);
      partition({{l}, rest});
      hold(cut_for, stop);
      break;
    }
    case FaultKind::split: {
      const auto cut_for = ms(rng_.between(2000, 8000));
      std::vector<NodeId> order = ids;
      for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng_.below(i)]);
      const std::size_t minority = (order.size() - 1) / 2;
      partition({std::set<NodeId>(order.begin(), order.begin() + static_cast<long>(minority)),
                 std::set<NodeId>(order.begin() + static_cast<long>(minority), order.end())});
      hold(cut_for, stop);
      break;
    }
    case FaultKind::bridge: {
      // 3 nodes: {a,b} {b,c} (a and c cut); 5 nodes: {a,b,c} {c,d,e}.
      const auto cut_for = ms(rng_.between(2000, 8000));
      std::vector<NodeId> order = ids;
      for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng_.below(i)]);
      const std::size_t mid = order.size() / 2;
      partition({std::set<NodeId>(order.begin(), order.begin() + static_cast<long>(mid) + 1),
                 std::set<NodeId>(order.begin() + static_cast<long>(mid), order.end())});
      hold(cut_for, stop);
      break;
    }
    case FaultKind::one_way: {
      const auto cut_for = ms(rng_.between(2000, 8000));
      // Half the time the leader: one that can hear but not be heard (or the reverse).
      NodeId victim = rng_.below(2) == 0 ? leader() : 0;
      if (victim == 0) victim = random_node();
      const auto direction =
          rng_.below(2) == 0 ? wire::FaultDirection::outgoing : wire::FaultDirection::incoming;
      std::vector<NodeId> others;
      for (NodeId id : ids)
        if (id != victim) others.push_back(id);
      before_change();
      drop(victim, others, direction);
      after_change("one-way: node " + std::to_string(victim) + " drops all " +
                   (direction == wire::FaultDirection::outgoing ? "outgoing" : "incoming"));
      hold(cut_for, stop);
      break;
    }
    case FaultKind::pause: {
      const auto paused_for = ms(rng_.between(2000, 10000));
      // A quarter of the time a majority of followers: the leader runs on alone, and must
      // acknowledge nothing (no write commits, no read confirms its leadership) meanwhile.
      // Otherwise one node, half the time the leader: resumed, it still believes it leads.
      const bool majority = rng_.below(4) == 0;
      const bool target_leader = rng_.below(2) == 0;
      std::vector<NodeId> order = ids;
      for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng_.below(i)]);
      if (const NodeId l = majority || target_leader ? leader() : 0; l != 0)
        std::swap(majority ? order.back() : order[0], *std::find(order.begin(), order.end(), l));
      const std::size_t count = majority ? ids.size() / 2 + 1 : 1;
      for (std::size_t i = 0; i < count; ++i) pause(order[i]);
      hold(paused_for, stop);
      break;
    }
    case FaultKind::delay: {
      const auto delay_for = ms(rng_.between(3000, 8000));
      const auto delay_ms = static_cast<std::uint32_t>(rng_.between(50, 500));
      const NodeId a = random_node();
      NodeId b = random_node();
      while (b == a) b = random_node();
      wire::FaultRequest request{0, wire::FaultAction::delay_peers, {b}, {}, delay_ms, 0};
      send_fault(a, request);
      request.peers = {a};
      send_fault(b, request);
      say("delay " + std::to_string(delay_ms) + " ms on link " + std::to_string(a) + "<->" +
          std::to_string(b));
      hold(delay_for, stop);
      break;
    }
  }
  std::string error;
  if (!heal_all(error)) say("heal: " + error);
}

void Nemesis::run(const std::atomic<bool>& stop) {
  while (!stop) {
    // A quiet spell first: the cluster recovers and clients make progress between faults.
    hold(std::chrono::milliseconds(rng_.between(1000, 2500)), stop);
    if (stop) break;
    inject(kinds_[rng_.below(kinds_.size())], stop);
  }
}

}  // namespace meadow::jepsen
