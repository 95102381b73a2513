// `meadow bench`: its command line (CLI11) and running it — spawn a local cluster through the
// shell's launcher (or use an existing one via --attach / --connect), drive the workload, print
// progress and the report. main.cpp registers it. Depends on bench's units, shell's launcher
// and JSON, and the transport client.
#pragma once

#include <CLI/CLI.hpp>

namespace meadow::bench {

/// Adds the `bench` subcommand to `app`; when it was given, run_bench_command() runs it.
CLI::App* add_bench_command(CLI::App& app);
/// Runs the benchmark configured on the command line. Exit code 0 if every request succeeded,
/// 1 if some failed (the report says which), 2 on a start-up error.
int run_bench_command();

}  // namespace meadow::bench
