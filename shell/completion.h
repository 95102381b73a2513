// Tab completion and did-you-mean for the shell: pure functions over the command table, tested
// from tables. The libedit glue that calls them lives in line_editor.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shell/command_spec.h"

namespace meadow::shell {

/// Candidates for the word being typed at the end of `line_before_cursor`: command names for the
/// first word; for later words the command's options (when the word starts with "-"), node ids
/// (first argument of kill/stop/start/restart/logs, value of --from) or command names (help).
/// Sorted, without duplicates; empty if nothing fits or the line does not split (open quote).
std::vector<std::string> complete(std::string_view line_before_cursor,
                                  const std::vector<CommandSpec>& table,
                                  const std::vector<std::uint64_t>& node_ids);

/// Levenshtein distance between two byte strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The command name closest to `word` if it is close enough to be a likely typo (distance at
/// most 2, and less than the length of `word`), else nullopt. Ties go to the earlier row.
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<CommandSpec>& table);

}  // namespace meadow::shell
