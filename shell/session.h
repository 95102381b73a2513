// Session: one shell's state and the single path from a command line to its handler, shared by
// the interactive REPL, -c, stdin scripts and one-shot commands: split, look up the table row,
// parse, run, render, then poll the cluster and report what changed. Knows the cluster through
// its manifest (launched or attached: process control available) or only its endpoints
// (--connect). Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shell/cluster_monitor.h"
#include "shell/command_spec.h"
#include "shell/leader_watch.h"
#include "shell/load_generator.h"
#include "shell/timeline_watch.h"
#include "shell/local_cluster.h"
#include "shell/output.h"
#include "transport/client.h"

namespace meadow::shell {

struct SessionOptions {
  std::chrono::milliseconds timeout{5000};          ///< reads, writes, leader wait, start wait
  std::chrono::milliseconds status_deadline{300};   ///< per node, for status polls
  std::chrono::milliseconds stop_grace{5000};       ///< SIGTERM -> SIGKILL
  bool watch = true;        ///< poll the nodes after each command and report changes
  bool interactive = false; ///< a person at a terminal (logs --follow allowed)
};

/// An event with the time since the shell started (for `events` and `timeline`).
struct TimedEvent {
  std::chrono::milliseconds at{0};
  Event event;
};

class Session {
 public:
  /// Manifest mode: `cluster` launched by this shell or attached.
  Session(LocalCluster cluster, Output& output, SessionOptions options);
  /// Endpoint mode (--connect): reads and writes only, no process control.
  Session(std::vector<transport::ClientEndpoint> endpoints, std::string cluster_id,
          Output& output, SessionOptions options);

  /// Splits `line` and runs it (see execute). Blank lines and comments do nothing.
  /// Returns false when the shell should exit.
  bool execute_line(std::string_view line);
  /// Runs `args` (args[0] = command) through its table row and renders the result; then, if
  /// watching, polls the nodes and reports events. Returns false when the shell should exit.
  bool execute(const std::vector<std::string>& args);
  /// Looks up, parses and runs `args` without rendering.
  CommandResult dispatch(const std::vector<std::string>& args);

  /// Polls every node now and returns the changes (not printed): leader and up/down events,
  /// plus with `details` the timeline's finer ones (elections started, commit rate), which are
  /// otherwise only recorded in the history.
  std::vector<Event> poll_events(bool details = false);
  /// Prints `events` through the output.
  void report(const std::vector<Event>& events);
  /// poll_events() + report(); returns the fresh view.
  const ClusterView& refresh();
  /// Polls until a leader answers or `deadline` passes, reporting events if `report`; calls
  /// `tick` after each poll, and stops early if it returns false. Returns the view with the
  /// leader, or nullopt.
  std::optional<ClusterView> wait_for_leader(std::chrono::milliseconds deadline,
                                             const std::function<bool()>& tick = {},
                                             bool report = true);

  /// e.g. "meadow [3 nodes, leader 2]> ", from the last poll.
  std::string prompt() const;
  /// Commands that failed so far.
  int errors() const { return errors_; }

  /// Records a fault the shell applied (already printed as the command's result) in the
  /// history, as event "fault" with `data` merged in.
  void note_fault(const JsonValue& data, const std::string& text);
  /// The recent events (reported or noted), oldest first; at most kHistoryLimit.
  const std::deque<TimedEvent>& history() const { return history_; }
  /// Time since the session started.
  std::chrono::milliseconds elapsed() const;
  /// Adds `event` to the history (stamped now) without printing it.
  void record(const Event& event);

  /// The background write load (`load start`), or nullptr.
  LoadGenerator* load() { return load_.get(); }
  /// Starts the load at `rate` writes/s (precondition: none running); stop_load() ends it.
  void start_load(std::uint32_t rate);
  /// Stops the load (waits for its write in flight) and returns its totals.
  LoadGenerator::Counts stop_load();
  static constexpr std::size_t kHistoryLimit = 10000;

  /// Script variables (`set NAME VALUE`): a word that is exactly `$NAME` of a defined NAME is
  /// replaced by VALUE before a command runs; other words are left alone.
  void set_variable(const std::string& name, std::string value) { variables_[name] = std::move(value); }

  /// Re-reads the manifest after nodes were added or removed: node ids, the client's endpoints
  /// and the monitor follow it (manifest mode only; the load keeps its own connections).
  void reload_nodes();

  // --- for handlers ---
  transport::Client& client() { return *client_; }
  /// The manifest-backed cluster, or nullptr in endpoint mode.
  LocalCluster* cluster() { return cluster_ ? &*cluster_ : nullptr; }
  const ClusterView& last_view() const { return view_; }
  LeaderWatch& watch() { return watch_; }
  Output& output() { return output_; }
  const SessionOptions& options() const { return options_; }
  std::vector<std::uint64_t> node_ids() const { return ids_; }
  /// Endpoint index of node `id` (precondition: a known id).
  std::size_t endpoint_index(std::uint64_t id) const;
  /// Parses a node id argument of `command`; sets `error` (invalid_arguments or
  /// node_out_of_range) and returns nullopt if it is not one of this cluster's ids.
  std::optional<std::uint64_t> parse_node_id(std::string_view command, std::string_view text,
                                             CommandResult& error) const;
  /// The error for a request that missed its deadline: no_quorum naming the down nodes (after
  /// a fresh poll), or timeout when every node is up.
  CommandResult deadline_error(std::string_view what, const std::string& client_message);

 private:
  void init(const std::vector<transport::ClientEndpoint>& endpoints, const std::string& cluster_id);
  std::vector<NodeProcess> processes();

  std::optional<LocalCluster> cluster_;
  Output& output_;
  SessionOptions options_;
  std::vector<std::uint64_t> ids_;
  std::unique_ptr<transport::Client> client_;
  std::unique_ptr<ClusterMonitor> monitor_;
  ClusterView view_;
  LeaderWatch watch_;
  int errors_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::deque<TimedEvent> history_;
  std::map<std::string, std::string> variables_;
  std::string cluster_id_;
  TimelineWatch timeline_;
  std::unique_ptr<LoadGenerator> load_;
};

}  // namespace meadow::shell
