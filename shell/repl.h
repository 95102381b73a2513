// The three ways commands reach a Session besides one-shot: -c text, a script on stdin, and the
// interactive line editor (libedit: history, tab completion, and cluster events printed between
// prompts without garbling the line being typed). All end in Session::execute_line.
#pragma once

#include <istream>
#include <string>
#include <string_view>

#include "shell/session.h"

namespace meadow::shell {

/// Runs every command of `text` (separated by ';' or newlines) until one asks to exit.
/// Returns false if the shell should exit (exit command or SIGTERM/SIGHUP).
bool run_script_text(Session& session, std::string_view text);

/// Runs `in` line by line (stdin that is not a terminal) until EOF or exit.
void run_script_stream(Session& session, std::istream& in);

/// The interactive loop on the terminal (stdin/stdout): libedit with the prompt from the
/// session, history loaded from and saved to `history_path`, completion from the command table,
/// the nodes polled every 250 ms (25 ms during an election) and changes reported between
/// prompts. Returns at exit, Ctrl-D, SIGTERM or SIGHUP.
void run_interactive(Session& session, const std::string& history_path);

}  // namespace meadow::shell
