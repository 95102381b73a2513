// Starting and ending a shell: start every node of a freshly prepared cluster, wait for the
// first leader (with a spinner on a terminal), print the banner (or the JSON "ready" event),
// and on exit stop the nodes this shell launched.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "shell/local_cluster.h"
#include "shell/session.h"

namespace meadow::shell {

/// Starts every node of `cluster`; on failure stops those it started and sets `error`.
bool start_all_nodes(LocalCluster& cluster, std::string& error);

/// Waits for a leader and prints the banner. `launched`: the nodes were just started, so no
/// leader within 20 s is an error (naming nodes that exited, with their last log line);
/// attached, the shell starts anyway. `spinner`: animate on `tty` while waiting.
bool greet(Session& session, bool launched, std::string_view version, bool spinner,
           std::ostream& tty, std::string& error);

/// On exit of a shell that `launched` the nodes: stops them unless `keep`, and says what
/// happened to them. An attached shell leaves them alone.
void farewell(Session& session, bool launched, bool keep);

}  // namespace meadow::shell
