// One-line text forms of every protocol object, for logs, test failures and golden traces,
// e.g. "1->2 Append term=4 log=3/17 commit=16 entries=2" or "put#7 c=9f2a s=3 key=\"k\" 5B".
// Depends on the wire structs only.
#pragma once

#include <string>

#include "transport/wire.h"

namespace meadow::transport::wire {

std::string describe(const Entry& entry);
std::string describe(const RaftMessage& message);
std::string describe(const Request& request);
std::string describe(const Reply& reply);
std::string describe(const Body& body);
/// "v1 cluster=c sender=3 <body>"
std::string describe(const Envelope& envelope);
/// "too_large", "unavailable", ...: the error code as the JSON output and bench name it.
const char* error_name(ErrorCode code);
/// "add_learner", "promote" or "remove".
const char* membership_action_name(MembershipAction action);
/// "wrong_cluster: <detail>"
std::string describe(const DecodeError& error);

}  // namespace meadow::transport::wire
