#include "shell/session.h"

#include <thread>

#include "shell/arg_split.h"
#include "shell/completion.h"

namespace meadow::shell {

Session::Session(LocalCluster cluster, Output& output, SessionOptions options)
    : cluster_(std::move(cluster)), output_(output), options_(options) {
  std::vector<transport::ClientEndpoint> endpoints;
  for (const auto& n : cluster_->manifest().nodes)
    endpoints.push_back({n.id, n.client_endpoint, ""});
  init(endpoints, cluster_->manifest().cluster_id);
}

Session::Session(std::vector<transport::ClientEndpoint> endpoints, std::string cluster_id,
                 Output& output, SessionOptions options)
    : output_(output), options_(options) {
  init(endpoints, cluster_id);
}

void Session::init(const std::vector<transport::ClientEndpoint>& endpoints,
                   const std::string& cluster_id) {
  transport::ClientOptions client_options;
  client_options.endpoints = endpoints;
  client_options.cluster_id = cluster_id;
  client_options.deadline = options_.timeout;
  client_options.attempt_timeout = std::min(options_.timeout, std::chrono::milliseconds(500));
  client_ = std::make_unique<transport::Client>(std::move(client_options));
  ids_.clear();
  for (const auto& e : endpoints) ids_.push_back(e.id);
  cluster_id_ = cluster_id;
  monitor_ = std::make_unique<ClusterMonitor>(processes(), cluster_id, options_.status_deadline);
}

void Session::reload_nodes() {
  if (!cluster_) return;
  cluster_->refresh();
  std::vector<transport::ClientEndpoint> endpoints;
  for (const auto& n : cluster_->manifest().nodes)
    endpoints.push_back({n.id, n.client_endpoint, ""});
  init(endpoints, cluster_->manifest().cluster_id);
}

std::vector<NodeProcess> Session::processes() {
  std::vector<NodeProcess> out;
  if (cluster_) {
    cluster_->refresh();
    for (const auto& n : cluster_->manifest().nodes)
      out.push_back({n.id, n.client_endpoint, true, cluster_->running_pid(n.id)});
  } else {
    for (const auto& e : client_->endpoints()) out.push_back({e.id, e.endpoint, false, 0});
  }
  return out;
}

std::size_t Session::endpoint_index(std::uint64_t id) const {
  for (std::size_t i = 0; i < ids_.size(); ++i)
    if (ids_[i] == id) return i;
  return 0;
}

bool Session::execute_line(std::string_view line) {
  const SplitResult split = split_args(line);
  if (!split.ok()) {
    const auto first = line.find_first_not_of(" \t");
    const std::string word(
        first == std::string_view::npos ? "" : line.substr(first, line.find_first_of(" \t", first) - first));
    ++errors_;
    output_.result(word, CommandResult::failure("syntax_error", split.error));
    return true;
  }
  return execute(split.args);
}

CommandResult Session::dispatch(const std::vector<std::string>& args) {
  const CommandSpec* spec = find_command(args[0]);
  if (!spec) {
    std::string message = "unknown command " + quote_arg(args[0]);
    if (auto suggestion = did_you_mean(args[0], command_table()))
      message += "; did you mean " + *suggestion + "?";
    return CommandResult::failure("unknown_command", message + " (type help for the list)");
  }
  std::string error;
  auto inv = parse_invocation(*spec, args, error);
  if (!inv) return CommandResult::failure("invalid_arguments", error);
  return spec->handler(*this, *inv);
}

bool Session::execute(const std::vector<std::string>& words) {
  if (words.empty()) return true;
  std::vector<std::string> args = words;
  for (auto& arg : args)
    if (arg.size() > 1 && arg[0] == '$')
      if (auto it = variables_.find(arg.substr(1)); it != variables_.end()) arg = it->second;
  if (cluster_) {
    // Another shell (or a one-shot add-node) may have changed the members since.
    cluster_->refresh();
    if (cluster_->ids() != ids_) reload_nodes();
  }
  const CommandResult result = dispatch(args);
  if (!result.ok) ++errors_;
  output_.result(args[0], result);
  if (result.exit) return false;
  if (options_.watch && find_command(args[0]) && args[0] != "help") refresh();
  return true;
}

std::vector<Event> Session::poll_events(bool details) {
  view_ = monitor_->poll(processes());
  const auto now = LeaderWatch::Clock::now();
  auto events = watch_.observe(view_, now);
  for (auto& e : timeline_.observe(view_, now)) {
    if (details) {
      events.push_back(std::move(e));
    } else {
      record(e);
    }
  }
  return events;
}

LoadGenerator::Counts Session::stop_load() {
  if (!load_) return {};
  load_->stop();
  const auto totals = load_->total();
  load_.reset();
  return totals;
}

void Session::start_load(std::uint32_t rate) {
  load_ = std::make_unique<LoadGenerator>(client_->endpoints(), cluster_id_, rate,
                                          std::min(options_.timeout, std::chrono::milliseconds(1000)));
}

void Session::report(const std::vector<Event>& events) {
  for (const auto& e : events) {
    record(e);
    output_.event(e);
  }
}

void Session::record(const Event& event) {
  history_.push_back({elapsed(), event});
  if (history_.size() > kHistoryLimit) history_.pop_front();
}

void Session::note_fault(const JsonValue& data, const std::string& text) {
  record({"fault", data, text});
}

std::chrono::milliseconds Session::elapsed() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started_);
}

