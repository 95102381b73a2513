#include "tests/shell/shell_driver.h"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/assert.h"
#include "transport/manifest.h"

namespace meadow::test {
namespace {

using namespace std::chrono_literals;

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

[[noreturn]] void exec_shell(const std::string& binary, const std::vector<std::string>& args,
                             const std::vector<std::string>& env) {
  for (const auto& e : env) putenv(strdup(e.c_str()));
  std::vector<char*> argv = {const_cast<char*>(binary.c_str()), const_cast<char*>("shell")};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

}  // namespace

ShellDriver::ShellDriver(Mode mode, const std::string& binary, std::vector<std::string> args,
                         std::string data_dir, std::vector<std::string> env)
    : mode_(mode), data_dir_(std::move(data_dir)) {
  if (mode == Mode::pty) {
    int master = -1;
    winsize size{};
    size.ws_row = 40;
    size.ws_col = 200;
    pid_ = forkpty(&master, nullptr, nullptr, &size);
    MEADOW_ASSERT(pid_ >= 0);
    if (pid_ == 0) exec_shell(binary, args, env);
    in_fd_ = out_fd_ = master;
    return;
  }
  int in_pipe[2], out_pipe[2];
  MEADOW_ASSERT(pipe(in_pipe) == 0 && pipe(out_pipe) == 0);
  const std::string err_path = data_dir_ + ".shell.err";
  pid_ = fork();
  MEADOW_ASSERT(pid_ >= 0);
  if (pid_ == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err >= 0) dup2(err, 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) close(fd);
    exec_shell(binary, args, env);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  in_fd_ = in_pipe[1];
  out_fd_ = out_pipe[0];
}

ShellDriver::~ShellDriver() {
  close_input();
  if (!wait_exit(30s)) {
    kill(pid_, SIGKILL);
    wait_exit(10s);
  }
  // A shell that failed to stop its nodes must not leak them: kill the pids it recorded.
  for (pid_t pid : live_node_pids(data_dir_)) kill(pid, SIGKILL);
  if (out_fd_ >= 0) close(out_fd_);
  if (in_fd_ >= 0 && in_fd_ != out_fd_) close(in_fd_);
}

void ShellDriver::type(const std::string& text) {
  MEADOW_ASSERT(in_fd_ >= 0);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(in_fd_, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void ShellDriver::send(const std::string& line) { type(line + (mode_ == Mode::pty ? "\r" : "\n")); }

bool ShellDriver::read_some(std::chrono::steady_clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{out_fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buf[4096];
  const ssize_t n = read(out_fd_, buf, sizeof buf);
  if (n <= 0) return false;
  buffer_.append(buf, static_cast<std::size_t>(n));
  transcript_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::string> ShellDriver::expect_line(
    const std::function<bool(const std::string&)>& match, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    std::size_t nl;
    while ((nl = buffer_.find('\n')) != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (match(line)) return line;
    }
    if (!read_some(until)) return std::nullopt;
  }
}

std::optional<std::string> ShellDriver::expect_text(const std::string& text,
                                                    std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (const auto at = buffer_.find(text); at != std::string::npos) {
      std::string out = buffer_.substr(0, at + text.size());
      buffer_.erase(0, at + text.size());
      return out;
    }
    if (!read_some(until)) return std::nullopt;
  }
}

std::optional<std::string> ShellDriver::expect_result(const std::string& command,
                                                      std::chrono::milliseconds deadline) {
  const std::string prefix = "{\"command\":\"" + command + "\",";
  return expect_line([&](const std::string& l) { return l.rfind(prefix, 0) == 0; }, deadline);
}

std::optional<std::string> ShellDriver::expect_event(const std::string& kind,
                                                     std::chrono::milliseconds deadline) {
  return expect_line([&](const std::string& l) { return is_event(l, kind); }, deadline);
}

void ShellDriver::close_input() {
  if (exit_code_) return;
  if (mode_ == Mode::pty) {
    type("\x04");  // Ctrl-D at an empty line: EOF
  } else if (in_fd_ >= 0) {
    close(in_fd_);
    in_fd_ = -1;
  }
}

std::optional<int> ShellDriver::wait_exit(std::chrono::milliseconds deadline) {
  if (exit_code_) return exit_code_;
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = decode_status(status);
      return exit_code_;
    }
    // Drain output so a shell blocked on a full pipe can finish.
    if (!read_some(std::min(until, std::chrono::steady_clock::now() + 20ms)) &&
        std::chrono::steady_clock::now() >= until)
      return std::nullopt;
  }
}

std::optional<std::uint64_t> json_uint(const std::string& line, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  for (auto at = line.find(needle); at != std::string::npos; at = line.find(needle, at + 1)) {
    const std::size_t start = at + needle.size();
    std::size_t end = start;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
    if (end > start) return std::stoull(line.substr(start, end - start));
  }
  return std::nullopt;
}

bool is_result(const std::string& line, const std::string& command, bool ok) {
  return line.rfind("{\"command\":\"" + command + "\",\"ok\":" + (ok ? "true" : "false"), 0) == 0;
}

bool is_event(const std::string& line, const std::string& kind) {
  return line.rfind("{\"event\":\"" + kind + "\"", 0) == 0;
}

std::optional<transport::Manifest> cluster_manifest(const std::string& data_dir,
                                                    std::string& error) {
  return transport::read_manifest(data_dir + "/" + transport::kManifestFileName, error);
}

std::vector<pid_t> live_node_pids(const std::string& data_dir) {
  std::string error;
  const std::string manifest_path = data_dir + "/" + transport::kManifestFileName;
  auto manifest = cluster_manifest(data_dir, error);
  std::vector<pid_t> out;
  if (!manifest) return out;
  for (const auto& node : manifest->nodes) {
    if (node.pid <= 0) continue;
    std::ifstream in("/proc/" + std::to_string(node.pid) + "/cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ifstream stat("/proc/" + std::to_string(node.pid) + "/stat");
    std::string stat_line;
    std::getline(stat, stat_line);
    const auto close = stat_line.rfind(')');
    const bool zombie = close != std::string::npos && close + 2 < stat_line.size() &&
                        stat_line[close + 2] == 'Z';
    if (!zombie && cmdline.find(manifest_path) != std::string::npos)
      out.push_back(static_cast<pid_t>(node.pid));
  }
  return out;
}

}  // namespace meadow::test
