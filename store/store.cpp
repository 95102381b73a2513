#include "store/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

#include "store/crc32c.h"
#include "store/store_internal.h"

namespace meadow::store {
namespace {

constexpr int kOpenFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Prepares `sql` and steps to its first row (pragmas, counts, the single-row tables); the
// returned statement is positioned on that row. No row at all is `corrupt`.
Result<Statement> first_row(sqlite3* db, std::string_view sql) {
  auto stmt = Statement::prepare(db, sql);
  if (!stmt) return stmt.status();
  auto row = stmt->step();
  if (!row) return row.status();
  if (!*row) return Status(StatusCode::corrupt, "\"" + std::string(sql) + "\" returned no row");
  return stmt;
}

Result<std::string> query_text(sqlite3* db, std::string_view sql) {
  auto row = first_row(db, sql);
  if (!row) return row.status();
  return row->column_blob(0);
}

// A non-integer value reads as 0, as SQLite converts it.
Result<std::uint64_t> query_u64(sqlite3* db, std::string_view sql) {
  auto row = first_row(db, sql);
  if (!row) return row.status();
  return row->column_u64(0);
}

// PRAGMA quick_check (or integrity_check): corrupt with the first few problems it lists.
Status integrity_check(sqlite3* db, bool full) {
  auto stmt = Statement::prepare(db, full ? "PRAGMA integrity_check" : "PRAGMA quick_check");
  if (!stmt) return stmt.status();
  std::string problems;
  int lines = 0;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.status();
    if (!*row) break;
    std::string line = stmt->column_blob(0);
    if (line == "ok") continue;
    if (++lines <= 5) problems += (problems.empty() ? "" : "; ") + line;
  }
  if (lines == 0) return Status::ok();
  return Status(StatusCode::corrupt, "SQLite integrity check failed (" + std::to_string(lines) +
                                         " problems): " + problems);
}

Status fsync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return Status(StatusCode::io_error, "opening directory " + dir.string() + " to fsync it");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    return Status(StatusCode::io_error, "fsync of directory " + dir.string() + " failed");
  return Status::ok();
}

Result<sqlite3*> open_connection(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status error = sqlite_error(db, rc, "opening");
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  // No checkpoint when a refused file's connection closes: a refused file is left as found,
  // WAL included. configure() turns checkpoint-on-close back on once the file is accepted.
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  // The `sql` inspection request runs on this connection: no tokenizer pointers from SQL.
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, nullptr);
  return db;
}

// Says in plain words what SQLite's first complaint about an existing file means.
Status explain_open_failure(const Status& status) {
  switch (status.code()) {
    case StatusCode::not_a_database:
      return Status(status.code(), "not a SQLite database file (" + status.message() + ")");
    case StatusCode::corrupt:
      return Status(status.code(),
                    "damaged database (truncated or overwritten?): " + status.message());
    case StatusCode::busy:
      return Status(status.code(),
                    "locked by another process (another node on this data "
                    "directory?): " +
                        status.message());
    default:
      return status;
  }
}

}  // namespace

Status about(const std::string& path, const Status& status) {
  if (status.is_ok()) return status;
  return Status(status.code(), path + ": " + status.message());
}

void Store::DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Store::Store(std::string path, OpenOptions options)
    : path_(std::move(path)), options_(std::move(options)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Result<Store> Store::open(const std::string& path, const OpenOptions& options) {
  if (options.max_sessions == 0) {
    return Status(StatusCode::invalid_argument, path + ": max_sessions must be at least 1");
  }
  if (options.cluster_id.empty()) {
    return Status(StatusCode::invalid_argument, path + ": cluster id must not be empty");
  }
  Store store(path, options);
  std::error_code ec;
  auto file = std::filesystem::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Status(StatusCode::io_error, path + ": cannot stat: " + ec.message());
  }
  if (!std::filesystem::exists(file)) {
    if (!options.create_if_missing) {
      return Status(StatusCode::not_found,
                    path + ": no such database file (and create_if_missing is off)");
    }
    if (Status s = store.create_new(); !s.is_ok()) return about(path, s);
  } else if (!std::filesystem::is_regular_file(file)) {
    return Status(StatusCode::not_a_database, path + ": not a regular file");
  } else if (std::filesystem::file_size(path, ec) == 0 && !ec) {
    // SQLite would happily treat an empty file as an empty database and initialise it; for us an
    // existing empty file means something went wrong (a truncation), so refuse it.
    return Status(StatusCode::not_a_database,
                  path + ": file is empty (0 bytes), not a Meadow database; was it truncated?");
  }

  auto db = open_connection(path, kOpenFlags);
  if (!db) return about(path, db.status());
  store.db_.reset(*db);
  // Everything up to configure() only reads: a refused file is left exactly as it was.
  if (Status s = store.verify_existing(); !s.is_ok()) return about(path, s);
  if (Status s = store.configure(); !s.is_ok()) return about(path, s);
  if (Status s = store.load_cache(); !s.is_ok()) return about(path, s);
  return store;
}

