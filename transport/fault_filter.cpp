// Fault bookkeeping. Random drops use SplitMix64 (our own generator: std distributions differ
// between standard libraries, and a seed must replay the same drops everywhere).
#include "transport/fault_filter.h"

#include "common/assert.h"

namespace meadow::transport {
namespace {
// An hour: longer delays only fill the delay queue (bounded anyway) and look like typos.
constexpr std::uint32_t kMaxDelayMs = 3'600'000;
}  // namespace

FaultFilter::FaultFilter(std::uint64_t seed) : rng_state_(seed) {}

void FaultFilter::drop_outgoing(wire::NodeId peer) { drop_outgoing_.insert(peer); }

void FaultFilter::drop_incoming(wire::NodeId peer) { drop_incoming_.insert(peer); }

void FaultFilter::set_delay(wire::NodeId peer, std::uint32_t delay_ms, std::uint32_t jitter_ms) {
  if (delay_ms == 0 && jitter_ms == 0) {
    delay_ms_.erase(peer);
  } else {
    delay_ms_[peer] = {delay_ms, jitter_ms};
  }
}

void FaultFilter::set_drop_percent(std::uint32_t percent) {
  MEADOW_ASSERT(percent <= 100);
  drop_percent_ = percent;
}

void FaultFilter::clear() {
  drop_outgoing_.clear();
  drop_incoming_.clear();
  delay_ms_.clear();
  drop_percent_ = 0;
}

std::optional<std::string> FaultFilter::apply(const wire::FaultRequest& request,
                                              wire::NodeId self) {
  const bool needs_peers = request.action == wire::FaultAction::drop_peers ||
                           request.action == wire::FaultAction::delay_peers;
  if (needs_peers) {
    if (request.peers.empty()) return "no peers given";
    for (const wire::NodeId peer : request.peers) {
      if (peer == wire::kNoNode) return "peer id 0 is not a node";
      if (peer == self) return "peer " + std::to_string(peer) + " is this node";
    }
  }
  switch (request.action) {
    case wire::FaultAction::drop_peers:
      for (const wire::NodeId peer : request.peers) {
        if (request.direction != wire::FaultDirection::incoming) drop_outgoing(peer);
        if (request.direction != wire::FaultDirection::outgoing) drop_incoming(peer);
      }
      return std::nullopt;
    case wire::FaultAction::delay_peers:
      if (request.delay_ms > kMaxDelayMs || request.jitter_ms > kMaxDelayMs)
        return "delay and jitter must be at most " + std::to_string(kMaxDelayMs) + " ms";
      for (const wire::NodeId peer : request.peers)
        set_delay(peer, request.delay_ms, request.jitter_ms);
      return std::nullopt;
    case wire::FaultAction::drop_percent:
      if (request.drop_percent > 100) {
        return "drop percentage " + std::to_string(request.drop_percent) + " is above 100";
      }
      set_drop_percent(request.drop_percent);
      return std::nullopt;
    case wire::FaultAction::clear:
      clear();
      return std::nullopt;
  }
  return "unknown fault action";
}

bool FaultFilter::drops_outgoing(wire::NodeId peer) const {
  return drop_outgoing_.count(peer) != 0;
}

bool FaultFilter::drops_incoming(wire::NodeId peer) const {
  return drop_incoming_.count(peer) != 0;
}

bool FaultFilter::drops_randomly() {
  if (drop_percent_ == 0) return false;
  return next_random() % 100 < drop_percent_;
}

std::uint32_t FaultFilter::delay_ms(wire::NodeId peer) const {
  const auto it = delay_ms_.find(peer);
  return it == delay_ms_.end() ? 0 : it->second.base_ms;
}

std::uint32_t FaultFilter::draw_delay_ms(wire::NodeId peer) {
  const auto it = delay_ms_.find(peer);
  if (it == delay_ms_.end()) return 0;
  const Delay d = it->second;
  if (d.jitter_ms == 0) return d.base_ms;
  return d.base_ms + static_cast<std::uint32_t>(next_random() % (std::uint64_t{d.jitter_ms} + 1));
}

bool FaultFilter::active() const {
  return !drop_outgoing_.empty() || !drop_incoming_.empty() || !delay_ms_.empty() ||
         drop_percent_ != 0;
}

std::string FaultFilter::describe() const {
  const auto list = [](const std::set<wire::NodeId>& ids) {
    std::string out = "{";
    for (const wire::NodeId id : ids) {
      if (out.size() > 1) out += ",";
      out += std::to_string(id);
    }
    return out + "}";
  };
  std::string delays = "{";
  for (const auto& [peer, d] : delay_ms_) {
    if (delays.size() > 1) delays += ",";
    delays += std::to_string(peer) + ":" + std::to_string(d.base_ms);
    if (d.jitter_ms != 0) delays += "±" + std::to_string(d.jitter_ms);
    delays += "ms";
  }
  delays += "}";
  return "drop_out=" + list(drop_outgoing_) + " drop_in=" + list(drop_incoming_) +
         " delay=" + delays + " drop=" + std::to_string(drop_percent_) + "%";
}

std::uint64_t FaultFilter::next_random() {
  // SplitMix64 (Steele, Lea, Flood 2014).
  std::uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace meadow::transport
