#include "transport/manifest.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>

namespace meadow::transport {
namespace {

bool safe_string(const std::string& s) {
  return s.find_first_of("\"\\\n\r") == std::string::npos;
}

std::optional<std::int64_t> to_int(const std::string& text) {
  try {
    std::size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used != text.size()) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

const ManifestNode* Manifest::find(std::uint64_t id) const {
  for (const auto& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

ManifestNode* Manifest::find(std::uint64_t id) {
  return const_cast<ManifestNode*>(static_cast<const Manifest&>(*this).find(id));
}

std::optional<Manifest> read_manifest(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read cluster manifest " + path;
    return std::nullopt;
  }
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(in);
  } catch (const std::exception& e) {
    error = "cluster manifest " + path + " is not valid TOML: " + e.what();
    return std::nullopt;
  }
  Manifest m;
  std::optional<std::int64_t> format;
  auto fail = [&](const std::string& what) {
    error = "cluster manifest " + path + ": " + what;
    return std::nullopt;
  };
  for (const auto& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section markers
    const std::string value = item.inputs.empty() ? "" : item.inputs.front();
    if (item.parents.empty()) {
      if (item.name == "format") format = to_int(value);
      else if (item.name == "cluster_id") m.cluster_id = value;
      else if (item.name == "durability") m.durability = value;
      else if (item.name == "node_args") m.node_args = item.inputs;
      continue;  // unknown top-level keys: written by a newer version, harmless
    }
    if (item.parents.size() != 2 || item.parents[0] != "node") continue;
    auto id = to_int(item.parents[1]);
    if (!id || *id <= 0) return fail("node section [node." + item.parents[1] + "] needs a positive id");
    ManifestNode* node = m.find(static_cast<std::uint64_t>(*id));
    if (!node) {
      m.nodes.emplace_back();
      node = &m.nodes.back();
      node->id = static_cast<std::uint64_t>(*id);
    }
    if (item.name == "raft") node->raft_endpoint = value;
    else if (item.name == "client") node->client_endpoint = value;
    else if (item.name == "data_dir") node->data_dir = value;
    else if (item.name == "log_file") node->log_file = value;
    else if (item.name == "pid") node->pid = to_int(value).value_or(0);
    else if (item.name == "voter" || item.name == "joined") {
      if (value != "true" && value != "false")
        return fail("node " + item.parents[1] + ": " + item.name + " must be true or false");
      (item.name == "voter" ? node->voter : node->joined) = value == "true";
    }
  }
  if (!format) return fail("no format number (is this a Meadow manifest?)");
  if (*format > kManifestFormat)
    return fail("format " + std::to_string(*format) + " is newer than this meadow understands (" +
                std::to_string(kManifestFormat) + ")");
  if (m.cluster_id.empty()) return fail("no cluster_id");
  if (m.nodes.empty()) return fail("no [node.N] sections");
  std::sort(m.nodes.begin(), m.nodes.end(), [](auto& a, auto& b) { return a.id < b.id; });
  for (const auto& n : m.nodes)
    if (n.raft_endpoint.empty() || n.client_endpoint.empty())
      return fail("node " + std::to_string(n.id) + " lacks a raft or client endpoint");
  return m;
}

bool write_manifest(const std::string& path, const Manifest& m, std::string& error) {
  std::vector<std::string> strings = {m.cluster_id, m.durability};
  strings.insert(strings.end(), m.node_args.begin(), m.node_args.end());
  for (const auto& n : m.nodes)
    for (const auto* s : {&n.raft_endpoint, &n.client_endpoint, &n.data_dir, &n.log_file})
      strings.push_back(*s);
  for (const auto& s : strings)
    if (!safe_string(s)) {
      error = "cannot write '" + s + "' into the cluster manifest (quote, backslash or newline)";
      return false;
    }
  std::ostringstream out;
  out << "# Meadow cluster manifest: written by `meadow shell`, read by nodes, shells and tools.\n"
      << "format = " << kManifestFormat << "\n"
      << "cluster_id = \"" << m.cluster_id << "\"\n"
      << "durability = \"" << m.durability << "\"\n"
      << "node_args = [";
  for (std::size_t i = 0; i < m.node_args.size(); ++i)
    out << (i ? ", " : "") << '"' << m.node_args[i] << '"';
  out << "]\n";
  for (const auto& n : m.nodes) {
    out << "\n[node." << n.id << "]\n"
        << "raft = \"" << n.raft_endpoint << "\"\n"
        << "client = \"" << n.client_endpoint << "\"\n"
        << "data_dir = \"" << n.data_dir << "\"\n"
        << "log_file = \"" << n.log_file << "\"\n"
        << "pid = " << n.pid << "\n"
        << "voter = " << (n.voter ? "true" : "false") << "\n";
    if (n.joined) out << "joined = true\n";
  }
  const std::string temp = path + ".tmp";
  {
    std::ofstream file(temp, std::ios::trunc);
    file << out.str();
    file.flush();
    if (!file) {
      error = "cannot write cluster manifest " + temp;
      return false;
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    error = "cannot replace cluster manifest " + path;
    return false;
  }
  return true;
}

}  // namespace meadow::transport
