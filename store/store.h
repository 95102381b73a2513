// Store: one node's durable state in one SQLite database file (WAL journal mode) — the Raft log,
// hard state, log compaction point, the key-value data, the applied index and client sessions.
// A leaf layer: depends on SQLite and common/ only, never on node/, transport/ or shell/.
// Not thread-safe: one thread (the node's loop) owns a Store. Schema and rules: store/SCHEMA.md.
#pragma once

#include <cstddef>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"
#include "store/types.h"

struct sqlite3;

namespace meadow::store {

class Store {
 public:
  /// Opens the database at `path`, creating it (and nothing else: the directory must exist) if it
  /// is absent and options.create_if_missing. An existing file is checked before anything is
  /// written to it: SQLite header, Meadow application id, format version (newer_format), cluster
  /// id (wrong_cluster), node id (wrong_node), PRAGMA quick_check and log invariants (corrupt).
  /// Any problem is an error whose message names the file and what is wrong; a refused file is
  /// never modified. A file locked by another process is `busy`.
  static Result<Store> open(const std::string& path, const OpenOptions& options);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  /// The database file, as given to open().
  const std::string& path() const { return path_; }
  /// The durability mode in force (for `meadow status`).
  Durability durability() const { return options_.durability; }
  /// The node id and cluster id the file was verified (or created) with.
  std::uint64_t node_id() const { return options_.node_id; }
  const std::string& cluster_id() const { return options_.cluster_id; }

  // ---- Group commit -------------------------------------------------------------------------

  /// Persists one Raft Ready in ONE transaction: hard state (if set), then the entries (after
  /// truncating the conflicting suffix from entries.front().index), then applies `commands` and
  /// records `applied_index`. All or nothing. Returns one result per command, in order.
  /// Errors: invalid_argument (checked before anything is written: entries not contiguous, first
  /// index outside [first_index(), last_index() + 1], commands out of order or not above
  /// applied_index(), applied_index going backwards); io_error and others from SQLite, after
  /// which the store is unusable (`failed`) and the node must stop.
  Result<std::vector<CommandResult>> write(const WriteBatch& batch);

  // ---- Hard state ---------------------------------------------------------------------------

  /// The last hard state written ({0,0,0} in a new store). Never fails (kept in memory).
  const HardState& hard_state() const { return cache_.hard_state; }
  /// Writes the hard state in its own transaction.
  Status set_hard_state(const HardState& hard_state);

  // ---- Raft log -----------------------------------------------------------------------------

  /// Index of the first entry in the log; snapshot_meta().index + 1 (1 in a new store). When the
  /// log is empty, first_index() == last_index() + 1.
  std::uint64_t first_index() const { return cache_.snapshot.index + 1; }
  /// Index of the last entry; snapshot_meta().index if the log is empty (0 in a new store).
  std::uint64_t last_index() const { return cache_.last_index; }
  /// Index and term of the last entry removed by compaction ({0,0} if none).
  const SnapshotMeta& snapshot_meta() const { return cache_.snapshot; }
  /// The cluster configuration (opaque text) in effect at snapshot_meta().index: the initial
  /// one, then the last kConfigEntryKind entry compaction removed, or an installed image's.
  /// "" = none recorded.
  const std::string& snapshot_config() const { return cache_.snapshot_config; }
  /// The configuration in effect at `index` (in [snapshot_meta().index, last_index()]): the
  /// payload of the last kConfigEntryKind entry at or before it, else snapshot_config().
  /// Errors: invalid_argument outside that range, checksum_mismatch, io_error.
  Result<std::string> config_at(std::uint64_t index);
  /// True if open() upgraded a format-1 file (its snapshot_config() is the initial_config).
  bool upgraded() const { return upgrade_from_1_; }

