// Statement: an RAII wrapper for a prepared sqlite3_stmt, prepared once and reused. Binding
// helpers store uint64 values as SQLite's signed 64-bit integers (bit-for-bit) and keys/values
// as BLOBs, so any bytes round-trip and compare in memcmp order. Internal to store/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace meadow::store {

class Statement {
 public:
  Statement() = default;
  /// Compiles `sql` against `db`. Errors: io_error/corrupt with SQLite's message.
  static Result<Statement> prepare(sqlite3* db, std::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  /// Resets the statement and clears its bindings when it goes out of scope, so a statement is
  /// always clean for its next use even on an early return.
  class Use {
   public:
    explicit Use(Statement& statement) : statement_(&statement) {}
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    ~Use() { statement_->reset(); }

   private:
    Statement* statement_;
  };
  [[nodiscard]] Use use() { return Use(*this); }

  // Parameters are numbered from 1, as in SQLite.
  void bind_u64(int param, std::uint64_t value);
  void bind_blob(int param, std::string_view bytes);  ///< empty binds a zero-length BLOB, not NULL
  void bind_text(int param, std::string_view text);

  /// Runs one step: true if a row is available, false when done. Errors name the SQL and carry
  /// SQLite's message; the code is mapped from SQLite's (io_error, busy, corrupt, ...).
  Result<bool> step();
  /// Steps until done (for statements that return no rows).
  Status run();

  // Columns are numbered from 0. Valid after step() returned true.
  std::uint64_t column_u64(int col) const;
  std::string column_blob(int col) const;
  bool column_is_null(int col) const;

  void reset();

 private:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  sqlite3_stmt* stmt_ = nullptr;
};

/// Maps a SQLite result code to a StatusCode (SQLITE_IOERR* and SQLITE_FULL -> io_error, ...).
StatusCode status_code_for(int sqlite_rc);
/// An error Status from `rc` and the connection's message: "<what>: <sqlite message>".
Status sqlite_error(sqlite3* db, int rc, std::string_view what);
/// Executes SQL without results (pragmas, BEGIN/COMMIT); errors as sqlite_error.
Status exec(sqlite3* db, std::string_view sql);

}  // namespace meadow::store
