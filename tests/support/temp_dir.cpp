#include "tests/support/temp_dir.h"

#include "common/assert.h"

#include <cstdlib>
#include <string>
#include <system_error>

namespace meadow::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/meadow-test-XXXXXX";
  MEADOW_ASSERT(mkdtemp(templ.data()) != nullptr);
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;  // best effort: a leftover temp dir must not fail a test
  std::filesystem::remove_all(path_, ec);
}

}  // namespace meadow::test