  /// Appends `entries` in one transaction; see write() for the rules. Empty is a no-op.
  Status append(std::span<const LogEntry> entries);
  /// Removes every entry with index >= from. Precondition: from >= first_index() (an index
  /// beyond last_index() is a no-op). Errors: invalid_argument if from < first_index().
  Status truncate_suffix(std::uint64_t from);
  /// Compaction: removes every entry with index <= upto and records (upto, term(upto)) as the
  /// snapshot meta (and config_at(upto) as snapshot_config()), so term(upto) still answers. upto < first_index() is a no-op.
  /// Errors: invalid_argument if upto > last_index() or upto > applied_index() (the state machine
  /// stands in for the removed entries only once it has applied them).
  Status delete_prefix(std::uint64_t upto);
  /// Entries with index in [lo, hi), in order, stopping early once their payloads total more than
  /// max_bytes (at least one entry is returned if lo < hi). Every entry's checksum is verified.
  /// Errors: compacted (lo < first_index()), unavailable (hi > last_index() + 1),
  /// invalid_argument (lo > hi), checksum_mismatch naming the index, io_error.
  Result<std::vector<LogEntry>> entries(std::uint64_t lo, std::uint64_t hi,
                                        std::size_t max_bytes = SIZE_MAX);
  /// Term of the entry at `index`, for index in [first_index() - 1, last_index()] (the lower end
  /// answers from snapshot_meta(); term(0) is 0). Errors: compacted, unavailable,
  /// checksum_mismatch, io_error.
  Result<std::uint64_t> term(std::uint64_t index);

  // ---- State machine ------------------------------------------------------------------------

  /// Applies committed commands in one transaction together with the new applied index; see
  /// write() for the rules. Per command: if client_id != 0 and seq <= the client's last seq, it
  /// is not applied again and its stored reply comes back with duplicate = true (`stale` if
  /// seq < last seq). Sessions are bounded by OpenOptions::max_sessions.
  Result<std::vector<CommandResult>> apply(std::span<const CommittedCommand> commands,
                                           std::uint64_t applied_index);
  /// Index of the last entry applied to the state machine (0 in a new store).
  std::uint64_t applied_index() const { return cache_.applied_index; }

  /// The value of `key`, or nullopt if absent.
  Result<std::optional<std::string>> get(std::string_view key);
  /// Up to `limit` pairs whose key starts with `prefix`, in key (memcmp) order.
  Result<std::vector<KeyValue>> scan_prefix(std::string_view prefix, std::size_t limit);
  /// Up to `limit` pairs with key in [start, end), in key (memcmp) order; an empty `end` means no
  /// upper bound.
  Result<std::vector<KeyValue>> scan_range(std::string_view start, std::string_view end,
                                           std::size_t limit);
  /// Number of keys.
  Result<std::uint64_t> count();
  /// Number of client sessions held (<= OpenOptions::max_sessions).
  std::uint64_t session_count() const { return cache_.session_count; }

  // ---- Snapshots (store_snapshot.cpp; format in store/SCHEMA.md) -------------------------------

  /// Starts copying this database into a new file at `path` (an "image") with SQLite's online
  /// backup API, a few pages per image_step() so the node keeps serving. Writes made through
  /// this Store meanwhile are copied too, so a finished image is the database as of the last
  /// step: kv, sessions and applied index agree (receivers ignore its log and hard state).
  /// Abandons an image in progress. Errors: io_error (cannot create `path`).
  Status begin_image(const std::string& path);
  /// Copies up to `pages` more pages. Once complete returns the image's snapshot point
  /// {applied index, its term}; the file is closed and durable. nullopt while more remains.
  /// Errors: invalid_argument (no image in progress), io_error (the image is abandoned).
  Result<std::optional<SnapshotMeta>> image_step(int pages);
  bool image_in_progress() const { return backup_ != nullptr; }
  /// Stops the image in progress (the caller deletes the file).
  void abandon_image();

