#include "shell/repl.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <unistd.h>

#include <editline/readline.h>

#include "shell/arg_split.h"
#include "shell/completion.h"
#include "shell/signals.h"

namespace meadow::shell {
namespace {

// libedit's readline interface takes plain function pointers: the loop below keeps its state
// here for the callbacks. Only one interactive loop runs per process.
struct InteractiveState {
  Session* session = nullptr;
  bool done = false;
  bool line_handled = false;  // on_line ran: reinstall the handler to show a fresh prompt
  std::string prompt;
  std::vector<std::string> candidates;
};
InteractiveState state;

void on_line(char* raw) {
  if (raw == nullptr) {  // Ctrl-D
    std::fputs("\n", stdout);
    state.done = true;
    return;
  }
  const std::string line(raw);
  std::free(raw);
  if (line.find_first_not_of(" \t") != std::string::npos) add_history(line.c_str());
  for (const auto& command : split_commands(line)) {
    if (!state.session->execute_line(command) || quit_requested()) {
      state.done = true;
      return;
    }
  }
  state.line_handled = true;
}

char* next_candidate(const char*, int index) {
  static std::size_t next = 0;
  if (index == 0) next = 0;
  if (next >= state.candidates.size()) return nullptr;
  return strdup(state.candidates[next++].c_str());
}

char** on_complete(const char* text, int, int) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  state.candidates =
      complete(std::string_view(rl_line_buffer, static_cast<std::size_t>(rl_point)),
               command_table(), state.session->node_ids());
  if (state.candidates.empty()) return nullptr;
  return rl_completion_matches(text, next_candidate);
}

/// Prints `events` above the line being edited, then redraws prompt and line.
void print_between_prompts(const std::vector<Event>& events, const std::string& prompt) {
  std::fputs("\r\033[K", stdout);
  std::fflush(stdout);
  state.session->report(events);
  state.prompt = prompt;
  rl_set_prompt(state.prompt.c_str());
  rl_forced_update_display();
  std::fflush(stdout);
}

}  // namespace

bool run_script_text(Session& session, std::string_view text) {
  for (const auto& command : split_commands(text))
    if (!session.execute_line(command) || quit_requested() || take_interrupt()) return false;
  return true;
}

void run_script_stream(Session& session, std::istream& in) {
  for (std::string line; std::getline(in, line);)
    if (!run_script_text(session, line)) return;
}

void run_interactive(Session& session, const std::string& history_path) {
  using Clock = std::chrono::steady_clock;
  state = InteractiveState{};
  state.session = &session;
  state.prompt = session.prompt();
  // libedit's own handlers would re-send SIGINT/SIGTERM/SIGHUP to the whole process group
  // (kill(0, sig)), killing whatever started the shell; ours (signals.h) handle them.
  // Set before anything initialises libedit (using_history does), which reads it then.
  rl_catch_signals = 0;
  rl_readline_name = const_cast<char*>("meadow");
  rl_attempted_completion_function = on_complete;
  using_history();
  stifle_history(1000);
  read_history(history_path.c_str());
  rl_callback_handler_install(state.prompt.c_str(), on_line);

  auto next_poll = Clock::now();
  while (!state.done && !quit_requested()) {
    const auto interval = std::chrono::milliseconds(
        session.watch().election_in_progress() ? 25 : 250);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_poll - Clock::now());
    pollfd in{STDIN_FILENO, POLLIN, 0};
    int ready = ::poll(&in, 1, static_cast<int>(std::max<std::int64_t>(0, wait.count())));
    // Checked on every turn, not only when poll() says EINTR: a Ctrl-C that lands while the
    // loop polls the nodes or reads a key interrupts nothing, and must not be lost.
    if (take_interrupt()) {  // Ctrl-C: drop the line being typed, keep the shell
      std::fputs("^C\n", stdout);
      rl_replace_line("", 0);
      state.line_handled = true;  // start over at a fresh prompt, as after a command
      if (ready == 0) ready = -1;  // redraw now rather than after the next poll of the nodes
    }
    if (ready > 0) {
      if (in.revents & (POLLHUP | POLLERR) && !(in.revents & POLLIN)) break;
      rl_callback_read_char();
    }
    if (ready != 0) {
      if (state.line_handled && !state.done) {
        // libedit would only redraw the prompt at the next keystroke; reinstalling draws the
        // new prompt (with the cluster's state after the command) right away.
        state.line_handled = false;
        rl_callback_handler_remove();
        state.prompt = session.prompt();
        rl_callback_handler_install(state.prompt.c_str(), on_line);
      }
      std::fflush(stdout);  // libedit writes through stdio
      continue;
    }
    if (Clock::now() >= next_poll) {
      const auto events = session.poll_events();
      const std::string prompt = session.prompt();
      if (!events.empty() || prompt != state.prompt) print_between_prompts(events, prompt);
      next_poll = Clock::now() + interval;
    }
  }
  rl_callback_handler_remove();
  write_history(history_path.c_str());
}

}  // namespace meadow::shell
