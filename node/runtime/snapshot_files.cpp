#include "node/runtime/snapshot_files.h"

#include <filesystem>
#include <system_error>
#include <vector>

namespace meadow::node {

namespace {
constexpr const char* kPrefix = "snapshot-";
}

std::string outgoing_image_path(const std::string& data_dir, std::uint64_t sequence) {
  return data_dir + "/" + kPrefix + "out-" + std::to_string(sequence) + ".db";
}

std::string partial_image_path(const std::string& data_dir) {
  return data_dir + "/" + kPrefix + "in.part";
}

std::string received_image_path(const std::string& data_dir, std::uint64_t index) {
  return data_dir + "/" + kPrefix + "in-" + std::to_string(index) + ".db";
}

void remove_snapshot_files(const std::string& data_dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> doomed;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir, ec)) {
    if (entry.path().filename().string().rfind(kPrefix, 0) == 0) doomed.push_back(entry.path());
  }
  for (const auto& path : doomed) std::filesystem::remove(path, ec);
}

}  // namespace meadow::node
