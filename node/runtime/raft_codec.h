// Converts Raft messages between the core's vocabulary (node/raft/types.h) and the wire mirror
// (transport/wire_raft.h). Field by field; the enums share their integer values, and the wire
// decoder has already checked their ranges.
#pragma once

#include "node/raft/types.h"
#include "transport/wire_raft.h"

namespace meadow::node {

transport::wire::RaftMessage to_wire(const raft::Message& message);
raft::Message from_wire(const transport::wire::RaftMessage& message);

}  // namespace meadow::node
