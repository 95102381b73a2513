// One-line text forms of the Raft protocol objects (etcd util.go style), for logs, test
// failures and golden traces, e.g. `1->2 vote term=4 log=3/17`. Standard library only.
#pragma once

#include <string>

#include "node/raft/ready.h"
#include "node/raft/state.h"
#include "node/raft/types.h"

namespace meadow::raft {

const char* message_type_name(MessageType type);
const char* entry_kind_name(EntryKind kind);

/// `3/17 normal "set x=1"` (term/index kind data; long data is shortened).
std::string describe(const Entry& entry);
/// `1->2 append term=4 log=3/17 commit=16 entries=[4/18 noop]`; fields shown depend on type.
std::string describe(const Message& message);
/// `term=4 vote=2 commit=17`
std::string describe(const HardState& hard_state);
/// `leader=2 role=follower`
std::string describe(const SoftState& soft_state);
/// `hs=(...) entries=2[18..19] apply=1[18..18] msgs=3 reads=0`
std::string describe(const Ready& ready);

}  // namespace meadow::raft
