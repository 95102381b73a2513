// meadow: one executable, one subcommand per role (node, shell, one-shot client commands,
// bench). Each subcommand is registered by the layer that owns it; this file only wires them.
#include "meadow_version.h"
#include "bench/bench_command.h"
#include "node/runtime/node_command.h"
#include "shell/shell_command.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"Meadow: a Raft key-value store for experimenting with consensus.", "meadow"};
  app.set_version_flag("--version", "meadow " MEADOW_VERSION);
  app.footer("Run `meadow SUBCOMMAND --help` for the options of one subcommand.");

  CLI::App* node = meadow::node::add_node_command(app);
  CLI::App* shell = meadow::shell::add_shell_command(app);
  CLI::App* bench = meadow::bench::add_bench_command(app);
  const std::vector<CLI::App*> one_shots = meadow::shell::add_one_shot_commands(app);

  CLI11_PARSE(app, argc, argv);
  if (node->parsed()) return meadow::node::run_node_command();
  if (shell->parsed()) return meadow::shell::run_shell_command(MEADOW_VERSION);
  if (bench->parsed()) return meadow::bench::run_bench_command();
  for (const CLI::App* one_shot : one_shots)
    if (one_shot->parsed()) return meadow::shell::run_one_shot_command(*one_shot);
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
  }
  return 0;
}
