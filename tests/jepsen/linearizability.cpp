// The search follows Lowe, "Testing for linearizability" (2017) and Porcupine's checkSingle:
// events (call/return) in time order in a doubly linked list; linearizing an op lifts its call
// and return out of the list; reaching a return whose op is not yet linearized means backtrack.
// A (linearized-set, register state) pair already seen is never explored twice.
#include "tests/jepsen/linearizability.h"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace meadow::jepsen {

namespace {

constexpr int kAbsent = -1;        // register state: key not present
constexpr int kNeverWritten = -2;  // a read result no put wrote: matches no state

// One op as the search sees it: its effect on (or expectation of) the register.
struct SearchOp {
  OpKind kind = OpKind::get;
  int value = kAbsent;  // put: written id; get: read id
};

struct Event {
  std::int64_t time = 0;
  bool is_call = false;
  int op = 0;
};

struct Config {
  std::vector<std::uint64_t> linearized;
  int state = kAbsent;
  bool operator==(const Config&) const = default;
};

struct ConfigHash {
  std::size_t operator()(const Config& c) const {
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ static_cast<std::uint64_t>(c.state + 3);
    for (std::uint64_t w : c.linearized) {
      h ^= w + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
      h *= 0xbf58476d1ce4e5b9ull;
    }
    return static_cast<std::size_t>(h ^ (h >> 31));
  }
};

struct SearchResult {
  Verdict verdict = Verdict::linearizable;
  std::uint64_t steps = 0;
};

// Only ops that constrain the register take part: failed ops never happened, and a get whose
// answer we never learned (info/fail) says nothing. Unknown (info) writes are bounded as the etcd
// robustness tests do, which keeps the search from trying every subset of them: a put whose
// unique value nobody read may as well never have happened (dropped); one that was read took
// effect before the first such read returned (that is its return); a delete nobody could have
// observed (no not-found read ends after its invoke) is dropped too. Each rule keeps exactly the
// linearizations that were possible.
std::vector<Op> relevant(const std::vector<Op>& ops) {
  std::map<std::string, std::int64_t> first_read_return;
  std::int64_t last_not_found_return = -1;
  for (const Op& op : ops) {
    if (op.kind != OpKind::get || op.outcome != Outcome::ok) continue;
    if (!op.value) {
      last_not_found_return = std::max(last_not_found_return, op.complete_ns);
      continue;
    }
    auto [it, fresh] = first_read_return.emplace(*op.value, op.complete_ns);
    if (!fresh) it->second = std::min(it->second, op.complete_ns);
  }
  std::vector<Op> out;
  for (const Op& op : ops) {
    if (op.outcome == Outcome::fail) continue;
    if (op.kind == OpKind::get && op.outcome != Outcome::ok) continue;
    if (op.outcome == Outcome::info && op.kind == OpKind::put) {
      auto it = first_read_return.find(*op.value);
      if (it == first_read_return.end()) continue;
      if (it->second >= op.invoke_ns) {
        Op bounded = op;
        bounded.outcome = Outcome::ok;
        bounded.complete_ns = it->second;
        bounded.note = "info, bounded by the first read of its value";
        out.push_back(std::move(bounded));
        continue;
      }
      // Read before it was even invoked: keep it open; the search will reject the history.
    }
    if (op.outcome == Outcome::info && op.kind == OpKind::del &&
        last_not_found_return < op.invoke_ns)
      continue;
    out.push_back(op);
  }
  return out;
}

SearchResult search(const std::vector<Op>& ops, std::uint64_t max_steps) {
  const int n = static_cast<int>(ops.size());
  std::map<std::string, int> value_ids;
  std::vector<SearchOp> sops(n);
  for (int i = 0; i < n; ++i) {
    if (ops[i].kind == OpKind::put) {
      sops[i] = {
          OpKind::put,
          value_ids.emplace(*ops[i].value, static_cast<int>(value_ids.size())).first->second};
    }
  }
  for (int i = 0; i < n; ++i) {
    if (ops[i].kind == OpKind::del) sops[i] = {OpKind::del, kAbsent};
    if (ops[i].kind != OpKind::get) continue;
    int read = kAbsent;
    if (ops[i].value) {
      auto it = value_ids.find(*ops[i].value);
      read = it == value_ids.end() ? kNeverWritten : it->second;
    }
    sops[i] = {OpKind::get, read};
  }

  // Events in time order; at equal times calls come first (touching ops count as concurrent).
  std::vector<Event> events;
  events.reserve(2 * n);
  for (int i = 0; i < n; ++i) {
    events.push_back({ops[i].invoke_ns, true, i});
    const bool open = ops[i].outcome == Outcome::info;
    events.push_back({open ? kNever : ops[i].complete_ns, false, i});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    return a.is_call && !b.is_call;
  });
  // Linked list over event positions 1..2n; 0 is the head, -1 the end.
  const int size = 2 * n + 1;
  std::vector<int> next(size), prev(size), partner(size), op_at(size);
  std::vector<bool> is_call(size);
  std::vector<int> call_pos(n), ret_pos(n);
  for (int p = 0; p < size; ++p) {
    next[p] = p + 1 < size ? p + 1 : -1;
    prev[p] = p - 1;
  }
  for (int k = 0; k < 2 * n; ++k) {
    const int p = k + 1;
    op_at[p] = events[k].op;
    is_call[p] = events[k].is_call;
    (events[k].is_call ? call_pos : ret_pos)[events[k].op] = p;
  }
  for (int i = 0; i < n; ++i) {
    partner[call_pos[i]] = ret_pos[i];
    partner[ret_pos[i]] = call_pos[i];
  }
  auto unlink = [&](int p) {
    next[prev[p]] = next[p];
    if (next[p] != -1) prev[next[p]] = prev[p];
  };
  auto relink = [&](int p) {
    next[prev[p]] = p;
    if (next[p] != -1) prev[next[p]] = p;
  };
  auto lift = [&](int call) {
    unlink(call);
    unlink(partner[call]);
  };
  auto unlift = [&](int call) {  // reverse order of lift
    relink(partner[call]);
    relink(call);
  };

