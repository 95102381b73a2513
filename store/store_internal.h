// Internals shared by the files that implement Store (store.cpp: opening and transactions,
// store_log.cpp: the Raft log, store_state.cpp: the state machine): the schema, and the prepared
// statements every Store keeps for its lifetime. Not part of the public API.
#pragma once

#include <cstdint>
#include <string>

#include "store/statement.h"
#include "store/store.h"

namespace meadow::store {

/// PRAGMA application_id of every Meadow database: "MDW1".
inline constexpr std::int32_t kApplicationId = 0x4D445731;

/// The schema of format version 2, created in one transaction (documented in store/SCHEMA.md).
inline constexpr const char* kSchema = R"sql(
CREATE TABLE meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  format_version INTEGER NOT NULL,
  cluster_id TEXT NOT NULL,
  node_id INTEGER NOT NULL
);
CREATE TABLE hard_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  term INTEGER NOT NULL,
  voted_for INTEGER NOT NULL,
  commit_index INTEGER NOT NULL
);
CREATE TABLE snapshot (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_index INTEGER NOT NULL,
  last_term INTEGER NOT NULL,
  config BLOB NOT NULL DEFAULT ''
);
CREATE TABLE applied (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  applied_index INTEGER NOT NULL
);
CREATE TABLE log (
  idx INTEGER PRIMARY KEY,
  term INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  payload BLOB NOT NULL,
  crc INTEGER NOT NULL
);
CREATE TABLE kv (
  key BLOB PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE sessions (
  client_id INTEGER PRIMARY KEY,
  last_seq INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  last_index INTEGER NOT NULL
);
CREATE INDEX sessions_by_activity ON sessions (last_index);
INSERT INTO hard_state VALUES (1, 0, 0, 0);
INSERT INTO snapshot VALUES (1, 0, 0, '');
INSERT INTO applied VALUES (1, 0);
)sql";

/// Format 1 -> 2: the snapshot row gains the configuration (set from OpenOptions::initial_config).
inline constexpr const char* kUpgradeFrom1 = R"sql(
ALTER TABLE snapshot ADD COLUMN config BLOB NOT NULL DEFAULT '';
UPDATE meta SET format_version = 2 WHERE id = 1;
)sql";

/// `status` with "<path>: " in front of its message (ok stays ok).
Status about(const std::string& path, const Status& status);

struct Store::Statements {
  Statement begin;
  Statement commit;
  Statement rollback;
  Statement put_hard_state;
  Statement put_snapshot;
  Statement put_snapshot_config;
  Statement last_config_upto;
  Statement put_applied;
  Statement insert_entry;
  Statement delete_suffix;
  Statement delete_prefix;
  Statement read_entry;
  Statement read_range;
  Statement kv_get;
  Statement kv_put;
  Statement kv_del;
  Statement kv_scan_from;
  Statement kv_scan_between;
  Statement kv_count;
  Statement session_get;
  Statement session_put;
  Statement session_evict_oldest;

  /// Prepares every statement on `db`.
  Status prepare_all(sqlite3* db);
};

}  // namespace meadow::store
