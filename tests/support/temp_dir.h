// Test support: a fresh temporary directory, removed with everything in it on destruction.
#pragma once

#include <filesystem>

namespace meadow::test {

class TempDir {
 public:
  TempDir();  ///< creates a unique directory under $TMPDIR (or /tmp)
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace meadow::test
