// The command handlers named by the rows of command_table.cpp. Each takes the session and a
// parsed, arity-checked invocation and returns a CommandResult; none prints.
#pragma once

#include "shell/command_spec.h"

namespace meadow::shell {

// kv_commands.cpp — reads and writes through transport::Client
CommandResult run_put(Session& session, const Invocation& inv);
CommandResult run_get(Session& session, const Invocation& inv);
CommandResult run_delete(Session& session, const Invocation& inv);
CommandResult run_scan(Session& session, const Invocation& inv);

// status_commands.cpp — the cluster's state as the nodes report it
CommandResult run_status(Session& session, const Invocation& inv);
CommandResult run_leader(Session& session, const Invocation& inv);
CommandResult run_snapshot(Session& session, const Invocation& inv);

// process_commands.cpp — node processes named in the manifest
CommandResult run_kill(Session& session, const Invocation& inv);
CommandResult run_stop(Session& session, const Invocation& inv);
CommandResult run_start(Session& session, const Invocation& inv);
CommandResult run_restart(Session& session, const Invocation& inv);
CommandResult run_logs(Session& session, const Invocation& inv);

// fault_commands.cpp — injected network faults and paused processes
CommandResult run_partition(Session& session, const Invocation& inv);
CommandResult run_isolate(Session& session, const Invocation& inv);
CommandResult run_heal(Session& session, const Invocation& inv);
CommandResult run_delay(Session& session, const Invocation& inv);
CommandResult run_drop(Session& session, const Invocation& inv);
CommandResult run_pause(Session& session, const Invocation& inv);  ///< pause and resume
CommandResult run_faults(Session& session, const Invocation& inv);

// scenario_commands.cpp — assertions and pacing for scenario scripts
CommandResult run_expect(Session& session, const Invocation& inv);
CommandResult run_wait(Session& session, const Invocation& inv);
CommandResult run_sleep(Session& session, const Invocation& inv);
CommandResult run_set(Session& session, const Invocation& inv);

// inspect_commands.cpp — leadership transfer, logs side by side, read-only SQL
CommandResult run_transfer_leader(Session& session, const Invocation& inv);
CommandResult run_log(Session& session, const Invocation& inv);
CommandResult run_sql(Session& session, const Invocation& inv);

// timeline_commands.cpp — the cluster's story as it happens, and background load
CommandResult run_timeline(Session& session, const Invocation& inv);
CommandResult run_events(Session& session, const Invocation& inv);
CommandResult run_load(Session& session, const Invocation& inv);

// membership_commands.cpp — growing and shrinking the cluster one server at a time
CommandResult run_add_node(Session& session, const Invocation& inv);
CommandResult run_remove_node(Session& session, const Invocation& inv);

// meta_commands.cpp — the shell itself
CommandResult run_help(Session& session, const Invocation& inv);
CommandResult run_exit(Session& session, const Invocation& inv);

}  // namespace meadow::shell
