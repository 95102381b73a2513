#include "bench/bench_command.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "bench/bench_runner.h"
#include "bench/report.h"
#include "shell/cluster_setup.h"
#include "shell/process_control.h"
#include "shell/shell_command.h"
#include "shell/signals.h"
#include "shell/startup.h"

namespace meadow::bench {
namespace {

namespace wire = transport::wire;
using Clock = std::chrono::steady_clock;

struct BenchArgs {
  BenchOptions options;
  std::string ratio = "1:0";
  std::string duration;
  std::uint64_t ops = 0;
  std::string consistency = "linearizable";
  std::string output = "text";
  int timeout_ms = 10000;
};

BenchArgs& bench_args() {
  static BenchArgs a;
  return a;
}

/// Peak resident set (VmHWM) of `pid` in kB, if readable.
std::optional<std::uint64_t> peak_rss_kb(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  return std::nullopt;
}

/// CPU time (user + system) `pid` has used so far, in ms, if readable.
std::optional<std::uint64_t> cpu_ms(std::int64_t pid) {
  const auto fields = shell::process_stat_fields(pid);
  if (fields.size() < 13) return std::nullopt;
  const std::uint64_t ticks = std::stoull(fields[11]) + std::stoull(fields[12]);  // utime+stime
  return ticks * 1000 / static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK));
}

/// Total CPU ms of the cluster's running nodes (0 if unknown, e.g. --connect).
std::uint64_t cluster_cpu_ms(std::optional<shell::LocalCluster>& cluster) {
  if (!cluster) return 0;
  cluster->refresh();
  std::uint64_t total = 0;
  for (const auto id : cluster->ids())
    if (const auto pid = cluster->running_pid(id); pid > 0) total += cpu_ms(pid).value_or(0);
  return total;
}

/// Stops a spawned cluster and removes its temporary directory on every path out.
struct SpawnedCluster {
  std::optional<shell::LocalCluster> cluster;
  std::string temp_dir;  ///< removed at the end unless kept
  bool keep = false;
  ~SpawnedCluster() {
    if (keep) return;
    if (cluster && cluster->launched()) cluster->stop_all(std::chrono::milliseconds(5000));
    std::error_code ec;
    if (!temp_dir.empty()) std::filesystem::remove_all(temp_dir, ec);
  }
};

/// Writes one key until a write is acknowledged or `deadline` passes (a fresh cluster needs an
/// election first). Returns whether it was.
bool first_write(transport::Client& client, Clock::time_point deadline, const StopFn& stop) {
  while (Clock::now() < deadline && !stop()) {
    const auto done = client.call(wire::PutRequest{0, 0, 0, "bench-warmup", "1"});
    if (done.status == transport::ClientStatus::ok) return true;
  }
  return false;
}

}  // namespace

CLI::App* add_bench_command(CLI::App& app) {
  BenchArgs& a = bench_args();
  BenchOptions& o = a.options;
  CLI::App* cmd = app.add_subcommand(
      "bench", "Measure throughput and latency: spawns a local cluster unless --attach/--connect");
  cmd->add_option("--nodes", o.nodes, "Spawned cluster: number of nodes (1-9)")->capture_default_str();
  cmd->add_option("--data-dir", o.data_dir,
                  "Spawned cluster: its directory (default: a temporary one, removed after)");
  cmd->add_option("--durability", o.durability, "Spawned cluster: full (fsync) or normal")
      ->capture_default_str();
  cmd->add_flag("--keep", o.keep, "Leave the spawned cluster running and its directory in place");
  cmd->add_option("--attach", o.attach, "Use the running cluster of this directory");
  cmd->add_option("--connect", o.connect,
                  "Use these client endpoints: tcp://HOST:PORT,... or ID=tcp://...,...");
  cmd->add_option("--cluster-id", o.cluster_id, "Cluster id for --connect")->capture_default_str();
  cmd->add_option("--clients", o.clients, "Requests in flight at once")->capture_default_str();
  cmd->add_option("--duration", a.duration, "Run this long: 10s, 500ms, 2m (default 10s)");
  cmd->add_option("--ops", a.ops, "Stop after this many requests (instead of a duration)");
  cmd->add_option("--keys", o.keys, "Distinct keys")->capture_default_str();
  cmd->add_option("--value-size", o.value_size, "Value size in bytes")->capture_default_str();
  cmd->add_option("--ratio", a.ratio, "put:get weights, e.g. 1:0 (writes), 0:1 (reads), 1:9")
      ->capture_default_str();
  cmd->add_option("--consistency", a.consistency, "Reads: linearizable or stale")
      ->check(CLI::IsMember({"linearizable", "stale"}))
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "Workload random seed")->capture_default_str();
  cmd->add_option("--timeout", a.timeout_ms, "Deadline of one request, in ms")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  cmd->add_option("--output", a.output, "text or json (one JSON object)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  return cmd;
}