  Config current{std::vector<std::uint64_t>((n + 63) / 64, 0), kAbsent};
  std::unordered_set<Config, ConfigHash> seen;
  struct Frame {
    int call;
    int state_before;
  };
  std::vector<Frame> stack;
  SearchResult result;
  int entry = next[0];
  while (entry != -1) {
    if (++result.steps > max_steps) {
      result.verdict = Verdict::undecided;
      return result;
    }
    const int op = op_at[entry];
    if (is_call[entry]) {
      const SearchOp& s = sops[op];
      bool legal = true;
      int after = current.state;
      if (s.kind == OpKind::get) {
        legal = current.state == s.value;
      } else {
        after = s.value;
      }
      if (legal) {
        Config candidate = current;
        candidate.linearized[op / 64] |= 1ull << (op % 64);
        candidate.state = after;
        if (seen.insert(candidate).second) {
          stack.push_back({entry, current.state});
          current = std::move(candidate);
          lift(entry);
          entry = next[0];
          continue;
        }
      }
      entry = next[entry];
    } else {
      // A return of an op not yet linearized: everything before it is stuck; backtrack.
      if (stack.empty()) {
        result.verdict = Verdict::not_linearizable;
        return result;
      }
      const Frame top = stack.back();
      stack.pop_back();
      const int undone = op_at[top.call];
      current.linearized[undone / 64] &= ~(1ull << (undone % 64));
      current.state = top.state_before;
      unlift(top.call);
      entry = next[top.call];
    }
  }
  return result;
}

