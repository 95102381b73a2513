// Injected faults for experiments: drop traffic to/from chosen peers, drop a percentage of
// outgoing messages (seeded, reproducible), delay outgoing messages to chosen peers. Pure
// bookkeeping (no sockets, no clock): PeerTransport consults it. Depends on the wire structs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "transport/wire_client.h"

namespace meadow::transport {

class FaultFilter {
 public:
  /// `seed` drives the random drops; the same seed and calls give the same decisions.
  explicit FaultFilter(std::uint64_t seed = 1);

  /// Drop all messages to / from `peer` (until clear()).
  void drop_outgoing(wire::NodeId peer);
  void drop_incoming(wire::NodeId peer);
  /// Hold outgoing messages to `peer` for `delay_ms` ms, plus a random extra in
  /// [0, jitter_ms] drawn per message (so messages may overtake each other); 0 removes it.
  void set_delay(wire::NodeId peer, std::uint32_t delay_ms, std::uint32_t jitter_ms = 0);
  /// Drop `percent` in [0, 100] of outgoing messages. Precondition: percent <= 100.
  void set_drop_percent(std::uint32_t percent);
  /// Removes every fault (the random sequence continues; it is not reseeded).
  void clear();

  /// Applies a client's FaultRequest. Returns an error text (and changes nothing) if the
  /// request is invalid (percent > 100, no peers for drop/delay, peer == self); else nullopt.
  std::optional<std::string> apply(const wire::FaultRequest& request, wire::NodeId self);

  /// Decisions, called once per message.
  bool drops_outgoing(wire::NodeId peer) const;
  bool drops_incoming(wire::NodeId peer) const;
  /// Draws from the seeded generator: true with the configured probability.
  bool drops_randomly();
  /// Base delay for messages to `peer`, 0 if none.
  std::uint32_t delay_ms(wire::NodeId peer) const;
  /// The delay of one message to `peer`: the base plus a jitter drawn from the seeded
  /// generator; 0 if no delay is set.
  std::uint32_t draw_delay_ms(wire::NodeId peer);

  /// True if any fault is configured.
  bool active() const;
  /// "drop_out={2,3} drop_in={} delay={2:50ms,3:50±20ms} drop=10%"
  std::string describe() const;
  /// describe() when a fault is in force, else "" (what StatusReply::faults carries).
  std::string in_force() const { return active() ? describe() : std::string(); }

 private:
  std::uint64_t next_random();

  std::uint64_t rng_state_;
  std::set<wire::NodeId> drop_outgoing_;
  std::set<wire::NodeId> drop_incoming_;
  struct Delay {
    std::uint32_t base_ms = 0;
    std::uint32_t jitter_ms = 0;
  };
  std::map<wire::NodeId, Delay> delay_ms_;
  std::uint32_t drop_percent_ = 0;
};

}  // namespace meadow::transport
