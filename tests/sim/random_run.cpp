#include "tests/sim/random_run.h"

#include <algorithm>
#include <vector>

#include "tests/sim/cluster.h"

namespace meadow::sim {

namespace {

template <typename T>
T pick(raft::Rng& rng, const std::vector<T>& options) {
  return options[rng.below(options.size())];
}

ClusterOptions options_for(std::uint64_t seed, bool trace) {
  raft::Rng setup(seed ^ 0x5eed5eed5eedULL);
  ClusterOptions o;
  o.seed = seed;
  o.trace = trace;
  o.nodes = setup.below(2) == 0 ? 3 : 5;
  o.drop_per_million = pick<std::uint32_t>(setup, {0, 10'000, 50'000, 150'000});
  o.duplicate_per_million = pick<std::uint32_t>(setup, {0, 20'000, 100'000});
  o.max_delay_ticks = pick<int>(setup, {1, 2, 3, 6});
  o.base.election_timeout_ticks_min = 10;
  o.base.election_timeout_ticks_max = 20;
  o.base.heartbeat_interval_ticks = 2;
  o.base.max_inflight_messages = pick<std::size_t>(setup, {1, 2, 4, 16});
  o.base.max_entries_per_message = pick<std::size_t>(setup, {1, 3, 8, 64});
  if (o.base.max_entries_per_message * o.base.max_inflight_messages < 3) {
    o.base.max_inflight_messages = 4;  // one entry per round trip is too slow to be useful
  }
  // Mostly the production settings, sometimes without CheckQuorum or PreVote: stale leaders
  // then live longer and elections disrupt more, which stresses the other mechanisms.
  o.base.check_quorum = setup.below(4) != 0;
  o.base.pre_vote = setup.below(5) != 0;
  // Clock drift: each node misses ticks at its own rate.
  for (std::size_t i = 0; i < o.nodes; ++i) {
    o.tick_skip_per_million.push_back(pick<std::uint32_t>(setup, {0, 30'000, 300'000}));
  }
  // Half the runs with the production settings also change the membership: five nodes, of
  // which 1, 3 or 5 start as voters. Removed nodes keep running (nobody stops them), which
  // CheckQuorum's vote lease and PreVote keep from disrupting (thesis §4.2.3).
  if (o.base.check_quorum && o.base.pre_vote && setup.below(2) == 0) {
    while (o.nodes < 5) {
      ++o.nodes;
      o.tick_skip_per_million.push_back(pick<std::uint32_t>(setup, {0, 30'000, 300'000}));
    }
    o.initial_voters = pick<std::size_t>(setup, {1, 3, 5});
  }
  return o;
}

bool committed_in_term(raft::RaftCore& core) {
  return core.log().term(core.commit_index()) == core.term();
}

/// A membership change an operator could ask for: add a non-member as learner, promote a
/// learner, remove a member; sometimes a random (possibly refused) one.
raft::ConfChange random_change(raft::Rng& rng, const raft::ClusterConfig& config, NodeId node) {
  using raft::ConfChangeType;
  // Added nodes carry an address, so configurations with addresses go through every path.
  const std::string address = "node-" + std::to_string(node);
  if (rng.below(8) == 0) return {static_cast<ConfChangeType>(rng.below(3)), node, address};
  if (config.is_learner(node)) {
    return {rng.below(4) == 0 ? ConfChangeType::remove : ConfChangeType::promote, node, {}};
  }
  if (config.is_voter(node)) return {ConfChangeType::remove, node, {}};
  return {ConfChangeType::add_learner, node, address};
}

void inject_faults(Cluster& c, int& writes, bool membership) {
  raft::Rng& rng = c.rng();
  for (NodeId id : c.ids()) {
    if (c.up(id)) {
      if (rng.chance(3'000)) {
        c.crash(id);
      } else if (rng.chance(1'500)) {
        c.crash_on_next_persist(id, rng.below(2) == 0 ? PersistCrash::before_write
                                                      : PersistCrash::after_write);
      }
    } else if (rng.chance(50'000)) {
      c.restart(id);
    }
    // Log compaction (Raft §7) keeping a short random tail: lagging or restarted nodes then
    // need snapshots, whose messages are dropped, duplicated and reordered like any other.
    if (c.up(id) && rng.chance(10'000)) {
      const Index applied = c.core(id).last_applied();
      c.compact(id, applied - std::min<Index>(applied, rng.below(4)));
    }
  }
  if (rng.chance(15'000)) {
    c.heal();
    switch (rng.below(4)) {
      case 0:
        c.note("heal");
        break;
      case 1: {  // a random split
        std::set<NodeId> side;
        for (NodeId id : c.ids()) {
          if (rng.below(2) == 0) side.insert(id);
        }
        c.isolate(side);
        c.note("partition random split");
        break;
      }
      case 2: {  // cut the newest leader off, alone or with one follower
        if (auto leader = c.newest_leader()) {
          std::set<NodeId> side{*leader};
          if (rng.below(2) == 0) side.insert(c.ids()[rng.below(c.ids().size())]);
          c.isolate(side);
          c.note("partition isolate leader " + std::to_string(*leader));
        }
        break;
      }
      default: {  // asymmetric: some directions only
        for (NodeId a : c.ids()) {
          for (NodeId b : c.ids()) {
            if (a != b && rng.below(4) == 0) c.block(a, b);
          }
        }
        c.note("partition asymmetric");
        break;
      }
    }
  }
  // Clients talk to whoever claims to lead, stale leaders included.
  const auto leaders = c.leaders();
  if (!leaders.empty()) {
    const NodeId target = leaders[rng.below(leaders.size())];
    if (rng.chance(300'000)) c.propose(target, "w" + std::to_string(++writes));
    if (rng.chance(150'000)) c.read(target);
    if (membership && rng.chance(10'000) && c.up(target)) {
      const NodeId node = c.ids()[rng.below(c.ids().size())];
      c.change_membership(target, random_change(rng, c.core(target).membership(), node));
    }
    if (rng.chance(5'000) && c.up(target)) {
      const NodeId to = c.ids()[rng.below(c.ids().size())];
      c.note("transfer " + std::to_string(target) + "->" + std::to_string(to));
      c.core(target).transfer_leadership(to);
    }
  }
}

std::string membership_summary(Cluster& c) {
  const auto leader = c.newest_leader();
  if (!leader) return "";
  const raft::ClusterConfig& config = c.core(*leader).membership();
  return " config=" + raft::encode_cluster_config(config) +
         " changes=" + std::to_string(c.membership_changes());
}

/// The nodes the healed cluster must bring along: the members of `leader`'s configuration
/// (every node when there is no leader yet). Removed nodes are left alone.
std::vector<NodeId> members_of(Cluster& c, std::optional<NodeId> leader) {
  if (!leader) return c.ids();
  return c.core(*leader).membership().members();
}

std::string summarize(Cluster& c, std::uint64_t seed, const ClusterOptions& options) {
  std::uint64_t elections = 0;
  Term max_term = 0;
  for (NodeId id : c.ids()) {
    if (!c.up(id)) continue;
    elections += c.core(id).counters().elections_started;
    max_term = std::max(max_term, c.core(id).term());
  }
  const auto& cfg = options.base;
  return "seed " + std::to_string(seed) + ": nodes=" + std::to_string(c.ids().size()) +
         " check_quorum=" + std::to_string(cfg.check_quorum) +
         " pre_vote=" + std::to_string(cfg.pre_vote) +
         " ticks=" + std::to_string(c.now()) + " term=" + std::to_string(max_term) +
         " committed=" + std::to_string(c.checker().committed_count()) +
         " acked=" + std::to_string(c.acked_count()) +
         " reads=" + std::to_string(c.reads_served()) +
         " crashes=" + std::to_string(c.crashes()) +
         " appends=" + std::to_string(c.delivered(raft::MessageType::append)) +
         " snapshots=" + std::to_string(c.snapshots_installed()) + membership_summary(c);
}

}  // namespace

RunResult run_seed(std::uint64_t seed, bool trace) {
  const ClusterOptions options = options_for(seed, trace);
  Cluster c(options);
  RunResult result;
  const auto finish = [&](std::optional<std::string> failure) {
    if (failure) c.checker().fail(*failure);
    result.failure = c.checker().failure();
    result.summary = summarize(c, seed, options);
    for (const auto& line : c.trace()) result.trace += line + "\n";
    return result;
  };

  // ---- fault phase ----
  int writes = 0;
  raft::Rng& rng = c.rng();
  for (int t = 0; t < kFaultTicks; ++t) {
    inject_faults(c, writes, options.initial_voters != 0);
    std::set<NodeId> skip;  // clock drift: a node misses ticks at its own rate
    for (NodeId id : c.ids()) {
      if (rng.chance(options.tick_skip_per_million[id - 1])) skip.insert(id);
    }
    c.step_time(skip);
    if (!c.checker().ok()) return finish(std::nullopt);
  }

  // ---- liveness phase: faults stop ----
  c.note("liveness phase");
  c.heal();
  c.set_drop(0);
  c.set_duplicate(0);
  // A healthy network: round trips well below the election timeout (Raft §5.6 timing).
  c.set_max_delay(2);
  for (NodeId id : c.ids()) {
    c.crash_on_next_persist(id, PersistCrash::none);
    c.restart(id);
  }
  Index backlog = 0;
  for (NodeId id : c.ids()) backlog = std::max(backlog, c.storage(id).last_index());
  const int bound = kLivenessBaseTicks +
                    static_cast<int>(backlog * kLivenessTicksPerEntry /
                                     (options.base.max_entries_per_message *
                                      options.base.max_inflight_messages));
  // Stable: every node follows the same leader, which committed in its term, for a whole
  // maximum election timeout (so a leader about to fail CheckQuorum does not count).
  std::optional<NodeId> leader;
  int stable_for = 0;
  const int kStableTicks = 20;
  for (int t = 0; t < bound && stable_for < kStableTicks; ++t) {
    c.step_time();
    if (!c.checker().ok()) return finish(std::nullopt);
    auto candidate = c.newest_leader();
    bool agreed = candidate && committed_in_term(c.core(*candidate));
    for (NodeId id : members_of(c, candidate)) {
      agreed = agreed && c.up(id) && c.core(id).leader() == *candidate;
    }
    stable_for = agreed && candidate == leader ? stable_for + 1 : 0;
    leader = agreed ? candidate : std::nullopt;
  }
  if (stable_for < kStableTicks) {
    return finish("liveness: no leader known to all nodes within " +
                  std::to_string(bound) + " ticks of healing");
  }
  // Every write and read issued from now on must complete. A client retries a refused
  // request (e.g. a leadership transfer from the fault phase is still running) next tick.
  std::vector<std::string> post_heal;
  std::vector<std::uint64_t> reads;
  for (int t = 0; t < bound && post_heal.size() < 5; ++t) {
    if (auto l = c.newest_leader()) {
      const std::string data = "live" + std::to_string(post_heal.size());
      if (c.propose(*l, data).status == raft::Status::ok) post_heal.push_back(data);
      if (auto id = c.read(*l)) reads.push_back(*id);
    }
    c.step_time();
  }
  if (post_heal.size() < 5) return finish("liveness: the healed cluster kept refusing writes");
  bool done = false;
  for (int t = 0; t < bound && !done; ++t) {
    c.step_time();
    if (!c.checker().ok()) return finish(std::nullopt);
    done = true;
    for (const auto& w : post_heal) done = done && c.acked(w);
    for (auto id : reads) done = done && c.read_served(id);
    const auto l = c.newest_leader();
    const Index commit = l ? c.core(*l).commit_index() : 0;
    for (NodeId id : members_of(c, l)) {
      done = done && c.up(id) && c.core(id).last_applied() == commit;
    }
  }
  if (!done) {
    std::string missing;
    for (const auto& w : post_heal) {
      if (!c.acked(w)) missing += " write " + w;
    }
    for (auto id : reads) {
      if (!c.read_served(id)) missing += " read r" + std::to_string(id);
    }
    for (NodeId id : c.ids()) {
      if (!c.up(id)) {
        missing += " node " + std::to_string(id) + " down";
      } else {
        missing += " node " + std::to_string(id) + " applied " +
                   std::to_string(c.core(id).last_applied());
      }
    }
    return finish("liveness: not complete within " + std::to_string(bound) +
                  " ticks of the last post-heal request:" + missing);
  }
  return finish(std::nullopt);
}

}  // namespace meadow::sim
