// Seeded random generation of every wire body, for property-style round-trip and fuzz tests.
// Our own SplitMix64 so a seed reproduces the same bodies with any standard library.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "common/assert.h"
#include "transport/wire.h"

namespace meadow::transport::test {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  bool coin() { return (next() & 1) != 0; }
  /// Mostly small numbers, sometimes the extremes (msgpack picks encodings by magnitude).
  std::uint64_t u64() {
    switch (below(4)) {
      case 0: return below(128);
      case 1: return below(70000);
      case 2: return next();
      default: return coin() ? 0 : ~std::uint64_t{0};
    }
  }
  std::string bytes(std::size_t max_len) {
    std::string s(below(max_len + 1), '\0');
    for (char& c : s) c = static_cast<char>(next());
    return s;
  }

 private:
  std::uint64_t state_;
};

template <typename E>
E random_enum(Rng& rng, E last) {
  return static_cast<E>(rng.below(static_cast<std::uint64_t>(last) + 1));
}

inline wire::Entry random_entry(Rng& rng) {
  return wire::Entry{rng.u64(), rng.u64(), random_enum(rng, wire::kLastEntryKind),
                     rng.bytes(40)};
}

inline wire::ReadInfo random_read(Rng& rng) {
  return wire::ReadInfo{rng.u64(), rng.u64(), rng.coin()};
}

inline wire::RaftMessage random_raft(Rng& rng) {
  wire::RaftMessage m;
  m.type = random_enum(rng, wire::kLastRaftMessageType);
  m.from = rng.u64();
  m.to = rng.u64();
  m.term = rng.u64();
  m.log_term = rng.u64();
  m.index = rng.u64();
  for (std::uint64_t i = rng.below(5); i > 0; --i) m.entries.push_back(random_entry(rng));
  m.commit = rng.u64();
  m.reject = rng.coin();
  m.reject_hint = rng.u64();
  m.context = rng.bytes(16);
  return m;
}

/// The index of alternative T in wire::Body (a compile error if T is not one).
template <typename T, std::size_t I = 0>
constexpr std::size_t body_index() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, wire::Body>, T>) {
    return I;
  } else {
    return body_index<T, I + 1>();
  }
}

