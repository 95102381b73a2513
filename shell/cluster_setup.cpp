#include "shell/cluster_setup.h"

#include <algorithm>
#include <arpa/inet.h>
#include <filesystem>
#include <netinet/in.h>
#include <random>
#include <sys/socket.h>
#include <unistd.h>

namespace meadow::shell {
namespace {

namespace fs = std::filesystem;

/// Binds a TCP socket to 127.0.0.1:port (0 = any); returns the fd and the bound port, or -1.
int bind_loopback(int port, int& bound_port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  bound_port = ntohs(addr.sin_port);
  return fd;
}

int port_of(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string::npos) return 0;
  try {
    return std::stoi(endpoint.substr(colon + 1));
  } catch (const std::exception&) {
    return 0;
  }
}

std::string loopback(int port) { return "tcp://127.0.0.1:" + std::to_string(port); }

std::string random_cluster_id() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "meadow-";
  for (int i = 0; i < 8; ++i) id += kHex[rd() % 16];
  return id;
}

/// Assigns endpoints to every node: from base_port, else the old ports if all are still free,
/// else fresh free ports.
bool assign_ports(transport::Manifest& m, int base_port, std::string& error) {
  const int n = static_cast<int>(m.nodes.size());
  std::vector<int> ports;
  if (base_port > 0) {
    if (base_port + 2 * n - 1 > 65535) {
      error = "--base-port " + std::to_string(base_port) + " leaves no room for " +
              std::to_string(2 * n) + " ports";
      return false;
    }
    for (int p = base_port; p < base_port + 2 * n; ++p) {
      if (!port_free(p)) {
        error = "port " + std::to_string(p) + " on 127.0.0.1 is in use (--base-port " +
                std::to_string(base_port) + " needs ports " + std::to_string(base_port) + "-" +
                std::to_string(base_port + 2 * n - 1) + ")";
        return false;
      }
      ports.push_back(p);
    }
  } else {
    bool reuse = true;
    for (const auto& node : m.nodes)
      for (const auto* e : {&node.raft_endpoint, &node.client_endpoint})
        reuse = reuse && port_of(*e) > 0 && port_free(port_of(*e));
    if (reuse) return true;
    ports = free_ports(2 * n);
    if (static_cast<int>(ports.size()) != 2 * n) {
      error = "could not find " + std::to_string(2 * n) + " free ports on 127.0.0.1";
      return false;
    }
  }
  for (int i = 0; i < n; ++i) {
    m.nodes[i].raft_endpoint = loopback(ports[2 * i]);
    m.nodes[i].client_endpoint = loopback(ports[2 * i + 1]);
  }
  return true;
}

}  // namespace

std::optional<transport::ManifestNode> add_node_entry(LocalCluster& cluster, std::string& error) {
  cluster.refresh();
  // A removed node's directory stays behind (its data may be worth a look): never reuse its id,
  // so an old database can never be mistaken for the new node's.
  std::uint64_t id = 1;
  for (auto known : cluster.ids()) id = std::max(id, known + 1);
  std::error_code ec;
  while (fs::exists(fs::path(cluster.dir()) / ("node-" + std::to_string(id)), ec)) ++id;
  const auto ports = free_ports(2);
  if (ports.size() != 2) {
    error = "could not find 2 free ports on 127.0.0.1";
    return std::nullopt;
  }
  transport::ManifestNode node;
  node.id = id;
  node.raft_endpoint = loopback(ports[0]);
  node.client_endpoint = loopback(ports[1]);
  node.data_dir = cluster.dir() + "/node-" + std::to_string(id);
  node.log_file = node.data_dir + "/node.log";
  node.voter = false;
  node.joined = true;
  fs::create_directories(node.data_dir, ec);
  if (ec) {
    error = "cannot create " + node.data_dir + ": " + ec.message();
    return std::nullopt;
  }
  if (!cluster.update_manifest([&](transport::Manifest& m) {
        m.nodes.push_back(node);
        std::sort(m.nodes.begin(), m.nodes.end(), [](auto& a, auto& b) { return a.id < b.id; });
      }, error))
    return std::nullopt;
  return node;
}

