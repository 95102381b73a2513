// `meadow node`: the command line of a Raft node process (CLI11), its validation, and running
// the node until SIGTERM/SIGINT. main.cpp registers it; nothing else here is public.
#pragma once

#include <CLI/CLI.hpp>

namespace meadow::node {

/// Adds the `node` subcommand to `app`. When it was given, run_node_command() runs it.
CLI::App* add_node_command(CLI::App& app);
/// Runs the node configured on the command line; returns the process exit code
/// (0 after a graceful stop, 1 for a start-up error, which is printed as one line).
int run_node_command();

}  // namespace meadow::node
