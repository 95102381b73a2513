// Child processes of the shell: spawning `meadow node` detached from the terminal's signals,
// checking whether a pid is alive and is the process we think it is, signalling and waiting.
// POSIX/Linux (/proc); never looks processes up by name.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meadow::shell {

/// Starts argv[0] (a path) with `argv` in its own process group (Ctrl-C at the shell does not
/// reach it), with an empty signal mask and default signal dispositions, stdin from /dev/null,
/// stdout and stderr appended to `log_path`. Returns the pid, or nullopt and sets `error`.
std::optional<std::int64_t> spawn_process(const std::vector<std::string>& argv,
                                          const std::string& log_path, std::string& error);

/// True if `pid` (> 0) is a live process (zombies count as dead). If it is an exited child of
/// ours it is reaped here.
bool process_alive(std::int64_t pid);

/// The command line of `pid` from /proc (empty if it cannot be read).
std::vector<std::string> process_cmdline(std::int64_t pid);

/// The fields of /proc/PID/stat from the state letter on (proc(5) field 3 is [0], utime
/// field 14 is [11]); empty if the process is gone.
std::vector<std::string> process_stat_fields(std::int64_t pid);

/// True if `pid` is stopped by a signal (SIGSTOP: the shell's `pause`).
bool process_paused(std::int64_t pid);

/// Polls until `pid` is dead or `deadline` passes; returns whether it died.
bool wait_for_exit(std::int64_t pid, std::chrono::milliseconds deadline);

/// Sends `sig` to `pid` (no process group). Returns false if it no longer exists.
bool send_signal(std::int64_t pid, int sig);

/// The absolute path of the running executable (/proc/self/exe), for starting `meadow node`.
std::string self_executable();

}  // namespace meadow::shell
