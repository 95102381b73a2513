// The end of a Jepsen-style run, shared by every run shape: read each node's key-value state on
// its own (a stale scan: what it applied, no redirect), compare the states, and append the
// agreed state to the history as one last read per key so the checker judges it too. Depends
// on transport/client and the history only (no cluster type: callers pass client options).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/jepsen/history.h"
#include "transport/client.h"

namespace meadow::jepsen {

using KeyState = std::map<std::string, std::string>;

/// Every key under `prefix` as the node at `one_node.endpoints[0]` holds it (only that node is
/// asked). nullopt if it does not answer or the scan was cut short.
std::optional<KeyState> read_node_state(transport::ClientOptions one_node,
                                        const std::string& prefix);

/// A node's answer to a status request (nullopt: none in time).
struct NodeStatus {
  std::uint64_t id = 0;
  std::optional<transport::wire::StatusReply> status;
};

/// True if every node answered and all report the same commit, applied and last index with
/// nothing left to apply (converged after healing); `view` says what each reported.
bool same_indexes(const std::vector<NodeStatus>& statuses, std::string& view);

/// Up to five differing keys of `a` and `b`, one per indented line ("" if equal).
std::string diff_states(const KeyState& a, const KeyState& b);

/// Appends one get per key of the history or of `final_state`, returning the final value, at
/// time `at_ns` (after every client op), with process -1 and `note` as its note.
void append_final_reads(std::vector<Op>& history, const KeyState& final_state,
                        std::int64_t at_ns, const std::string& note);

}  // namespace meadow::jepsen
