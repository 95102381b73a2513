#include "shell/process_control.h"

#include <cerrno>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace meadow::shell {
namespace {

/// The state letter of /proc/PID/stat (R, S, D, Z, X, T, ...), or 0 if the process is gone.
char proc_state(std::int64_t pid) {
  const auto fields = process_stat_fields(pid);
  return fields.empty() || fields[0].empty() ? 0 : fields[0][0];
}

}  // namespace

std::vector<std::string> process_stat_fields(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return {};
  // "pid (comm) S ...": comm may contain spaces and parentheses; the state follows the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

std::optional<std::int64_t> spawn_process(const std::vector<std::string>& argv,
                                          const std::string& log_path, std::string& error) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    error = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return std::nullopt;
  }
  return pid;
}

bool process_alive(std::int64_t pid) {
  if (pid <= 0) return false;
  // Reap it if it is our exited child (otherwise it stays a zombie); ECHILD for others is fine.
  if (waitpid(static_cast<pid_t>(pid), nullptr, WNOHANG) == pid) return false;
  const char state = proc_state(pid);
  return state != 0 && state != 'Z' && state != 'X';
}

std::vector<std::string> process_cmdline(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> out;
  for (std::string arg; std::getline(in, arg, '\0');) out.push_back(arg);
  return out;
}

bool process_paused(std::int64_t pid) { return proc_state(pid) == 'T'; }

bool wait_for_exit(std::int64_t pid, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (!process_alive(pid)) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    // A process exit has no portable fd to wait on for non-children; poll its state.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool send_signal(std::int64_t pid, int sig) {
  return pid > 0 && ::kill(static_cast<pid_t>(pid), sig) == 0;
}

std::string self_executable() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "/proc/self/exe";
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace meadow::shell