int run_bench_command() {
  BenchArgs& a = bench_args();
  BenchOptions& o = a.options;
  auto fail = [](const std::string& message) {
    std::cerr << "meadow bench: " << message << "\n";
    return 2;
  };
  const auto ratio = parse_ratio(a.ratio);
  if (!ratio) return fail("--ratio must be PUT:GET with whole numbers, not both 0; got '" + a.ratio + "'");
  o.ratio = *ratio;
  if (!a.duration.empty()) {
    o.duration = parse_duration(a.duration);
    if (!o.duration) return fail("--duration must look like 10s, 500ms or 2m; got '" + a.duration + "'");
  }
  if (a.ops) o.ops = a.ops;
  o.consistency = a.consistency == "stale" ? Consistency::stale : Consistency::linearizable;
  o.json = a.output == "json";
  o.request_timeout = std::chrono::milliseconds(a.timeout_ms);
  if (const std::string error = check_options(o); !error.empty()) return fail(error);

  shell::install_signal_handlers();
  const StopFn stop = [] { return shell::take_interrupt() || shell::quit_requested(); };

  SpawnedCluster spawned;
  spawned.keep = o.keep;
  std::vector<transport::ClientEndpoint> endpoints;
  std::string cluster_id = o.cluster_id;
  std::string target;
  std::optional<Clock::time_point> launched_at;
  std::string error;
  if (o.attach.empty() && o.connect.empty()) {
    shell::LaunchOptions launch;
    if (o.data_dir.empty()) {
      std::string pattern = (std::filesystem::temp_directory_path() / "meadow-bench-XXXXXX").string();
      if (!mkdtemp(pattern.data())) return fail("cannot create a temporary directory");
      spawned.temp_dir = pattern;
      launch.data_dir = pattern + "/cluster";
      launch.fresh = true;
    } else {
      launch.data_dir = shell::absolute_dir(o.data_dir);
    }
    launch.nodes = o.nodes;
    launch.durability = o.durability;
    spawned.cluster = shell::prepare_cluster_dir(launch, error);
    if (!spawned.cluster) return fail(error);
    launched_at = Clock::now();
    if (!shell::start_all_nodes(*spawned.cluster, error)) return fail(error);
    target = "spawned " + std::to_string(o.nodes) + "-node cluster in " + spawned.cluster->dir();
  } else if (!o.attach.empty()) {
    spawned.cluster = shell::LocalCluster::open(shell::absolute_dir(o.attach), false, error);
    if (!spawned.cluster) return fail(error);
    target = "attached " + spawned.cluster->dir();
  } else {
    auto parsed = shell::parse_connect(o.connect, error);
    if (!parsed) return fail(error);
    endpoints = std::move(*parsed);
    target = "connected " + o.connect;
  }
  if (spawned.cluster) {
    for (const auto& n : spawned.cluster->manifest().nodes)
      endpoints.push_back({n.id, n.client_endpoint, ""});
    cluster_id = spawned.cluster->manifest().cluster_id;
  }

  transport::ClientOptions client_options;
  client_options.endpoints = endpoints;
  client_options.cluster_id = cluster_id;
  client_options.deadline = o.request_timeout;
  client_options.attempt_timeout = std::min(o.request_timeout, std::chrono::milliseconds(2000));
  transport::Client client(std::move(client_options));

  BenchReport report;
  report.options = &o;
  report.target = target;
  report.nodes = static_cast<int>(endpoints.size());
  const auto warm_deadline = Clock::now() + std::max(o.request_timeout, std::chrono::milliseconds(20000));
  if (!first_write(client, warm_deadline, stop)) return fail("no write was acknowledged within 20 s");
  if (launched_at)
    report.first_write_ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - *launched_at).count());
  if (auto status = client.status(client.leader_guess()); status.ok())
    report.durability = status.value.durability;

  Workload workload(o);
  RunStats previous;
  const bool tty = isatty(STDERR_FILENO) != 0;
  const ProgressFn progress = [&](const RunStats& now) {
    std::cerr << (tty ? "\r\033[K" : "") << progress_line(now, previous) << (tty ? "" : "\n")
              << std::flush;
    previous = now;
  };
  const std::uint64_t cpu_before = cluster_cpu_ms(spawned.cluster);
  report.stats = run_workload(client, workload, o, progress, stop);
  if (spawned.cluster) {
    // A node that died or restarted during the run restarts its CPU count: no figure then.
    const std::uint64_t cpu_after = cluster_cpu_ms(spawned.cluster);
    if (cpu_after >= cpu_before) report.node_cpu_ms = cpu_after - cpu_before;
  }
  if (tty) std::cerr << "\r\033[K" << std::flush;

  if (spawned.cluster) {
    spawned.cluster->refresh();
    for (const auto id : spawned.cluster->ids())
      if (const auto pid = spawned.cluster->running_pid(id); pid > 0)
        if (const auto kb = peak_rss_kb(pid)) report.peak_rss_kb[id] = *kb;
  }
  if (o.json)
    std::cout << render_json(report).dump() << "\n";
  else
    std::cout << render_text(report);
  if (o.keep && spawned.cluster && spawned.cluster->launched())
    std::cerr << "cluster left running in " << spawned.cluster->dir() << "\n";
  return report.stats.error_count() == 0 ? 0 : 1;
}

}  // namespace meadow::bench