const ClusterView& Session::refresh() {
  report(poll_events());
  return view_;
}

std::optional<ClusterView> Session::wait_for_leader(std::chrono::milliseconds deadline,
                                                    const std::function<bool()>& tick,
                                                    bool report_events) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    const auto events = poll_events();
    if (report_events) report(events);
    if (view_.leader != 0) return view_;
    if (tick && !tick()) return std::nullopt;
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    // Nodes push nothing to the shell; asking again after a short pause is how it watches.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string Session::prompt() const {
  std::string state = std::to_string(ids_.size()) + (ids_.size() == 1 ? " node" : " nodes");
  const std::size_t down = view_.nodes.empty() ? 0 : view_.down_ids().size();
  if (down) state += ", " + std::to_string(down) + " down";
  state += view_.leader ? ", leader " + std::to_string(view_.leader) : ", no leader";
  return "meadow [" + state + "]> ";
}

std::optional<std::uint64_t> Session::parse_node_id(std::string_view command,
                                                    std::string_view text,
                                                    CommandResult& error) const {
  std::uint64_t id = 0;
  bool digits = !text.empty() && text.size() < 19;
  for (char c : text) {
    digits = digits && c >= '0' && c <= '9';
    if (digits) id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  // Ids need not be 1..N once nodes were added and removed: name them as they are.
  std::string range = join_ids(ids_);
  const bool contiguous = !ids_.empty() && ids_.front() == 1 && ids_.back() == ids_.size();
  if (contiguous && ids_.size() > 2) range = "1-" + std::to_string(ids_.back());
  if (!digits) {
    error = CommandResult::failure("invalid_arguments",
                                   std::string(command) + ": node id must be a number (" + range +
                                       "), not " + quote_arg(text));
    return std::nullopt;
  }
  for (auto known : ids_)
    if (known == id) return id;
  error = CommandResult::failure(
      "node_out_of_range", std::string(command) + ": there is no node " + std::to_string(id) +
                               " (this cluster has nodes " + range + ")");
  return std::nullopt;
}

CommandResult Session::deadline_error(std::string_view what, const std::string& client_message) {
  const ClusterView& view = refresh();
  const auto down = view.down_ids();
  const std::string ms = std::to_string(options_.timeout.count()) + " ms";
  if (!down.empty() || view.leader == 0) {
    std::string message = std::string(what) + " did not complete within " + ms + ": no quorum";
    if (!cluster_ && down.size() == ids_.size())
      // With --connect there are no pids to tell a dead node from a silent one, and nodes
      // drop requests of another cluster without a word.
      message += " (no node answered: are they running, and is --cluster-id right?)";
    else if (!down.empty())
      message += " (nodes down: " + join_ids(down) + " of " + std::to_string(ids_.size()) + ")";
    else
      message += " (no leader elected)";
    return CommandResult::failure("no_quorum", message);
  }
  return CommandResult::failure("timeout", std::string(what) + " did not complete within " + ms +
                                               ": " + client_message);
}

}  // namespace meadow::shell