// A new database is built under a temporary name and renamed into place only once complete, so a
// crash during creation never leaves a half-made file at `path` (which open would then refuse).
Status Store::create_new() {
  const std::string temp = path_ + ".creating";
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    std::error_code ec;
    std::filesystem::remove(temp + suffix, ec);  // leftovers of an earlier failed creation
  }
  auto opened = open_connection(temp, kOpenFlags | SQLITE_OPEN_CREATE);
  if (!opened) return opened.status();
  std::unique_ptr<sqlite3, DbCloser> db(*opened);
  std::string meta = "INSERT INTO meta VALUES (1, " + std::to_string(kFormatVersion) + ", ?1, ?2)";
  Status s = exec(db.get(),
                  "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; "
                  "PRAGMA application_id=" +
                      std::to_string(kApplicationId) + "; BEGIN IMMEDIATE");
  if (s.is_ok()) s = exec(db.get(), kSchema);
  if (s.is_ok()) {
    auto insert = Statement::prepare(db.get(), meta);
    if (!insert) return insert.status();
    insert->bind_text(1, options_.cluster_id);
    insert->bind_u64(2, options_.node_id);
    s = insert->run();
  }
  if (s.is_ok()) {
    auto config = Statement::prepare(db.get(), "UPDATE snapshot SET config = ?1 WHERE id = 1");
    if (!config) return config.status();
    config->bind_blob(1, options_.initial_config);
    s = config->run();
  }
  if (s.is_ok()) s = exec(db.get(), "COMMIT");  // synchronous=FULL: the file is synced here
  if (!s.is_ok()) return s;
  if (sqlite3_close(db.release()) != SQLITE_OK) {
    return Status(StatusCode::io_error, "closing the new database " + temp);
  }
  std::error_code ec;
  std::filesystem::rename(temp, path_, ec);
  if (ec) return Status(StatusCode::io_error, "renaming " + temp + " into place: " + ec.message());
  return fsync_directory(std::filesystem::path(path_).parent_path());
}

Status Store::verify_existing() {
  sqlite3* db = db_.get();
  // EXCLUSIVE: the first access takes the file lock and keeps it until close, so a second
  // process (another node pointed at the same directory) gets `busy` instead of sharing the file.
  // It also keeps WAL's index in process memory (no -shm file).
  if (Status s = exec(db, "PRAGMA locking_mode=EXCLUSIVE"); !s.is_ok()) return s;
  auto app_id = query_u64(db, "PRAGMA application_id");
  if (!app_id) return explain_open_failure(app_id.status());
  const auto expected_id = static_cast<std::uint64_t>(kApplicationId);
  if (*app_id != expected_id) {
    return Status(StatusCode::not_meadow,
                  "a SQLite database, but not a Meadow one (application_id " + hex(*app_id) +
                      ", expected " + hex(expected_id) + ")");
  }
  if (Status s = integrity_check(db, false); !s.is_ok()) return explain_open_failure(s);

  auto version = query_u64(db, "SELECT format_version FROM meta WHERE id = 1");
  if (!version) {
    return Status(StatusCode::corrupt, "reading the header row: " + version.status().message());
  }
  if (*version > kFormatVersion) {
    return Status(StatusCode::newer_format, "format version " + std::to_string(*version) +
                                                " is newer than this Meadow understands (" +
                                                std::to_string(kFormatVersion) +
                                                "); use a newer Meadow");
  }
  if (*version == 1) {
    upgrade_from_1_ = true;  // done by upgrade() once every check passed
  } else if (*version != kFormatVersion) {
    return Status(StatusCode::corrupt, "unknown format version " + std::to_string(*version));
  }
  auto cluster = query_text(db, "SELECT cluster_id FROM meta WHERE id = 1");
  if (!cluster) return cluster.status();
  if (*cluster != options_.cluster_id) {
    return Status(StatusCode::wrong_cluster, "belongs to cluster '" + *cluster +
                                                 "', not to cluster '" + options_.cluster_id + "'");
  }
  auto node = query_u64(db, "SELECT node_id FROM meta WHERE id = 1");
  if (!node) return node.status();
  if (*node != options_.node_id) {
    return Status(StatusCode::wrong_node, "belongs to node " + std::to_string(*node) +
                                              ", not to node " + std::to_string(options_.node_id));
  }
  return Status::ok();
}

