// Plain data the store reads and writes: log entries, hard state, client commands and their
// results, open options. The store does not know Raft's types; the node converts to and from
// these. Standard library only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meadow::store {

/// The current on-disk format. A file with a larger version is refused (StatusCode::newer_format).
inline constexpr std::uint32_t kFormatVersion = 2;
/// Log entries of this kind hold a whole cluster configuration (opaque text): the store keeps
/// the one in effect at the compaction point (Store::snapshot_config).
inline constexpr std::uint8_t kConfigEntryKind = 2;
/// Default bound on the client sessions table (see OpenOptions::max_sessions).
inline constexpr std::uint64_t kDefaultMaxSessions = 10000;

/// How hard a commit works to be durable (see store/SCHEMA.md for the trade).
enum class Durability {
  full,    ///< synchronous=FULL: a committed write survives power loss (the default)
  normal,  ///< synchronous=NORMAL: survives a process crash; may lose recent commits on power loss
};

/// "full" or "normal".
const char* durability_name(Durability durability);

struct OpenOptions {
  std::string cluster_id;     ///< must equal the id recorded in an existing file
  std::uint64_t node_id = 0;  ///< must equal the id recorded in an existing file
  Durability durability = Durability::full;
  bool create_if_missing = true;  ///< if false, a missing file is StatusCode::not_found
  /// Keep sessions of at most this many clients (>= 1); the least recently active client (by
  /// log index of its last command) is forgotten first. Must be the same on every node of a
  /// cluster: eviction is part of the replicated state machine.
  std::uint64_t max_sessions = kDefaultMaxSessions;
  /// The configuration (opaque text, "" = none) recorded as snapshot_config() when the file is
  /// created, or when a format-1 file (which predates stored configurations) is upgraded.
  std::string initial_config;
};

/// One Raft log entry. Indexes and terms must be < 2^63 (SQLite integers are signed).
struct LogEntry {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  std::uint8_t kind = 0;  ///< opaque to the store (the node's entry type: normal, config, ...)
  std::string payload;    ///< opaque bytes
  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

/// Raft's persistent state besides the log (Raft Figure 2: currentTerm, votedFor) plus commit.
struct HardState {
  std::uint64_t term = 0;
  std::uint64_t voted_for = 0;  ///< 0 = no vote in this term
  std::uint64_t commit = 0;
  friend bool operator==(const HardState&, const HardState&) = default;
};

/// Where the log starts after compaction: the index and term of the last entry removed.
/// {0, 0} for a log that was never compacted.
struct SnapshotMeta {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  friend bool operator==(const SnapshotMeta&, const SnapshotMeta&) = default;
};

enum class Op : std::uint8_t { put = 1, del = 2, noop = 3 };

/// A client command as the state machine sees it. client_id 0 means "no session": the command is
/// applied without the exactly-once check (used for commands that need no dedup).
struct Command {
  std::uint64_t client_id = 0;
  std::uint64_t seq = 0;  ///< the client's sequence number, increasing per client
  Op op = Op::noop;
  std::string key;    ///< any bytes (put, del)
  std::string value;  ///< any bytes (put)
  friend bool operator==(const Command&, const Command&) = default;
};

/// A command together with the log index it was committed at.
struct CommittedCommand {
  std::uint64_t index = 0;
  Command command;
};

/// What applying a command did.
enum class Outcome : std::uint8_t {
  ok = 0,         ///< put stored, key deleted, or noop
  not_found = 1,  ///< del of a key that did not exist (nothing changed)
  stale = 2,      ///< seq older than the client's last one: not applied, its reply is forgotten
};

/// "ok", "not_found" or "stale".
const char* outcome_name(Outcome outcome);

struct CommandResult {
  Outcome outcome = Outcome::ok;
  /// True if the command was not applied because the session showed it already was; `outcome`
  /// is then the stored reply of the first application (or `stale`).
  bool duplicate = false;
  friend bool operator==(const CommandResult&, const CommandResult&) = default;
};

/// Rows of a read-only query, every value as text (see Store::query_readonly).
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  bool truncated = false;  ///< more rows or bytes than the limits allowed
};

struct KeyValue {
  std::string key;
  std::string value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

/// Everything one Raft Ready persists, written in ONE transaction (one fsync) by Store::write.
struct WriteBatch {
  std::optional<HardState> hard_state;  ///< written if set
  /// Appended after removing every existing entry with index >= entries.front().index.
  std::vector<LogEntry> entries;
  /// Committed commands to apply, in increasing index order, all > the current applied index.
  std::vector<CommittedCommand> commands;
  /// If set, the new applied index (>= the last command's index; may cover entries that are not
  /// commands, such as leader no-ops). Must be set if `commands` is non-empty.
  std::optional<std::uint64_t> applied_index;
};

}  // namespace meadow::store
