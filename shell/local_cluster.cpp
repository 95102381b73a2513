#include "shell/local_cluster.h"

#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>

#include "shell/process_control.h"

namespace meadow::shell {

LocalCluster::LocalCluster(std::string dir, transport::Manifest manifest, bool launched)
    : dir_(std::move(dir)), manifest_(std::move(manifest)), launched_(launched) {}

std::optional<LocalCluster> LocalCluster::open(const std::string& dir, bool launched,
                                               std::string& error) {
  auto manifest = transport::read_manifest(dir + "/" + transport::kManifestFileName, error);
  if (!manifest) return std::nullopt;
  return LocalCluster(dir, std::move(*manifest), launched);
}

std::string LocalCluster::manifest_path() const {
  return dir_ + "/" + transport::kManifestFileName;
}

void LocalCluster::refresh() {
  std::string error;
  if (auto m = transport::read_manifest(manifest_path(), error)) manifest_ = std::move(*m);
}

std::vector<std::uint64_t> LocalCluster::ids() const {
  std::vector<std::uint64_t> out;
  for (const auto& n : manifest_.nodes) out.push_back(n.id);
  return out;
}

bool LocalCluster::is_node_process(std::int64_t pid, std::uint64_t id) const {
  // The pid in the manifest may have been reused by an unrelated process after the node died:
  // only a process whose command line is `... node --cluster <this manifest> --id <id>` counts.
  const auto argv = process_cmdline(pid);
  bool cluster = false, node_id = false;
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == "--cluster" && argv[i + 1] == manifest_path()) cluster = true;
    if (argv[i] == "--id" && argv[i + 1] == std::to_string(id)) node_id = true;
  }
  return argv.size() > 1 && argv[1] == "node" && cluster && node_id;
}

bool LocalCluster::running(std::uint64_t id) const { return running_pid(id) != 0; }

std::int64_t LocalCluster::running_pid(std::uint64_t id) const {
  const auto* node = manifest_.find(id);
  if (!node || node->pid <= 0) return 0;
  if (!process_alive(node->pid) || !is_node_process(node->pid, id)) return 0;
  return node->pid;
}

std::string LocalCluster::log_path(std::uint64_t id) const {
  const auto* node = manifest_.find(id);
  if (node && !node->log_file.empty()) return node->log_file;
  return dir_ + "/node-" + std::to_string(id) + "/node.log";
}

std::optional<std::int64_t> LocalCluster::start(std::uint64_t id, std::string& error) {
  refresh();
  if (!manifest_.find(id)) {
    error = "node " + std::to_string(id) + " is not in " + manifest_path();
    return std::nullopt;
  }
  std::vector<std::string> argv = {self_executable(), "node",        "--cluster",
                                   manifest_path(),   "--id",        std::to_string(id),
                                   "--log-file",      log_path(id),  "--durability",
                                   manifest_.durability};
  argv.insert(argv.end(), manifest_.node_args.begin(), manifest_.node_args.end());
  // Its configuration comes from the leader (or its own log once it has one), never from the
  // manifest's list, which it is not an original member of.
  if (manifest_.find(id)->joined) argv.push_back("--join");
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(log_path(id)).parent_path(), ec);
  auto pid = spawn_process(argv, log_path(id), error);
  if (!pid) return std::nullopt;
  // Right after posix_spawn returns, /proc/PID/cmdline may still show our own command line
  // (the exec has not happened yet), and running_pid() would take the node for dead and later
  // leave it running. Wait until the exec is visible, or the child is gone.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (process_alive(*pid) && !is_node_process(*pid, id) &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a condition poll with a deadline
  }
  manifest_.find(id)->pid = *pid;
  manifest_.find(id)->log_file = log_path(id);
  if (!transport::write_manifest(manifest_path(), manifest_, error)) {
    error = "node " + std::to_string(id) + " started (pid " + std::to_string(*pid) +
            ") but the manifest could not be updated: " + error;
    return std::nullopt;
  }
  return pid;
}

bool LocalCluster::stop(std::uint64_t id, int sig, std::chrono::milliseconds grace,
                        bool& forced, std::string& error) {
  refresh();
  forced = false;
  const std::int64_t pid = running_pid(id);
  if (pid == 0) {
    error = "node " + std::to_string(id) + " is not running";
    return false;
  }
  send_signal(pid, sig);
  send_signal(pid, SIGCONT);  // a paused node (`pause`) must run to handle SIGTERM
  if (wait_for_exit(pid, grace)) return true;
  forced = true;
  send_signal(pid, SIGKILL);
  wait_for_exit(pid, grace);
  return true;
}

std::vector<std::uint64_t> LocalCluster::stop_all(std::chrono::milliseconds grace) {
  refresh();
  std::vector<std::pair<std::uint64_t, std::int64_t>> victims;
  for (auto id : ids())
    if (const auto pid = running_pid(id)) victims.emplace_back(id, pid);
  for (const auto& [id, pid] : victims) {
    send_signal(pid, SIGTERM);
    send_signal(pid, SIGCONT);  // a paused node (`pause`) must run to handle SIGTERM
  }
  const auto until = std::chrono::steady_clock::now() + grace;
  std::vector<std::uint64_t> stopped;
  for (const auto& [id, pid] : victims) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (!wait_for_exit(pid, std::max(left, std::chrono::milliseconds(0)))) {
      send_signal(pid, SIGKILL);
      wait_for_exit(pid, grace);
    }
    stopped.push_back(id);
  }
  return stopped;
}

bool LocalCluster::update_manifest(const std::function<void(transport::Manifest&)>& change,
                                   std::string& error) {
  auto m = transport::read_manifest(manifest_path(), error);
  if (!m) return false;
  change(*m);
  if (!transport::write_manifest(manifest_path(), *m, error)) return false;
  manifest_ = std::move(*m);
  return true;
}

std::vector<std::string> LocalCluster::log_tail(std::uint64_t id, std::size_t lines) const {
  std::ifstream in(log_path(id));
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  return {tail.begin(), tail.end()};
}

}  // namespace meadow::shell
