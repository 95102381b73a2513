#include "shell/completion.h"

#include <algorithm>

#include "shell/arg_split.h"

namespace meadow::shell {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

const CommandSpec* find_in(const std::vector<CommandSpec>& table, std::string_view name) {
  for (const auto& spec : table)
    if (spec.name == name) return &spec;
  return nullptr;
}

const FlagSpec* find_flag(const CommandSpec& spec, std::string_view name) {
  for (const auto& f : spec.flags)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace

std::vector<std::string> complete(std::string_view line_before_cursor,
                                  const std::vector<CommandSpec>& table,
                                  const std::vector<std::uint64_t>& node_ids) {
  const SplitResult split = split_args(line_before_cursor);
  if (!split.ok()) return {};
  std::vector<std::string> words = split.args;
  std::string current;
  if (!split.ends_with_blank) {
    current = words.back();
    words.pop_back();
  }
  std::vector<std::string> candidates;
  auto offer_commands = [&] {
    for (const auto& spec : table) candidates.emplace_back(spec.name);
  };
  auto offer_node_ids = [&] {
    for (auto id : node_ids) candidates.push_back(std::to_string(id));
  };
  if (words.empty()) {
    offer_commands();
  } else if (const CommandSpec* spec = find_in(table, words[0])) {
    // Walk the words typed so far: count positionals, note a pending option value.
    std::size_t positionals = 0;
    const FlagSpec* awaiting_value = nullptr;
    bool options_done = false;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (awaiting_value) {
        awaiting_value = nullptr;
      } else if (!options_done && words[i] == "--") {
        options_done = true;
      } else if (const FlagSpec* f = options_done ? nullptr : find_flag(*spec, words[i])) {
        if (!f->value_name.empty()) awaiting_value = f;
      } else {
        ++positionals;
      }
    }
    if (awaiting_value) {
      if (awaiting_value->completes_node_id) offer_node_ids();
    } else if (!options_done && starts_with(current, "-")) {
      for (const auto& f : spec->flags)
        if (std::find(words.begin(), words.end(), f.name) == words.end())
          candidates.emplace_back(f.name);
    } else if (positionals == 0) {
      if (spec->completion == ArgCompletion::node_id) offer_node_ids();
      if (spec->completion == ArgCompletion::command) offer_commands();
    }
  }
  std::vector<std::string> out;
  for (auto& c : candidates)
    if (starts_with(c, current)) out.push_back(std::move(c));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<CommandSpec>& table) {
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  bool best_same_start = false;
  for (const auto& spec : table) {
    const std::size_t d = edit_distance(word, spec.name);
    // On a tie, a name with the same first letter wins: typos rarely hit the first key
    // ("hlep" is help, not sleep).
    const bool same_start = !word.empty() && word[0] == spec.name[0];
    const bool better = d < best_distance || (d == best_distance && best && same_start && !best_same_start);
    if (better && d < word.size()) {
      best = std::string(spec.name);
      best_distance = d;
      best_same_start = same_start;
    }
  }
  return best;
}

}  // namespace meadow::shell