Status Store::configure() {
  sqlite3* db = db_.get();
  auto mode = query_text(db, "PRAGMA journal_mode=WAL");
  if (!mode) return mode.status();
  if (*mode != "wal")
    return Status(StatusCode::io_error, "could not switch to WAL mode (got " + *mode + ")");
  const char* sync = options_.durability == Durability::full ? "PRAGMA synchronous=FULL"
                                                             : "PRAGMA synchronous=NORMAL";
  if (Status s = exec(db, sync); !s.is_ok()) return s;
  if (Status s = exec(db, "PRAGMA cell_size_check=ON"); !s.is_ok()) return s;
  // A large transaction (installing a snapshot) grows the WAL; without a limit the file keeps
  // that size forever. With one it is truncated back after the next checkpoint.
  if (Status s = exec(db, "PRAGMA journal_size_limit=67108864"); !s.is_ok()) return s;
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
  // Take the write lock now (held until close in EXCLUSIVE mode) so contention shows at open.
  if (Status s = exec(db, "BEGIN IMMEDIATE; COMMIT"); !s.is_ok()) return s;
  if (Status s = upgrade(); !s.is_ok()) return s;
  stmts_ = std::make_unique<Statements>();
  return stmts_->prepare_all(db);
}

Status Store::upgrade() {
  if (!upgrade_from_1_) return Status::ok();
  // Format 1 predates membership changes: its configuration is the one the node is started
  // with, recorded in the same transaction as the new format version.
  sqlite3* db = db_.get();
  Status s = exec(db, std::string("BEGIN IMMEDIATE;") + kUpgradeFrom1);
  if (s.is_ok()) {
    auto config = Statement::prepare(db, "UPDATE snapshot SET config = ?1 WHERE id = 1");
    s = config.ok() ? Status::ok() : config.status();
    if (s.is_ok()) {
      config->bind_blob(1, options_.initial_config);
      s = config->run();
    }
  }
  if (s.is_ok()) s = exec(db, "COMMIT");
  if (!s.is_ok()) (void)exec(db, "ROLLBACK");
  return s;
}

Status Store::load_cache() {
  sqlite3* db = db_.get();
  auto hs = first_row(db, "SELECT term, voted_for, commit_index FROM hard_state WHERE id = 1");
  auto sn = first_row(db, "SELECT last_index, last_term, config FROM snapshot WHERE id = 1");
  auto ap = first_row(db, "SELECT applied_index FROM applied WHERE id = 1");
  auto lg = first_row(db, "SELECT COUNT(*), MIN(idx), MAX(idx) FROM log");
  auto se = first_row(db, "SELECT COUNT(*) FROM sessions");
  for (const auto* row : {&hs, &sn, &ap, &lg, &se}) {
    if (!*row) return row->status();
  }
  cache_.hard_state = {hs->column_u64(0), hs->column_u64(1), hs->column_u64(2)};
  cache_.snapshot = {sn->column_u64(0), sn->column_u64(1)};
  cache_.snapshot_config = sn->column_blob(2);
  cache_.applied_index = ap->column_u64(0);
  cache_.session_count = se->column_u64(0);
  const std::uint64_t entries = lg->column_u64(0);
  cache_.last_index = cache_.snapshot.index;
  if (entries > 0) {
    const std::uint64_t lo = lg->column_u64(1), hi = lg->column_u64(2);
    if (lo != cache_.snapshot.index + 1 || hi - lo + 1 != entries) {
      return Status(StatusCode::corrupt, "the log is not contiguous: " + std::to_string(entries) +
                                             " entries in [" + std::to_string(lo) + ", " +
                                             std::to_string(hi) + "] after snapshot index " +
                                             std::to_string(cache_.snapshot.index));
    }
    cache_.last_index = hi;
    // The last entry is the one a crash is most likely to have hurt; check it now.
    if (auto last = read_entry(hi); !last) return last.status();
  }
  return Status::ok();
}

Status Store::check(bool full) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (Status s = integrity_check(db_.get(), full); !s.is_ok()) return about(path_, s);
  constexpr std::uint64_t kChunk = 1024;
  for (std::uint64_t lo = first_index(); lo <= last_index(); lo += kChunk) {
    auto chunk = entries(lo, std::min(lo + kChunk, last_index() + 1));
    if (!chunk) return chunk.status();
  }
  return Status::ok();
}

