#include "node/runtime/raft_codec.h"

namespace meadow::node {

namespace wire = transport::wire;

namespace {

// The two enum pairs must stay numerically identical; these catch a drift at compile time.
static_assert(static_cast<int>(wire::RaftMessageType::snapshot_response) ==
              static_cast<int>(raft::MessageType::snapshot_response));
static_assert(static_cast<int>(wire::RaftMessageType::timeout_now) ==
              static_cast<int>(raft::MessageType::timeout_now));
static_assert(static_cast<int>(wire::EntryKind::config) ==
              static_cast<int>(raft::EntryKind::config));

}  // namespace

wire::RaftMessage to_wire(const raft::Message& m) {
  wire::RaftMessage w;
  w.type = static_cast<wire::RaftMessageType>(m.type);
  w.from = m.from;
  w.to = m.to;
  w.term = m.term;
  w.log_term = m.log_term;
  w.index = m.index;
  w.entries.reserve(m.entries.size());
  for (const auto& e : m.entries)
    w.entries.push_back({e.term, e.index, static_cast<wire::EntryKind>(e.kind), e.data});
  w.commit = m.commit;
  w.reject = m.reject;
  w.reject_hint = m.reject_hint;
  w.context = m.context;
  return w;
}

raft::Message from_wire(const wire::RaftMessage& w) {
  raft::Message m;
  m.type = static_cast<raft::MessageType>(w.type);
  m.from = w.from;
  m.to = w.to;
  m.term = w.term;
  m.log_term = w.log_term;
  m.index = w.index;
  m.entries.reserve(w.entries.size());
  for (const auto& e : w.entries)
    m.entries.push_back({e.term, e.index, static_cast<raft::EntryKind>(e.kind), e.data});
  m.commit = w.commit;
  m.reject = w.reject;
  m.reject_hint = w.reject_hint;
  m.context = w.context;
  return m;
}

}  // namespace meadow::node
