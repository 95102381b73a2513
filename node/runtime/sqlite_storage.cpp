#include "node/runtime/sqlite_storage.h"

#include <cstdio>
#include <cstdlib>

#include "node/runtime/snapshot_files.h"

namespace meadow::node {

void die(const std::string& message) {
  std::fprintf(stderr, "meadow node: fatal: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

SqliteStorage::SqliteStorage(store::Store& store, std::string data_dir, FatalHandler fatal)
    : store_(store), data_dir_(std::move(data_dir)), fatal_(std::move(fatal)) {}

raft::HardState SqliteStorage::hard_state() const {
  const auto& hs = store_.hard_state();
  return {hs.term, hs.voted_for, hs.commit};
}

raft::SnapshotMeta SqliteStorage::snapshot() const {
  const auto& meta = store_.snapshot_meta();
  raft::SnapshotMeta out;
  out.index = meta.index;
  out.term = meta.term;
  // "" = none yet: a node started with --join learns its configuration from the leader.
  if (const std::string& text = store_.snapshot_config(); !text.empty()) {
    auto config = raft::decode_cluster_config(text);
    if (!config) fatal_("the stored cluster configuration is unreadable: '" + text + "'");
    out.config = std::move(*config);
  }
  return out;
}

raft::Index SqliteStorage::first_index() const { return store_.first_index(); }

raft::Index SqliteStorage::last_index() const { return store_.last_index(); }

std::optional<raft::Term> SqliteStorage::term(raft::Index index) const {
  if (index < store_.snapshot_meta().index || index > store_.last_index()) return std::nullopt;
  if (const auto cached = tail_.term(index)) return cached;
  auto term = store_.term(index);
  if (!term.ok()) fatal_("reading the term of log entry " + std::to_string(index) + ": " +
                         term.status().describe());
  return *term;
}

std::vector<raft::Entry> SqliteStorage::entries(raft::Index lo, raft::Index hi,
                                                std::uint64_t max_bytes) const {
  if (lo >= first_index()) {
    if (auto cached = tail_.entries(lo, hi, max_bytes)) return std::move(*cached);
  }
  auto stored = store_.entries(lo, hi, max_bytes);
  if (!stored.ok()) fatal_("reading log entries [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "): " + stored.status().describe());
  std::vector<raft::Entry> out;
  out.reserve(stored->size());
  for (auto& e : *stored) {
    if (e.kind > static_cast<std::uint8_t>(raft::EntryKind::config))
      fatal_("log entry " + std::to_string(e.index) + " has unknown kind " +
             std::to_string(e.kind));
    out.push_back({e.term, e.index, static_cast<raft::EntryKind>(e.kind), std::move(e.payload)});
  }
  return out;
}

store::WriteBatch SqliteStorage::to_batch(const std::optional<raft::HardState>& hard_state,
                                          const std::vector<raft::Entry>& entries) {
  store::WriteBatch batch;
  if (hard_state) batch.hard_state = store::HardState{hard_state->term, hard_state->voted_for,
                                                      hard_state->commit};
  batch.entries.reserve(entries.size());
  for (const auto& e : entries)
    batch.entries.push_back({e.index, e.term, static_cast<std::uint8_t>(e.kind), e.data});
  return batch;
}

void SqliteStorage::persist(const std::optional<raft::HardState>& hard_state,
                            const std::vector<raft::Entry>& entries) {
  auto result = store_.write(to_batch(hard_state, entries));
  if (!result.ok()) fatal_("persisting Raft state: " + result.status().describe());
  ++persist_count_;
  tail_.persisted(entries);
}

std::vector<store::CommandResult> SqliteStorage::persist_and_apply(
    const std::optional<raft::HardState>& hard_state, const std::vector<raft::Entry>& entries,
    std::vector<store::CommittedCommand> commands, std::uint64_t applied_index) {
  store::WriteBatch batch = to_batch(hard_state, entries);
  batch.commands = std::move(commands);
  batch.applied_index = applied_index;
  auto result = store_.write(batch);
  if (!result.ok()) fatal_("persisting and applying Raft state: " + result.status().describe());
  ++persist_count_;
  tail_.persisted(entries);
  return std::move(result).value();
}

}  // namespace meadow::node

namespace meadow::node {

void SqliteStorage::install_snapshot(const raft::SnapshotMeta& snapshot) {
  const std::string path = received_image_path(data_dir_, snapshot.index);
  // The receiver checked this file before the core saw the snapshot, so a failure here is the
  // disk's: the core already dropped its log for this snapshot and cannot go back.
  const std::string config =
      snapshot.config.empty() ? std::string() : raft::encode_cluster_config(snapshot.config);
  if (auto s = store_.install_image(path, {snapshot.index, snapshot.term}, config); !s.is_ok())
    fatal_("installing snapshot " + std::to_string(snapshot.index) + ": " + s.describe());
  std::remove(path.c_str());
  ++persist_count_;
  tail_.clear();
}

}  // namespace meadow::node
