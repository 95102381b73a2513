#include "shell/signals.h"

#include <csignal>

namespace meadow::shell {
namespace {

volatile std::sig_atomic_t interrupted = 0;
volatile std::sig_atomic_t quit = 0;

void on_interrupt(int) { interrupted = 1; }
void on_quit(int) { quit = 1; }

}  // namespace

void install_signal_handlers() {
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sa.sa_handler = on_interrupt;
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = on_quit;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, nullptr);
}

bool take_interrupt() {
  const bool was = interrupted != 0;
  interrupted = 0;
  return was;
}

bool quit_requested() { return quit != 0; }

}  // namespace meadow::shell
