// Store, part 4: snapshots. Compaction itself is delete_prefix (store_log.cpp): the kv table IS
// the state machine at the applied index, so taking a snapshot only records where the log may
// start. This file makes and installs *images* for InstallSnapshot: a copy of the database made
// with SQLite's online backup API a few pages at a time, and an atomic replacement of the state
// machine from a received copy.
#include <sqlite3.h>

#include <algorithm>
#include <limits>

#include "store/store.h"
#include "store/store_internal.h"

namespace meadow::store {
namespace {
constexpr std::uint64_t kMaxIndex = std::numeric_limits<std::int64_t>::max();
}  // namespace

struct Store::ImageBackup {
  sqlite3* dest = nullptr;
  sqlite3_backup* backup = nullptr;
};

void Store::BackupCloser::operator()(ImageBackup* image) const {
  if (image->backup != nullptr) sqlite3_backup_finish(image->backup);
  sqlite3_close_v2(image->dest);
  delete image;
}

Status Store::begin_image(const std::string& path) {
  if (Status s = usable(); !s.is_ok()) return s;
  abandon_image();
  auto image = std::unique_ptr<ImageBackup, BackupCloser>(new ImageBackup);
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (int rc = sqlite3_open_v2(path.c_str(), &image->dest, flags, nullptr); rc != SQLITE_OK) {
    return about(path, sqlite_error(image->dest, rc, "creating a snapshot image"));
  }
  // The copy needs no journal and no fsync: an interrupted image is thrown away and made again,
  // and the receiver syncs its own copy. Without them the last step does not stall the loop
  // on syncing the whole file.
  if (Status s = exec(image->dest, "PRAGMA synchronous=OFF; PRAGMA journal_mode=OFF");
      !s.is_ok()) {
    return about(path, s);
  }
  image->backup = sqlite3_backup_init(image->dest, "main", db_.get(), "main");
  if (image->backup == nullptr) {
    return about(path, sqlite_error(image->dest, sqlite3_errcode(image->dest),
                                    "starting a snapshot image"));
  }
  backup_ = std::move(image);
  return Status::ok();
}

void Store::abandon_image() { backup_.reset(); }

Result<std::optional<SnapshotMeta>> Store::image_step(int pages) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (!backup_) return Status(StatusCode::invalid_argument, "image_step: no image in progress");
  const int rc = sqlite3_backup_step(backup_->backup, pages);
  if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    return std::optional<SnapshotMeta>();
  }
  if (rc != SQLITE_DONE) {
    Status error = sqlite_error(backup_->dest, rc, "copying a snapshot image");
    abandon_image();
    return about(path_, error);
  }
  // Complete: the copy equals this database now (no write ran since the last step).
  sqlite3_backup_finish(backup_->backup);
  backup_->backup = nullptr;
  // Rollback journal mode, so the receiver can open it read-only without WAL side files.
  Status s = exec(backup_->dest, "PRAGMA journal_mode=DELETE");
  abandon_image();
  if (!s.is_ok()) return about(path_, s);
  const std::uint64_t index = applied_index();  // no write ran since the step: this is it
  auto index_term = term(index);
  if (!index_term) return index_term.status();
  return std::optional<SnapshotMeta>(SnapshotMeta{index, *index_term});
}

