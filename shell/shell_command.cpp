#include "shell/shell_command.h"

#include <filesystem>
#include <iostream>
#include <unistd.h>

#include "shell/cluster_setup.h"
#include "shell/output.h"
#include "shell/repl.h"
#include "shell/session.h"
#include "shell/signals.h"
#include "shell/startup.h"

namespace meadow::shell {
namespace {

/// Options shared by the shell and the one-shot commands.
struct CommonArgs {
  std::string attach;
  std::string connect;
  std::string cluster_id = "meadow";
  std::string output = "text";
  int timeout_ms = 5000;
};

struct ShellArgs {
  CommonArgs common;
  std::string data_dir = "meadow-data";
  int nodes = 0;
  int base_port = 0;
  std::string durability;
  int tick_ms = 0, heartbeat_ms = 0, election_min_ms = 0, election_max_ms = 0;
  bool keep = false, fresh = false, yes = false;
  std::string commands;
  CLI::Option* commands_option = nullptr;
};

ShellArgs& shell_args() {
  static ShellArgs a;
  return a;
}

CommonArgs& one_shot_args() {
  static CommonArgs a;
  return a;
}

void add_common_options(CLI::App* cmd, CommonArgs& a) {
  cmd->add_option("--attach", a.attach,
                  "Use the running cluster of this directory (its cluster.toml)");
  cmd->add_option("--connect", a.connect,
                  "Use these client endpoints instead: tcp://HOST:PORT,... or ID=tcp://...,...");
  cmd->add_option("--cluster-id", a.cluster_id, "Cluster id for --connect")->capture_default_str();
  cmd->add_option("--output", a.output, "text or json (one JSON object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--timeout", a.timeout_ms, "Deadline of a request, in ms")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
}

/// A session on --attach DIR or --connect, or nullptr and `error` if neither works.
std::unique_ptr<Session> connect_session(const CommonArgs& a, Output& output,
                                         const SessionOptions& options, std::string& error) {
  if (!a.attach.empty()) {
    auto cluster = LocalCluster::open(absolute_dir(a.attach), false, error);
    if (!cluster) return nullptr;
    return std::make_unique<Session>(std::move(*cluster), output, options);
  }
  auto endpoints = parse_connect(a.connect, error);
  if (!endpoints) return nullptr;
  return std::make_unique<Session>(std::move(*endpoints), a.cluster_id, output, options);
}

bool confirm_fresh(const ShellArgs& a, std::string& error) {
  const std::string dir = absolute_dir(a.data_dir);
  if (!a.fresh || a.yes || !has_manifest(dir)) return true;
  if (!isatty(STDIN_FILENO)) {
    error = "--fresh would delete every node's data in " + dir + "; add --yes to confirm";
    return false;
  }
  std::cout << "Delete the cluster in " << dir << " with all its data? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") return true;
  error = "not deleting " + dir;
  return false;
}

}  // namespace

std::string absolute_dir(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::weakly_canonical(std::filesystem::absolute(dir), ec).string();
}

std::optional<std::vector<transport::ClientEndpoint>> parse_connect(const std::string& text,
                                                                    std::string& error) {
  std::vector<transport::ClientEndpoint> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) continue;
    transport::ClientEndpoint e;
    e.id = out.size() + 1;
    if (const auto eq = item.find('='); eq != std::string::npos && item.find("://") > eq) {
      try {
        e.id = std::stoull(item.substr(0, eq));
      } catch (const std::exception&) {
        error = "--connect: bad node id in '" + item + "'";
        return std::nullopt;
      }
      item = item.substr(eq + 1);
    }
    if (item.rfind("tcp://", 0) != 0) {
      error = "--connect: expected tcp://HOST:PORT, got '" + item + "'";
      return std::nullopt;
    }
    e.endpoint = item;
    out.push_back(e);
  }
  if (out.empty()) error = "--connect: no endpoints given";
  return out.empty() ? std::nullopt : std::optional(out);
}

CLI::App* add_shell_command(CLI::App& app) {
  ShellArgs& a = shell_args();
  CLI::App* cmd = app.add_subcommand(
      "shell", "Interactive shell; launches a local cluster unless --attach/--connect is given");
  cmd->add_option("--nodes", a.nodes, "Number of nodes to launch (1-9; default 3)")
      ->check(CLI::Range(1, 9));
  cmd->add_option("--data-dir", a.data_dir, "Cluster directory (reused if it holds a cluster)")
      ->capture_default_str();
  cmd->add_option("--base-port", a.base_port,
                  "Node i listens on BASE+2(i-1) (Raft) and BASE+2(i-1)+1 (clients); "
                  "default: free ports")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--durability", a.durability, "full or normal (passed to the nodes)")
      ->check(CLI::IsMember({"full", "normal"}));
  cmd->add_option("--tick-ms", a.tick_ms, "Raft tick of the nodes")->check(CLI::Range(1, 1000));
  cmd->add_option("--heartbeat-ms", a.heartbeat_ms, "Leader heartbeat of the nodes")
      ->check(CLI::Range(1, 60000));
  cmd->add_option("--election-timeout-min-ms", a.election_min_ms, "Election timeout, lower bound")
      ->check(CLI::Range(2, 600000));
  cmd->add_option("--election-timeout-max-ms", a.election_max_ms, "Election timeout, upper bound")
      ->check(CLI::Range(3, 600000));
  cmd->add_flag("--keep", a.keep, "Leave the nodes running when the shell exits");
  cmd->add_flag("--fresh", a.fresh, "Wipe the cluster directory first (asks unless --yes)");
  cmd->add_flag("--yes", a.yes, "Do not ask for confirmation");
  a.commands_option =
      cmd->add_option("-c", a.commands, "Run these commands (separated by ;) and exit");
  add_common_options(cmd, a.common);
  return cmd;
}

