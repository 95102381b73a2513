#include "tests/jepsen/final_state.h"

#include <set>
#include <tuple>

namespace meadow::jepsen {

namespace wire = transport::wire;

std::optional<KeyState> read_node_state(transport::ClientOptions one_node,
                                        const std::string& prefix) {
  one_node.endpoints.resize(1);
  transport::Client client(one_node);
  auto r = client.scan(wire::ScanMode::prefix, prefix, "", 100000, wire::ReadConsistency::stale);
  if (!r.ok() || r.value.more) return std::nullopt;
  KeyState state;
  for (auto& kv : r.value.items) state[kv.key] = kv.value;
  return state;
}

bool same_indexes(const std::vector<NodeStatus>& statuses, std::string& view) {
  std::optional<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>> first;
  view.clear();
  bool same = true;
  for (const auto& [id, s] : statuses) {
    if (!s) {
      view += " node " + std::to_string(id) + ": no answer;";
      same = false;
      continue;
    }
    const auto mine = std::make_tuple(s->commit_index, s->last_applied, s->last_index);
    view += " node " + std::to_string(id) + ": commit " + std::to_string(s->commit_index) +
            " applied " + std::to_string(s->last_applied) + " last " +
            std::to_string(s->last_index) + ";";
    if (s->commit_index != s->last_applied || s->last_applied != s->last_index) same = false;
    if (!first) first = mine;
    if (*first != mine) same = false;
  }
  return same;
}

std::string diff_states(const KeyState& a, const KeyState& b) {
  std::string out;
  int shown = 0;
  auto note = [&](const std::string& line) {
    if (shown++ < 5) out += "\n    " + line;
  };
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end())
      note(k + ": " + v + " vs absent");
    else if (it->second != v)
      note(k + ": " + v + " vs " + it->second);
  }
  for (const auto& [k, v] : b)
    if (!a.count(k)) note(k + ": absent vs " + v);
  if (shown > 5) out += "\n    ... " + std::to_string(shown - 5) + " more";
  return out;
}

void append_final_reads(std::vector<Op>& history, const KeyState& final_state,
                        std::int64_t at_ns, const std::string& note) {
  std::set<std::string> keys;
  for (const Op& op : history) keys.insert(op.key);
  for (const auto& [k, v] : final_state) keys.insert(k);
  std::uint64_t id = 1u << 30;
  for (const std::string& key : keys) {
    Op op;
    op.id = id++;
    op.process = -1;
    op.kind = OpKind::get;
    op.key = key;
    if (auto it = final_state.find(key); it != final_state.end()) op.value = it->second;
    op.invoke_ns = at_ns;
    op.complete_ns = at_ns + 1;
    op.note = note;
    history.push_back(std::move(op));
  }
}

}  // namespace meadow::jepsen