bool has_manifest(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / transport::kManifestFileName, ec);
}

std::vector<int> free_ports(int count) {
  // Keep every socket bound until all are chosen so the kernel never hands out one twice.
  std::vector<int> fds, ports;
  for (int i = 0; i < count; ++i) {
    int port = 0;
    const int fd = bind_loopback(0, port);
    if (fd < 0) break;
    fds.push_back(fd);
    ports.push_back(port);
  }
  for (int fd : fds) close(fd);
  return ports;
}

bool port_free(int port) {
  int bound = 0;
  const int fd = bind_loopback(port, bound);
  if (fd < 0) return false;
  close(fd);
  return true;
}

std::optional<LocalCluster> prepare_cluster_dir(const LaunchOptions& options, std::string& error) {
  if (options.nodes && (*options.nodes < 1 || *options.nodes > 9)) {
    error = "--nodes must be between 1 and 9, not " + std::to_string(*options.nodes);
    return std::nullopt;
  }
  if (options.durability && *options.durability != "full" && *options.durability != "normal") {
    error = "--durability must be full or normal, not '" + *options.durability + "'";
    return std::nullopt;
  }
  std::error_code ec;
  const std::string dir = fs::weakly_canonical(fs::absolute(options.data_dir), ec).string();
  const bool exists = fs::exists(dir, ec);
  const bool empty = exists && fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
  if (exists && !empty && !has_manifest(dir)) {
    error = dir + " exists but is not a meadow cluster directory (no " +
            transport::kManifestFileName + "); choose another --data-dir";
    return std::nullopt;
  }
  if (has_manifest(dir)) {
    auto existing = LocalCluster::open(dir, true, error);
    if (!existing) return std::nullopt;
    for (auto id : existing->ids())
      if (const auto pid = existing->running_pid(id)) {
        error = "the cluster in " + dir + " is already running (node " + std::to_string(id) +
                " is pid " + std::to_string(pid) + "); attach to it with `meadow shell --attach " +
                options.data_dir + "`";
        return std::nullopt;
      }
    if (options.fresh) {
      fs::remove_all(dir, ec);
      if (ec) {
        error = "cannot remove " + dir + ": " + ec.message();
        return std::nullopt;
      }
    } else {
      transport::Manifest m = existing->manifest();
      const int found = static_cast<int>(m.nodes.size());
      if (options.nodes && *options.nodes != found) {
        error = dir + " holds a " + std::to_string(found) + "-node cluster, not " +
                std::to_string(*options.nodes) + " nodes: use --nodes " + std::to_string(found) +
                ", another --data-dir, or --fresh to wipe it";
        return std::nullopt;
      }
      if (options.durability) m.durability = *options.durability;
      if (!options.node_args.empty()) m.node_args = options.node_args;
      for (auto& node : m.nodes) node.pid = 0;
      if (!assign_ports(m, options.base_port, error)) return std::nullopt;
      if (!transport::write_manifest(dir + "/" + transport::kManifestFileName, m, error))
        return std::nullopt;
      return LocalCluster(dir, std::move(m), true);
    }
  }
  fs::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir + ": " + ec.message();
    return std::nullopt;
  }
  transport::Manifest m;
  m.cluster_id = random_cluster_id();
  m.durability = options.durability.value_or("full");
  m.node_args = options.node_args;
  for (int i = 1; i <= options.nodes.value_or(3); ++i) {
    transport::ManifestNode node;
    node.id = static_cast<std::uint64_t>(i);
    node.data_dir = dir + "/node-" + std::to_string(i);
    node.log_file = node.data_dir + "/node.log";
    fs::create_directories(node.data_dir, ec);
    m.nodes.push_back(node);
  }
  if (!assign_ports(m, options.base_port, error)) return std::nullopt;
  if (!transport::write_manifest(dir + "/" + transport::kManifestFileName, m, error))
    return std::nullopt;
  return LocalCluster(dir, std::move(m), true);
}

}  // namespace meadow::shell
