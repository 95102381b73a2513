// Store, part 3: the key-value state machine — applying committed commands exactly once through
// client sessions, in the same transaction as the applied index; reads in key (memcmp) order.
#include <sqlite3.h>

#include <limits>

#include "store/store.h"
#include "store/store_internal.h"

namespace meadow::store {
namespace {

// SQLite's LIMIT is signed; a negative limit means none.
std::uint64_t sql_limit(std::size_t limit) {
  return limit > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())
             ? std::numeric_limits<std::uint64_t>::max()  // reads back as -1
             : limit;
}

// The smallest byte string greater than every string starting with `prefix`, or nullopt if there
// is none (the prefix is empty or all 0xff bytes).
std::optional<std::string> prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (end.empty()) return std::nullopt;
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

Result<std::vector<KeyValue>> collect(Statement& st) {
  std::vector<KeyValue> out;
  for (;;) {
    auto row = st.step();
    if (!row) return row.status();
    if (!*row) return out;
    out.push_back({st.column_blob(0), st.column_blob(1)});
  }
}

}  // namespace

Status Store::validate_commands(std::span<const CommittedCommand> commands,
                                std::optional<std::uint64_t> applied_index) const {
  if (!applied_index) {
    if (commands.empty()) return Status::ok();
    return Status(StatusCode::invalid_argument, "commands to apply but no applied index");
  }
  if (*applied_index < cache_.applied_index ||
      *applied_index > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return Status(StatusCode::invalid_argument,
                  "applied index " + std::to_string(*applied_index) + " below the current " +
                      std::to_string(cache_.applied_index) + " (or out of range)");
  }
  std::uint64_t previous = cache_.applied_index;
  for (const CommittedCommand& c : commands) {
    if (c.index <= previous || c.index > *applied_index) {
      return Status(StatusCode::invalid_argument, "command at index " + std::to_string(c.index) +
                                                      " not in (" + std::to_string(previous) +
                                                      ", " + std::to_string(*applied_index) + "]");
    }
    const Op op = c.command.op;
    if (op != Op::put && op != Op::del && op != Op::noop) {
      return Status(StatusCode::invalid_argument,
                    "command at index " + std::to_string(c.index) + " has an unknown op");
    }
    previous = c.index;
  }
  return Status::ok();
}

Result<std::vector<CommandResult>> Store::apply(std::span<const CommittedCommand> commands,
                                                std::uint64_t applied_index) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (Status s = validate_commands(commands, applied_index); !s.is_ok()) return s;
  std::vector<CommandResult> results;
  results.reserve(commands.size());
  Status s = transaction([&] { return apply_in_txn(commands, applied_index, results); });
  if (!s.is_ok()) return s;
  return results;
}

Status Store::apply_in_txn(std::span<const CommittedCommand> commands, std::uint64_t applied_index,
                           std::vector<CommandResult>& results) {
  for (const CommittedCommand& c : commands) {
    CommandResult result;
    if (Status s = apply_one_in_txn(c, result); !s.is_ok()) return s;
    results.push_back(result);
  }
  // Same transaction as the data: after a crash either both are there or neither, so a restart
  // never applies a command twice nor skips one.
  Statement& st = stmts_->put_applied;
  auto use = st.use();
  st.bind_u64(1, applied_index);
  if (Status s = st.run(); !s.is_ok()) return s;
  cache_.applied_index = applied_index;
  return Status::ok();
}

// Everything here must be a function of the command sequence alone: every replica applies the
// same commands at the same indexes and must reach the same state (sessions included).
Status Store::apply_one_in_txn(const CommittedCommand& committed, CommandResult& result) {
  const Command& c = committed.command;
  bool known_client = false;
  if (c.client_id != 0) {
    Statement& get = stmts_->session_get;
    auto use = get.use();
    get.bind_u64(1, c.client_id);
    auto row = get.step();
    if (!row) return row.status();
    if (*row) {
      known_client = true;
      const std::uint64_t last_seq = get.column_u64(0);
      if (c.seq <= last_seq) {  // a retry of something already applied: answer, do not redo
        result.duplicate = true;
        result.outcome =
            c.seq == last_seq ? static_cast<Outcome>(get.column_u64(1)) : Outcome::stale;
        return Status::ok();
      }
    }
  }

  switch (c.op) {
    case Op::put: {
      Statement& st = stmts_->kv_put;
      auto use = st.use();
      st.bind_blob(1, c.key);
      st.bind_blob(2, c.value);
      if (Status s = st.run(); !s.is_ok()) return s;
      result.outcome = Outcome::ok;
      break;
    }
    case Op::del: {
      Statement& st = stmts_->kv_del;
      auto use = st.use();
      st.bind_blob(1, c.key);
      if (Status s = st.run(); !s.is_ok()) return s;
      result.outcome = sqlite3_changes(db_.get()) > 0 ? Outcome::ok : Outcome::not_found;
      break;
    }
    case Op::noop:
      result.outcome = Outcome::ok;
      break;
  }
  if (c.client_id == 0) return Status::ok();

  if (!known_client) {
    // Bound the table: forget the least recently active client (smallest index of its last
    // command; indexes are unique, so the choice is the same on every replica).
    while (cache_.session_count >= options_.max_sessions) {
      Statement& evict = stmts_->session_evict_oldest;
      auto use = evict.use();
      if (Status s = evict.run(); !s.is_ok()) return s;
      if (sqlite3_changes(db_.get()) == 0) break;
      --cache_.session_count;
    }
    ++cache_.session_count;
  }
  Statement& put = stmts_->session_put;
  auto use = put.use();
  put.bind_u64(1, c.client_id);
  put.bind_u64(2, c.seq);
  put.bind_u64(3, static_cast<std::uint64_t>(result.outcome));
  put.bind_u64(4, committed.index);
  return put.run();
}

Result<std::optional<std::string>> Store::get(std::string_view key) {
  if (Status s = usable(); !s.is_ok()) return s;
  Statement& st = stmts_->kv_get;
  auto use = st.use();
  st.bind_blob(1, key);
  auto row = st.step();
  if (!row) return about(path_, row.status());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st.column_blob(0));
}

Result<std::vector<KeyValue>> Store::scan_range(std::string_view start, std::string_view end,
                                                std::size_t limit) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (limit == 0 || (!end.empty() && end <= start)) return std::vector<KeyValue>();
  Statement& st = end.empty() ? stmts_->kv_scan_from : stmts_->kv_scan_between;
  auto use = st.use();
  st.bind_blob(1, start);
  if (end.empty()) {
    st.bind_u64(2, sql_limit(limit));
  } else {
    st.bind_blob(2, end);
    st.bind_u64(3, sql_limit(limit));
  }
  auto out = collect(st);
  if (!out) return about(path_, out.status());
  return out;
}

Result<std::vector<KeyValue>> Store::scan_prefix(std::string_view prefix, std::size_t limit) {
  // Every key with the prefix lies in [prefix, prefix_end(prefix)); no end means unbounded.
  const auto end = prefix_end(prefix);
  return scan_range(prefix, end ? std::string_view(*end) : std::string_view(), limit);
}

Result<std::uint64_t> Store::count() {
  if (Status s = usable(); !s.is_ok()) return s;
  Statement& st = stmts_->kv_count;
  auto use = st.use();
  auto row = st.step();
  if (!row) return about(path_, row.status());
  if (!*row) return Status(StatusCode::corrupt, path_ + ": COUNT(*) returned no row");
  return st.column_u64(0);
}

}  // namespace meadow::store
