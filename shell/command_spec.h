// The shape of a shell command: one CommandSpec row per command gives its name, help texts,
// arity, options and completion, and the handler that runs it. The rows live in
// command_table.cpp; parsing an argument list against a row is the pure parse_invocation().
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shell/command_result.h"

namespace meadow::shell {

class Session;

/// What tab completion offers for a command's first positional argument.
enum class ArgCompletion { none, command, node_id };

/// One `--name [VALUE]` option of a command.
struct FlagSpec {
  std::string_view name;        ///< with the dashes, e.g. "--from"
  std::string_view value_name;  ///< e.g. "N"; empty = a switch without a value
  bool completes_node_id = false;  ///< its value is a node id (tab completion)
};

/// A parsed command line: positionals and options, all as bytes.
struct Invocation {
  std::string command;
  std::vector<std::string> args;               ///< positionals
  std::map<std::string, std::string> flags;    ///< "--from" -> "2", "--stale" -> ""
  bool has(std::string_view flag) const { return flags.count(std::string(flag)) > 0; }
};

using Handler = CommandResult (*)(Session&, const Invocation&);

struct CommandSpec {
  std::string_view name;
  std::string_view usage;    ///< e.g. "get KEY [--from N] [--stale]"
  std::string_view summary;  ///< one line for `help`
  std::string_view help;     ///< paragraph for `help NAME`
  std::size_t min_args = 0;  ///< positionals, [min_args, max_args]
  std::size_t max_args = 0;
  ArgCompletion completion = ArgCompletion::none;
  std::vector<FlagSpec> flags;
  bool one_shot = false;     ///< also a `meadow NAME ...` one-shot subcommand
  Handler handler = nullptr;
  std::vector<std::string_view> aliases;  ///< other names that run it (not completed)
  bool raw_args = false;  ///< every word is a positional (expect fails CMD --opt passes --opt on)
};

/// Every command, in the order `help` lists them.
const std::vector<CommandSpec>& command_table();
/// The row named `name` or having it as an alias (exact), or nullptr.
const CommandSpec* find_command(std::string_view name);

/// Parses `args` (args[0] is the command name) against `spec`: options (words starting with
/// "--") may appear anywhere, a lone `--` ends options, option values are the next argument. On error returns nullopt and sets
/// `error` to one line (unknown option, missing value, wrong number of arguments + usage).
std::optional<Invocation> parse_invocation(const CommandSpec& spec,
                                           const std::vector<std::string>& args,
                                           std::string& error);

}  // namespace meadow::shell
