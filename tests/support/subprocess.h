// Test support: run child processes and always reap them. A Subprocess kills (SIGKILL) and
// waits for its child in its destructor, so a failing test never leaks a process.
// POSIX only; used by tests, never by the product.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace meadow::test {

struct RunResult {
  int exit_code = -1;  ///< exit status, or 128 + signal number if killed by a signal
  std::string out;     ///< everything the child wrote to stdout
  std::string err;     ///< everything the child wrote to stderr
};

/// Runs argv[0] (a path) with the given arguments and stdin text; waits for it to finish. A
/// child still running after `deadline` is killed (SIGKILL), so a hung program fails its test
/// instead of hanging it; its result then has exit_code 128 + 9 and err ends with a note.
RunResult run(const std::vector<std::string>& argv, const std::string& stdin_text = "",
              std::chrono::milliseconds deadline = std::chrono::minutes(5));

/// A child process started in the background, its stdout/stderr sent to files.
class Subprocess {
 public:
  /// Starts argv; stdout and stderr go to the given files (appended), stdin is /dev/null.
  Subprocess(const std::vector<std::string>& argv, const std::string& out_path,
             const std::string& err_path);
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();  ///< SIGKILL + wait if still running

  pid_t pid() const { return pid_; }
  void signal(int sig);  ///< sends sig if the child has not been reaped
  /// Waits up to `deadline` for the child to exit; returns its exit code (as RunResult) if it did.
  std::optional<int> wait_for(std::chrono::milliseconds deadline);
  bool running();  ///< false once the child has exited (and reaps it)

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace meadow::test
