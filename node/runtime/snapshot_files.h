// Where snapshot images live in a node's data directory: images this node makes to send, and
// images it receives before installing them. Standard library only.
#pragma once

#include <cstdint>
#include <string>

namespace meadow::node {

/// An image this node makes for sending; `sequence` tells successive images apart.
std::string outgoing_image_path(const std::string& data_dir, std::uint64_t sequence);
/// The image being received (incomplete).
std::string partial_image_path(const std::string& data_dir);
/// A complete, checked received image at snapshot index `index`, waiting to be installed.
std::string received_image_path(const std::string& data_dir, std::uint64_t index);
/// Removes every snapshot file (leftovers of a previous run; none is needed after a restart:
/// transfers start over).
void remove_snapshot_files(const std::string& data_dir);

}  // namespace meadow::node
