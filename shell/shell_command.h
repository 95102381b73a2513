// `meadow shell` and the one-shot commands (`meadow put|get|delete|scan|status ...`): their
// command lines (CLI11) and running them. main.cpp registers them; nothing else here is public.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "transport/client.h"

namespace meadow::shell {

/// Adds the `shell` subcommand to `app`; when it was given, run_shell_command() runs it.
CLI::App* add_shell_command(CLI::App& app);
/// Runs the shell configured on the command line; returns the exit code (0, or 1 on a start-up
/// error or — with -c or a stdin script — if any command failed).
int run_shell_command(std::string_view version);

/// `dir` absolute, without `..` or symlinks: the one spelling of a cluster directory, since the
/// launcher recognises its nodes by the data dir on their command line. Shared with bench.
std::string absolute_dir(const std::string& dir);

/// Parses a --connect list (tcp://HOST:PORT,... or ID=tcp://...,...; ids default to 1, 2, ...).
/// nullopt and a one-line `error` on a malformed list. Shared with `meadow bench`.
std::optional<std::vector<transport::ClientEndpoint>> parse_connect(const std::string& text,
                                                                    std::string& error);

/// Adds one subcommand per one-shot row of the command table (put, get, delete, scan, status).
std::vector<CLI::App*> add_one_shot_commands(CLI::App& app);
/// Runs the one-shot command `command` (one returned by add_one_shot_commands); exit code 0 on
/// success, 1 on error.
int run_one_shot_command(const CLI::App& command);

}  // namespace meadow::shell