/// A random body of alternative `index` of wire::Body. Cases are named by type, so adding a
/// message type anywhere in Body cannot shift them; an index without a case fails loudly.
inline wire::Body random_body(Rng& rng, std::size_t index) {
  using namespace wire;
  switch (index) {
    case body_index<RaftMessage>(): return random_raft(rng);
    case body_index<PutRequest>():
      return PutRequest{rng.u64(), rng.u64(), rng.u64(), rng.bytes(20), rng.bytes(60)};
    case body_index<DeleteRequest>():
      return DeleteRequest{rng.u64(), rng.u64(), rng.u64(), rng.bytes(20)};
    case body_index<GetRequest>():
      return GetRequest{rng.u64(), rng.bytes(20), random_enum(rng, ReadConsistency::stale)};
    case body_index<ScanRequest>():
      return ScanRequest{rng.u64(), random_enum(rng, ScanMode::range), rng.bytes(10),
                         rng.bytes(10), static_cast<std::uint32_t>(rng.next()),
                         random_enum(rng, ReadConsistency::stale)};
    case body_index<StatusRequest>(): return StatusRequest{rng.u64()};
    case body_index<FaultRequest>(): {
      FaultRequest f{rng.u64(), random_enum(rng, FaultAction::clear), {},
                     random_enum(rng, FaultDirection::incoming),
                     static_cast<std::uint32_t>(rng.next()),
                     static_cast<std::uint32_t>(rng.next()),
                     static_cast<std::uint32_t>(rng.next())};
      for (std::uint64_t i = rng.below(4); i > 0; --i) f.peers.push_back(rng.u64());
      return f;
    }
    case body_index<SnapshotRequest>(): return SnapshotRequest{rng.u64()};
    case body_index<MembershipRequest>():
      return MembershipRequest{rng.u64(), random_enum(rng, MembershipAction::remove), rng.u64(),
                               rng.bytes(30), rng.bytes(30)};
    case body_index<TransferLeaderRequest>(): return TransferLeaderRequest{rng.u64(), rng.u64()};
    case body_index<LogRequest>():
      return LogRequest{rng.u64(), rng.u64(), static_cast<std::uint32_t>(rng.next())};
    case body_index<SqlRequest>():
      return SqlRequest{rng.u64(), rng.bytes(60), static_cast<std::uint32_t>(rng.next())};
    case body_index<OkReply>(): return OkReply{rng.u64(), rng.u64(), rng.u64(), rng.u64()};
    case body_index<ValueReply>(): return ValueReply{rng.u64(), rng.bytes(60), random_read(rng)};
    case body_index<NotFoundReply>(): return NotFoundReply{rng.u64(), random_read(rng)};
    case body_index<NotLeaderReply>(): return NotLeaderReply{rng.u64(), rng.u64(), rng.bytes(30)};
    case body_index<ErrorReply>():
      return ErrorReply{rng.u64(), random_enum(rng, ErrorCode::conflict), rng.bytes(30)};
    case body_index<ScanReply>(): {
      ScanReply r{rng.u64(), {}, rng.coin(), random_read(rng)};
      for (std::uint64_t i = rng.below(6); i > 0; --i) {
        r.items.push_back(KeyValue{rng.bytes(12), rng.bytes(30)});
      }
      return r;
    }
    case body_index<LogReply>(): {
      LogReply r{rng.u64(), rng.u64(), rng.u64(), rng.u64(), rng.u64(), rng.u64(), {}};
      for (std::uint64_t i = rng.below(5); i > 0; --i) {
        r.entries.push_back(LogEntryInfo{rng.u64(), rng.u64(), rng.bytes(20)});
      }
      return r;
    }
    case body_index<SqlReply>(): {
      SqlReply r{rng.u64(), {}, {}, rng.coin()};
      for (std::uint64_t i = rng.below(4); i > 0; --i) r.columns.push_back(rng.bytes(8));
      for (std::uint64_t i = rng.below(4); i > 0; --i) {
        r.rows.push_back({rng.bytes(10), rng.bytes(10)});
      }
      return r;
    }
    case body_index<StatusReply>(): {
      StatusReply s;
      s.request_id = rng.u64();
      s.node_id = rng.u64();
      s.role = random_enum(rng, Role::pre_candidate);
      s.term = rng.u64();
      s.leader_id = rng.u64();
      s.commit_index = rng.u64();
      s.last_applied = rng.u64();
      s.last_index = rng.u64();
      for (std::uint64_t i = rng.below(5); i > 0; --i) {
        s.peers.push_back(PeerStatus{rng.u64(), rng.u64(), rng.u64(),
                                     static_cast<std::int64_t>(rng.next())});
      }
      s.durability = rng.bytes(20);
      for (std::uint64_t i = rng.below(6); i > 0; --i) s.counters[rng.bytes(12)] = rng.u64();
      s.uptime_ms = rng.u64();
      s.pid = rng.u64();
      s.faults = rng.bytes(20);
      for (std::uint64_t i = rng.below(5); i > 0; --i) {
        s.members.push_back(MemberInfo{rng.u64(), rng.below(2) == 1, rng.bytes(30), rng.bytes(30)});
      }
      s.membership_index = rng.u64();
      return s;
    }
    default:
      // A new wire::Body alternative needs a case above.
      MEADOW_ASSERT(false && "random_body: no generator for this wire::Body alternative");
      return random_raft(rng);
  }
}

/// True if alternative `index` of wire::Body is a client request (an alternative of Request).
template <std::size_t... I>
bool is_request_index(std::size_t index, std::index_sequence<I...>) {
  return ((index == I &&
           std::is_constructible_v<wire::Request, std::variant_alternative_t<I, wire::Body>>) ||
          ...);
}
inline bool is_request_index(std::size_t index) {
  return is_request_index(index, std::make_index_sequence<std::variant_size_v<wire::Body>>{});
}

}  // namespace meadow::transport::test
