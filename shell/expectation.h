// Expectation: one `expect ...` line of a scenario script, parsed. Pure (no I/O), tested from
// tables; scenario_commands.cpp evaluates it against the cluster, retrying until `within`.
//   expect leader == 2 | != 1 | == none | != none   [within 2s]; != N needs some leader
//   expect get KEY == VALUE | != VALUE | == missing   [within D]
//   expect status N FIELD == VALUE | != VALUE    [within D]
//   expect converged                              [within D]
//   expect fails COMMAND ARGS...                  (the command must fail)
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meadow::shell {

struct Expectation {
  enum class Kind { leader, get, status, converged, fails };
  Kind kind = Kind::leader;
  bool equal = true;                     ///< == (true) or != (false)
  std::string subject;                   ///< get: the key; status: the field
  std::string node;                      ///< status: the node id as written
  std::string value;                     ///< the expected (or refused) value
  std::chrono::milliseconds within{0};   ///< 0 = check once
  std::vector<std::string> command;      ///< fails: the command line
  std::string text;                      ///< the expectation as written (for messages)
};

/// Status fields `expect status` knows: role, term, leader, commit_index, last_applied,
/// last_index, state, faults (commit, applied, last are accepted as short names).
const std::vector<std::string>& status_fields();
/// The canonical name of `field` (e.g. "commit" -> "commit_index"), or "" if unknown.
std::string canonical_status_field(const std::string& field);

/// `args` are the words after `expect`. nullopt + one-line `error` if malformed.
std::optional<Expectation> parse_expectation(const std::vector<std::string>& args,
                                             std::string& error);

}  // namespace meadow::shell
