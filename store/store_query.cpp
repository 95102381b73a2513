// Store, part 4: read-only SQL for inspection (`sql N "SELECT ..."` in the shell). The node's
// connection is the only one that can open the file (locking_mode=EXCLUSIVE), so queries run
// here, fenced three ways: an authorizer that allows only reading (no ATTACH, PRAGMA, BEGIN,
// writes), sqlite3_stmt_readonly as a second check, and a progress handler that interrupts a
// statement running too long, since the node's loop waits for it.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "store/store.h"

namespace meadow::store {
namespace {

// Functions that reach outside the database: fts3_tokenizer reads and *sets* a pointer inside
// libsqlite3 (Debian builds it with ENABLE_FTS3_TOKENIZER), load_extension runs code.
bool reaches_outside(const char* function) {
  if (!function) return true;
  std::string name(function);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name == "fts3_tokenizer" || name == "load_extension";
}

int allow_reads_only(void*, int action, const char*, const char* function, const char*,
                     const char*) {
  switch (action) {
    case SQLITE_FUNCTION:
      return reaches_outside(function) ? SQLITE_DENY : SQLITE_OK;
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    default:
      return SQLITE_DENY;
  }
}

struct Deadline {
  std::chrono::steady_clock::time_point until;
};

int past_deadline(void* arg) {
  return std::chrono::steady_clock::now() >= static_cast<Deadline*>(arg)->until ? 1 : 0;
}

// The cell as text, at most `budget` bytes of it (then cut, with the full size said, and
// `cut` set): a huge value must not become a huge string in the node.
std::string column_text(sqlite3_stmt* st, int i, std::size_t budget, bool& cut) {
  const int type = sqlite3_column_type(st, i);
  if (type == SQLITE_NULL) return "NULL";
  const bool blob = type == SQLITE_BLOB;
  const auto n = static_cast<std::size_t>(sqlite3_column_bytes(st, i));
  const std::size_t shown = std::min(n, blob ? budget / 2 : budget);
  std::string out;
  if (blob) {
    const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(st, i));
    static constexpr char kHex[] = "0123456789abcdef";
    out = "x'";
    for (std::size_t k = 0; k < shown; ++k) {
      out += kHex[bytes[k] >> 4];
      out += kHex[bytes[k] & 15];
    }
    out += "'";
  } else {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
    if (text) out.assign(text, shown);
  }
  if (shown < n) {
    cut = true;
    out += "... (" + std::to_string(n) + " bytes)";
  }
  return out;
}

bool only_blanks(const char* tail) {
  // Trailing spaces and semicolons are fine; a second statement is not.
  for (; tail && *tail; ++tail)
    if (!std::isspace(static_cast<unsigned char>(*tail)) && *tail != ';') return false;
  return true;
}

}  // namespace

Result<QueryResult> Store::query_readonly(std::string_view sql, std::size_t max_rows,
                                          std::size_t max_bytes,
                                          std::chrono::milliseconds max_time) {
  sqlite3* db = db_.get();
  // No string or blob the query makes may outgrow a few times the reply's budget (think
  // SELECT zeroblob(1e9)); stored values, at most 1 MiB, still fit. Restored on every return.
  const int length_cap = static_cast<int>(std::min<std::size_t>(4 * max_bytes + (4u << 20), 1u << 30));
  const int old_length = sqlite3_limit(db, SQLITE_LIMIT_LENGTH, length_cap);
  struct RestoreLength {
    sqlite3* db;
    int old;
    ~RestoreLength() { sqlite3_limit(db, SQLITE_LIMIT_LENGTH, old); }
  } restore_length{db, old_length};
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  sqlite3_set_authorizer(db, allow_reads_only, nullptr);
  const int prepared = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  sqlite3_set_authorizer(db, nullptr, nullptr);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> st(raw, sqlite3_finalize);
  if (prepared != SQLITE_OK)
    return Status(StatusCode::invalid_argument,
                  std::string("refused: ") + sqlite3_errmsg(db) +
                      (prepared == SQLITE_AUTH ? " (only reading queries are allowed)" : ""));
  if (!st) return Status(StatusCode::invalid_argument, "refused: no statement given");
  const std::string rest(tail ? tail : "", tail ? sql.size() - static_cast<std::size_t>(tail - sql.data()) : 0);
  if (!only_blanks(rest.c_str()))
    return Status(StatusCode::invalid_argument, "refused: one statement at a time");
  if (!sqlite3_stmt_readonly(st.get()))
    return Status(StatusCode::invalid_argument, "refused: the statement would write");

  QueryResult result;
  const int columns = sqlite3_column_count(st.get());
  for (int i = 0; i < columns; ++i) result.columns.push_back(sqlite3_column_name(st.get(), i));
  Deadline deadline{std::chrono::steady_clock::now() + max_time};
  sqlite3_progress_handler(db, 1000, past_deadline, &deadline);
  std::size_t bytes = 0;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    if (result.rows.size() == max_rows) {
      result.truncated = true;
      break;
    }
    std::vector<std::string> row;
    bool cut = false;
    for (int i = 0; i < columns; ++i) {
      row.push_back(column_text(st.get(), i, max_bytes - std::min(bytes, max_bytes), cut));
      bytes += row.back().size();
    }
    if (cut) result.truncated = true;
    if (bytes > max_bytes && !result.rows.empty()) {
      result.truncated = true;
      break;
    }
    result.rows.push_back(std::move(row));
  }
  sqlite3_progress_handler(db, 0, nullptr, nullptr);
  if (rc == SQLITE_INTERRUPT)
    return Status(StatusCode::busy, "query interrupted after " + std::to_string(max_time.count()) +
                                        " ms (the node cannot wait longer)");
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return Status(StatusCode::invalid_argument, std::string("query failed: ") + sqlite3_errmsg(db));
  return result;
}

}  // namespace meadow::store
