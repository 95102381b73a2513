// The shell's own signal handling: Ctrl-C (SIGINT) interrupts the line being typed or a running
// `logs --follow` instead of killing the shell (which would leave its nodes behind); SIGTERM and
// SIGHUP ask it to exit through the normal path, which stops the nodes it launched.
#pragma once

namespace meadow::shell {

/// Installs the handlers (no SA_RESTART: a blocking poll() returns EINTR).
void install_signal_handlers();
/// True once per SIGINT received since the last call.
bool take_interrupt();
/// True after SIGTERM or SIGHUP.
bool quit_requested();

}  // namespace meadow::shell