// Greedy shrinking to a 1-minimal violating sub-history: first the shortest violating prefix
// (by invoke), then drop every op whose removal keeps the violation.
std::vector<Op> shrink(std::vector<Op> ops, std::uint64_t steps) {
  std::sort(ops.begin(), ops.end(),
            [](const Op& a, const Op& b) { return a.invoke_ns < b.invoke_ns; });
  auto violates = [&](const std::vector<Op>& h) {
    return search(h, steps).verdict == Verdict::not_linearizable;
  };
  std::size_t lo = 1, hi = ops.size();  // answer in [lo, hi]; hi violates
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (violates(std::vector<Op>(ops.begin(), ops.begin() + static_cast<std::ptrdiff_t>(mid))))
      hi = mid;
    else
      lo = mid + 1;
  }
  std::vector<Op> kept(ops.begin(), ops.begin() + static_cast<std::ptrdiff_t>(hi));
  // Until nothing more can go: a put skipped because a read of its value was still there may
  // become removable once that read is gone.
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = kept.size(); i-- > 0;) {
      // Keep the write of every value a kept read returned: without it the read would be
      // "a value nobody wrote", a different (and less telling) violation.
      const Op& candidate = kept[i];
      if (candidate.kind == OpKind::put && std::any_of(kept.begin(), kept.end(), [&](const Op& o) {
            return o.kind == OpKind::get && o.value == candidate.value;
          }))
        continue;
      std::vector<Op> without = kept;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
      if (!without.empty() && violates(without)) {
        kept = std::move(without);
        changed = true;
      }
    }
  }
  return kept;
}

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::linearizable: return "linearizable";
    case Verdict::not_linearizable: return "NOT linearizable";
    case Verdict::undecided: return "undecided (search budget exhausted)";
  }
  return "?";
}

KeyResult check_key(const std::vector<Op>& ops, const CheckOptions& options) {
  KeyResult out;
  if (!ops.empty()) out.key = ops.front().key;
  const std::vector<Op> history = relevant(ops);
  out.ops = history.size();
  const SearchResult r = search(history, options.max_steps_per_key);
  out.verdict = r.verdict;
  out.steps = r.steps;
  if (r.verdict == Verdict::undecided) {
    out.reason = "search gave up after " + std::to_string(r.steps) + " steps";
  } else if (r.verdict == Verdict::not_linearizable) {
    out.reason = "no order of these operations explains what the clients saw";
    out.involved = options.shrink ? shrink(history, options.shrink_steps) : history;
  }
  return out;
}

CheckResult check_history(const std::vector<Op>& ops, const CheckOptions& options) {
  std::map<std::string, std::vector<Op>> by_key;
  for (const Op& op : ops) by_key[op.key].push_back(op);
  CheckResult result;
  result.keys = by_key.size();
  auto worsen = [&](Verdict v) {
    if (v == Verdict::not_linearizable ||
        (v == Verdict::undecided && result.verdict == Verdict::linearizable))
      result.verdict = v;
  };
  for (const auto& [key, key_ops] : by_key) {
    // Reads of failed writes, named directly: clearer than a search failure.
    std::map<std::string, const Op*> failed_puts;
    for (const Op& op : key_ops)
      if (op.kind == OpKind::put && op.outcome == Outcome::fail) failed_puts[*op.value] = &op;
    for (const Op& op : key_ops) {
      if (op.kind != OpKind::get || op.outcome != Outcome::ok || !op.value) continue;
      auto it = failed_puts.find(*op.value);
      if (it == failed_puts.end()) continue;
      KeyResult bad;
      bad.key = key;
      bad.verdict = Verdict::not_linearizable;
      bad.reason = "read of a value whose write failed";
      bad.involved = {*it->second, op};
      result.problems.push_back(bad);
      worsen(bad.verdict);
    }
    KeyResult r = check_key(key_ops, options);
    result.steps += r.steps;
    worsen(r.verdict);
    if (r.verdict != Verdict::linearizable) result.problems.push_back(std::move(r));
  }
  return result;
}

}  // namespace meadow::jepsen