Result<std::vector<CommandResult>> Store::write(const WriteBatch& batch) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (Status s = validate_entries(batch.entries); !s.is_ok()) return s;
  if (Status s = validate_commands(batch.commands, batch.applied_index); !s.is_ok()) return s;
  std::vector<CommandResult> results;
  results.reserve(batch.commands.size());
  if (!batch.hard_state && batch.entries.empty() && !batch.applied_index) return results;
  Status s = transaction([&]() -> Status {
    if (batch.hard_state) {
      if (Status h = put_hard_state_in_txn(*batch.hard_state); !h.is_ok()) return h;
    }
    if (!batch.entries.empty()) {
      if (Status a = append_in_txn(batch.entries); !a.is_ok()) return a;
    }
    if (batch.applied_index) return apply_in_txn(batch.commands, *batch.applied_index, results);
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  return results;
}

Status Store::set_hard_state(const HardState& hard_state) {
  if (Status s = usable(); !s.is_ok()) return s;
  return transaction([&] { return put_hard_state_in_txn(hard_state); });
}

Status Store::put_hard_state_in_txn(const HardState& hard_state) {
  Statement& st = stmts_->put_hard_state;
  auto use = st.use();
  st.bind_u64(1, hard_state.term);
  st.bind_u64(2, hard_state.voted_for);
  st.bind_u64(3, hard_state.commit);
  if (Status s = st.run(); !s.is_ok()) return s;
  cache_.hard_state = hard_state;
  return Status::ok();
}

Status Store::transaction(const std::function<Status()>& body) {
  const Cache saved = cache_;
  Status s = stmts_->begin.run();
  stmts_->begin.reset();
  if (s.is_ok()) s = body();
  if (s.is_ok()) {
    s = stmts_->commit.run();  // with synchronous=FULL this is where the WAL is fsynced
    stmts_->commit.reset();
  }
  if (s.is_ok()) return s;
  // Whatever failed, SQLite may or may not have rolled back already; make sure, and do not trust
  // this connection again: after a failed write or fsync the file's state is unknown (and the
  // kernel may have dropped the dirty pages), so the node must stop rather than carry on.
  (void)stmts_->rollback.run();
  stmts_->rollback.reset();
  cache_ = saved;
  return fail(s);
}

Status Store::fail(Status status) {
  Status error = about(path_, status);
  if (!failed_) failed_ = error;
  return error;
}

Status Store::usable() const {
  if (!db_ || !stmts_) return Status(StatusCode::failed, "store is closed (moved from?)");
  if (failed_) {
    return Status(StatusCode::failed,
                  "store refuses work after an earlier write failed: " + failed_->describe());
  }
  return Status::ok();
}

Status Store::Statements::prepare_all(sqlite3* db) {
  struct Sql {
    Statement* statement;
    const char* text;
  };
  const Sql all[] = {
      {&begin, "BEGIN IMMEDIATE"},
      {&commit, "COMMIT"},
      {&rollback, "ROLLBACK"},
      {&put_hard_state,
       "UPDATE hard_state SET term = ?1, voted_for = ?2, commit_index = ?3 WHERE id = 1"},
      {&put_snapshot, "UPDATE snapshot SET last_index = ?1, last_term = ?2 WHERE id = 1"},
      {&put_snapshot_config, "UPDATE snapshot SET config = ?1 WHERE id = 1"},
      {&last_config_upto,
       "SELECT idx FROM log WHERE kind = ?2 AND idx <= ?1 ORDER BY idx DESC LIMIT 1"},
      {&put_applied, "UPDATE applied SET applied_index = ?1 WHERE id = 1"},
      {&insert_entry,
       "INSERT INTO log (idx, term, kind, payload, crc) VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&delete_suffix, "DELETE FROM log WHERE idx >= ?1"},
      {&delete_prefix, "DELETE FROM log WHERE idx <= ?1"},
      {&read_entry, "SELECT idx, term, kind, payload, crc FROM log WHERE idx = ?1"},
      {&read_range,
       "SELECT idx, term, kind, payload, crc FROM log WHERE idx >= ?1 AND idx < ?2 ORDER BY idx"},
      {&kv_get, "SELECT value FROM kv WHERE key = ?1"},
      {&kv_put,
       "INSERT INTO kv (key, value) VALUES (?1, ?2) "
       "ON CONFLICT (key) DO UPDATE SET value = excluded.value"},
      {&kv_del, "DELETE FROM kv WHERE key = ?1"},
      {&kv_scan_from, "SELECT key, value FROM kv WHERE key >= ?1 ORDER BY key LIMIT ?2"},
      {&kv_scan_between,
       "SELECT key, value FROM kv WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT ?3"},
      {&kv_count, "SELECT COUNT(*) FROM kv"},
      {&session_get, "SELECT last_seq, outcome FROM sessions WHERE client_id = ?1"},
      {&session_put,
       "INSERT INTO sessions (client_id, last_seq, outcome, last_index) VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT (client_id) DO UPDATE SET last_seq = excluded.last_seq, "
       "outcome = excluded.outcome, last_index = excluded.last_index"},
      {&session_evict_oldest,
       "DELETE FROM sessions WHERE client_id = "
       "(SELECT client_id FROM sessions ORDER BY last_index, client_id LIMIT 1)"},
  };
  for (const Sql& sql : all) {
    auto prepared = Statement::prepare(db, sql.text);
    if (!prepared) return prepared.status();
    *sql.statement = std::move(*prepared);
  }
  return Status::ok();
}

}  // namespace meadow::store