  /// Checks a received image without changing anything (opened read-only): a Meadow database of
  /// this format and `cluster_id` that passes PRAGMA quick_check. Returns its applied index.
  /// Errors: not_a_database, not_meadow, corrupt, newer_format, wrong_cluster, io_error.
  static Result<std::uint64_t> inspect_image(const std::string& path,
                                             const std::string& cluster_id);
  /// Raft §7 on the receiving side, in ONE transaction: kv, sessions and the applied index
  /// become the image's, the whole log is dropped, the snapshot meta becomes `snapshot` and
  /// snapshot_config() `config` (the configuration at its index, from the leader's message), and
  /// the commit index is raised to at least snapshot.index. A crash leaves either the old state or
  /// the new one. Errors (nothing changed): invalid_argument if the image's applied index is not
  /// snapshot.index or the image fails inspect_image; io_error etc. as write().
  Status install_image(const std::string& path, const SnapshotMeta& snapshot,
                       const std::string& config = "");

  /// Number of entries in the log (last_index() - snapshot_meta().index).
  std::uint64_t log_entries() const { return cache_.last_index - cache_.snapshot.index; }

  // ---- Inspection ---------------------------------------------------------------------------

  /// Runs one read-only SELECT on this store's connection (for `meadow shell`'s `sql`: the
  /// exclusive lock keeps every other process out). Refused with invalid_argument, before
  /// anything runs: not exactly one statement, or anything but reading tables (writes, ATTACH,
  /// PRAGMA, BEGIN/COMMIT, ...). Stops after `max_rows` rows or `max_bytes` of text (then
  /// `truncated`) and interrupts a statement running longer than `max_time` (error busy).
  Result<QueryResult> query_readonly(std::string_view sql, std::size_t max_rows,
                                     std::size_t max_bytes, std::chrono::milliseconds max_time);

  // ---- Checks -------------------------------------------------------------------------------

  /// Runs PRAGMA quick_check (or the slower integrity_check if `full`) and verifies every log
  /// entry's checksum. Errors: corrupt, checksum_mismatch, io_error.
  Status check(bool full = false);

  struct Statements;   // prepared statements, defined in store_internal.h
  struct ImageBackup;  // an image in progress, defined in store_snapshot.cpp

 private:
  // What the store keeps in memory; rolled back with a failed transaction.
  struct Cache {
    HardState hard_state;
    SnapshotMeta snapshot;
    std::string snapshot_config;
    std::uint64_t last_index = 0;
    std::uint64_t applied_index = 0;
    std::uint64_t session_count = 0;
  };
  struct DbCloser {
    void operator()(sqlite3* db) const;
  };

  Store(std::string path, OpenOptions options);

  // Precondition checks done before a transaction begins (store_log.cpp, store_state.cpp).
  Status validate_entries(std::span<const LogEntry> entries) const;
  Status validate_commands(std::span<const CommittedCommand> commands,
                           std::optional<std::uint64_t> applied_index) const;
  // Pieces of a transaction; they run inside transaction().
  Status put_hard_state_in_txn(const HardState& hard_state);
  Status append_in_txn(std::span<const LogEntry> entries);
  Status truncate_suffix_in_txn(std::uint64_t from);
  Status apply_in_txn(std::span<const CommittedCommand> commands, std::uint64_t applied_index,
                      std::vector<CommandResult>& results);
  Status apply_one_in_txn(const CommittedCommand& command, CommandResult& result);
  Result<LogEntry> read_entry(std::uint64_t index);

  // Transactions (store.cpp). Runs `body` between BEGIN IMMEDIATE and COMMIT; if anything fails
  // the transaction is rolled back, cache_ restored, and the store marked failed.
  Status transaction(const std::function<Status()>& body);
  Status fail(Status status);
  Status usable() const;

  // Opening (store.cpp).
  Status create_new();
  Status configure();
  Status verify_existing();
  Status upgrade();
  Status load_cache();

  std::string path_;
  OpenOptions options_;
  std::unique_ptr<sqlite3, DbCloser> db_;
  std::unique_ptr<Statements> stmts_;  // declared after db_: finalized before the db closes
  struct BackupCloser {
    void operator()(ImageBackup* backup) const;
  };
  std::unique_ptr<ImageBackup, BackupCloser> backup_;  // after db_: finished before it closes
  Cache cache_;
  std::optional<Status> failed_;
  bool upgrade_from_1_ = false;
};

}  // namespace meadow::store