int run_shell_command(std::string_view version) {
  ShellArgs& a = shell_args();
  install_signal_handlers();
  const auto format = a.common.output == "json" ? OutputFormat::json : OutputFormat::text;
  Output output(std::cout, std::cerr, format, colour_wanted(STDOUT_FILENO));
  const bool script = a.commands_option->count() > 0 || !isatty(STDIN_FILENO);
  SessionOptions options;
  options.timeout = std::chrono::milliseconds(a.common.timeout_ms);
  options.interactive = !script;
  auto fail = [&](const std::string& error) {
    std::cerr << "meadow shell: " << error << '\n';
    return 1;
  };
  if (!a.common.attach.empty() && !a.common.connect.empty())
    return fail("give --attach or --connect, not both");

  std::unique_ptr<Session> session;
  std::string error;
  const bool launching = a.common.attach.empty() && a.common.connect.empty();
  if (launching) {
    if (!confirm_fresh(a, error)) return fail(error);
    LaunchOptions launch;
    launch.data_dir = a.data_dir;
    if (a.nodes) launch.nodes = a.nodes;
    launch.base_port = a.base_port;
    if (!a.durability.empty()) launch.durability = a.durability;
    const std::pair<const char*, int> timing[] = {{"--tick-ms", a.tick_ms},
                                                  {"--heartbeat-ms", a.heartbeat_ms},
                                                  {"--election-timeout-min-ms", a.election_min_ms},
                                                  {"--election-timeout-max-ms", a.election_max_ms}};
    for (const auto& [flag, value] : timing)
      if (value) launch.node_args.insert(launch.node_args.end(), {flag, std::to_string(value)});
    launch.fresh = a.fresh;
    auto cluster = prepare_cluster_dir(launch, error);
    if (!cluster) return fail(error);
    if (!start_all_nodes(*cluster, error)) return fail(error);
    session = std::make_unique<Session>(std::move(*cluster), output, options);
  } else {
    session = connect_session(a.common, output, options, error);
    if (!session) return fail(error);
  }

  const bool spinner = format == OutputFormat::text && isatty(STDOUT_FILENO);
  if (!greet(*session, launching, version, spinner, std::cout, error)) {
    if (launching) session->cluster()->stop_all(options.stop_grace);
    return fail(error);
  }

  if (a.commands_option->count() > 0) {
    run_script_text(*session, a.commands);
  } else if (script) {
    run_script_stream(*session, std::cin);
  } else {
    const std::string history = session->cluster()
                                    ? session->cluster()->dir() + "/.meadow_history"
                                    : std::string(std::getenv("HOME") ? std::getenv("HOME") : ".") +
                                          "/.meadow_history";
    run_interactive(*session, history);
  }
  farewell(*session, launching, a.keep);
  return script && session->errors() > 0 ? 1 : 0;
}

std::vector<CLI::App*> add_one_shot_commands(CLI::App& app) {
  std::vector<CLI::App*> out;
  for (const auto& spec : command_table()) {
    if (!spec.one_shot) continue;
    CLI::App* cmd = app.add_subcommand(std::string(spec.name),
                                       std::string(spec.summary) + " (one-shot: " +
                                           std::string(spec.usage) + ")");
    add_common_options(cmd, one_shot_args());
    cmd->allow_extras();  // the command's own arguments, parsed by the command table
    cmd->footer("Arguments: " + std::string(spec.usage) + "\n" + std::string(spec.help));
    out.push_back(cmd);
  }
  return out;
}

int run_one_shot_command(const CLI::App& command) {
  CommonArgs& a = one_shot_args();
  const auto format = a.output == "json" ? OutputFormat::json : OutputFormat::text;
  Output output(std::cout, std::cerr, format, colour_wanted(STDOUT_FILENO));
  if (a.attach.empty() == a.connect.empty()) {
    std::cerr << "meadow " << command.get_name()
              << ": give --attach DIR (a cluster directory) or --connect ENDPOINTS\n";
    return 1;
  }
  SessionOptions options;
  options.timeout = std::chrono::milliseconds(a.timeout_ms);
  options.watch = false;
  std::string error;
  auto session = connect_session(a, output, options, error);
  if (!session) {
    std::cerr << "meadow " << command.get_name() << ": " << error << '\n';
    return 1;
  }
  std::vector<std::string> args = {command.get_name()};
  for (const auto& extra : command.remaining()) args.push_back(extra);
  session->execute(args);
  return session->errors() > 0 ? 1 : 0;
}

}  // namespace meadow::shell