namespace {

// Runs `sql` on `db` and returns the first column of its first row as an integer.
Result<std::uint64_t> single_u64(sqlite3* db, const char* sql) {
  auto st = Statement::prepare(db, sql);
  if (!st) return st.status();
  auto row = st->step();
  if (!row) return row.status();
  if (!*row) return Status(StatusCode::corrupt, std::string("no row for ") + sql);
  return st->column_u64(0);
}

Result<std::string> single_text(sqlite3* db, const char* sql) {
  auto st = Statement::prepare(db, sql);
  if (!st) return st.status();
  auto row = st->step();
  if (!row) return row.status();
  if (!*row) return Status(StatusCode::corrupt, std::string("no row for ") + sql);
  return st->column_blob(0);
}

Status inspect_open_image(sqlite3* db, const std::string& cluster_id) {
  auto app_id = single_u64(db, "PRAGMA application_id");
  if (!app_id) return app_id.status();
  if (*app_id != static_cast<std::uint64_t>(kApplicationId)) {
    return Status(StatusCode::not_meadow, "not a Meadow database");
  }
  auto check = single_text(db, "PRAGMA quick_check");
  if (!check) return check.status();
  if (*check != "ok") return Status(StatusCode::corrupt, "integrity check failed: " + *check);
  auto version = single_u64(db, "SELECT format_version FROM meta WHERE id = 1");
  if (!version) return version.status();
  // Only kv, sessions and applied are taken from an image: format 1 has the same ones.
  if (*version != kFormatVersion && *version != 1) {
    return Status(*version > kFormatVersion ? StatusCode::newer_format : StatusCode::corrupt,
                  "format version " + std::to_string(*version));
  }
  auto cluster = single_text(db, "SELECT cluster_id FROM meta WHERE id = 1");
  if (!cluster) return cluster.status();
  if (*cluster != cluster_id) {
    return Status(StatusCode::wrong_cluster, "image of cluster '" + *cluster + "'");
  }
  return Status::ok();
}

}  // namespace

Result<std::uint64_t> Store::inspect_image(const std::string& path, const std::string& cluster_id) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, DbCloser> db(raw);
  if (rc != SQLITE_OK) return about(path, sqlite_error(raw, rc, "opening a snapshot image"));
  if (Status s = inspect_open_image(raw, cluster_id); !s.is_ok()) return about(path, s);
  auto applied = single_u64(raw, "SELECT applied_index FROM applied WHERE id = 1");
  if (!applied) return about(path, applied.status());
  return *applied;
}

Status Store::install_image(const std::string& path, const SnapshotMeta& snapshot,
                            const std::string& config) {
  if (Status s = usable(); !s.is_ok()) return s;
  auto applied = inspect_image(path, options_.cluster_id);
  if (!applied) return Status(StatusCode::invalid_argument, applied.status().describe());
  if (*applied != snapshot.index || snapshot.index == 0 || snapshot.index > kMaxIndex ||
      snapshot.term == 0 || snapshot.term > kMaxIndex) {
    return Status(StatusCode::invalid_argument,
                  path + ": image at applied index " + std::to_string(*applied) +
                      " does not match snapshot " + std::to_string(snapshot.term) + "/" +
                      std::to_string(snapshot.index));
  }
  auto attach = Statement::prepare(db_.get(), "ATTACH DATABASE ?1 AS image");
  if (!attach) return attach.status();
  attach->bind_text(1, path);
  if (Status s = attach->run(); !s.is_ok()) return about(path_, s);
  const std::uint64_t commit = std::max(cache_.hard_state.commit, snapshot.index);
  Status s = transaction([&]() -> Status {
    const std::string sql =
        "DELETE FROM main.kv; INSERT INTO main.kv SELECT key, value FROM image.kv;"
        "DELETE FROM main.sessions;"
        "INSERT INTO main.sessions SELECT client_id, last_seq, outcome, last_index "
        "FROM image.sessions;"
        "DELETE FROM main.log;"
        "UPDATE main.applied SET applied_index = " + std::to_string(snapshot.index) + ";"
        "UPDATE main.snapshot SET last_index = " + std::to_string(snapshot.index) +
        ", last_term = " + std::to_string(snapshot.term) + ";"
        "UPDATE main.hard_state SET commit_index = " + std::to_string(commit) + ";";
    if (Status e = exec(db_.get(), sql); !e.is_ok()) return e;
    Statement& put = stmts_->put_snapshot_config;
    auto use_put = put.use();
    put.bind_blob(1, config);
    if (Status e = put.run(); !e.is_ok()) return e;
    cache_.snapshot_config = config;
    auto sessions = single_u64(db_.get(), "SELECT COUNT(*) FROM main.sessions");
    if (!sessions) return sessions.status();
    cache_.session_count = *sessions;
    cache_.applied_index = snapshot.index;
    cache_.snapshot = snapshot;
    cache_.last_index = snapshot.index;
    cache_.hard_state.commit = commit;
    return Status::ok();
  });
  (void)exec(db_.get(), "DETACH DATABASE image");
  return s;
}

}  // namespace meadow::store
