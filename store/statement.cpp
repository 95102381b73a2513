#include "store/statement.h"

#include <sqlite3.h>

#include <utility>

#include "common/assert.h"

namespace meadow::store {

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return sqlite_error(db, rc, "preparing \"" + std::string(sql) + "\"");
  }
  return Statement(stmt);
}

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind_u64(int param, std::uint64_t value) {
  // Stored bit-for-bit as a signed integer; values >= 2^63 read back exactly but sort negative.
  MEADOW_ASSERT(sqlite3_bind_int64(stmt_, param, static_cast<sqlite3_int64>(value)) == SQLITE_OK);
}

void Statement::bind_blob(int param, std::string_view bytes) {
  // sqlite3_bind_blob with a null pointer binds NULL; an empty key must stay a zero-length BLOB.
  int rc = bytes.empty()
               ? sqlite3_bind_zeroblob(stmt_, param, 0)
               : sqlite3_bind_blob64(stmt_, param, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  MEADOW_ASSERT(rc == SQLITE_OK);
}

void Statement::bind_text(int param, std::string_view text) {
  MEADOW_ASSERT(sqlite3_bind_text64(stmt_, param, text.data(), text.size(), SQLITE_TRANSIENT,
                                    SQLITE_UTF8) == SQLITE_OK);
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(sqlite3_db_handle(stmt_), rc,
                      std::string("running \"") + sqlite3_sql(stmt_) + "\"");
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.status();
    if (!*row) return Status::ok();
  }
}

std::uint64_t Statement::column_u64(int col) const {
  return static_cast<std::uint64_t>(sqlite3_column_int64(stmt_, col));
}

std::string Statement::column_blob(int col) const {
  const void* data = sqlite3_column_blob(stmt_, col);
  int size = sqlite3_column_bytes(stmt_, col);  // after _blob(), as SQLite requires
  if (data == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

bool Statement::column_is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

void Statement::reset() {
  if (stmt_ == nullptr) return;
  // sqlite3_reset repeats the last step's error code; that error was already reported by step().
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

StatusCode status_code_for(int sqlite_rc) {
  switch (sqlite_rc & 0xff) {
    case SQLITE_OK:
      return StatusCode::ok;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StatusCode::busy;
    case SQLITE_NOTADB:
      return StatusCode::not_a_database;
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
      return StatusCode::corrupt;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    default:
      return StatusCode::io_error;
  }
}

Status sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += " (SQLite code " + std::to_string(rc) + ")";
  StatusCode code = status_code_for(rc);
  return Status(code == StatusCode::ok ? StatusCode::io_error : code, std::move(message));
}

Status exec(sqlite3* db, std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);  // sqlite3_errmsg(db) still holds the same message
  if (rc != SQLITE_OK) return sqlite_error(db, rc, "running \"" + text + "\"");
  return Status::ok();
}

}  // namespace meadow::store
