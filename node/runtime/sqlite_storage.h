// SqliteStorage: the Raft core's Storage (node/raft/storage.h) over the node's SQLite store.
// Every persist is one SQLite transaction (one fsync in `full` durability). A storage error on
// this path is fatal: the node stops loudly rather than run on state it cannot trust.
#pragma once

#include <functional>
#include <string>

#include "node/raft/storage.h"
#include "node/runtime/log_tail_cache.h"
#include "store/store.h"

namespace meadow::node {

/// Called with a message when storage fails; must not return (the node exits).
using FatalHandler = std::function<void(const std::string& message)>;

/// Stops the process: prints `message` to stderr and aborts.
[[noreturn]] void die(const std::string& message);

class SqliteStorage : public raft::Storage {
 public:
  /// `store` must outlive this object. Received snapshot images are taken from `data_dir`
  /// (received_image_path in snapshot_files.h).
  SqliteStorage(store::Store& store, std::string data_dir, FatalHandler fatal = die);

  raft::HardState hard_state() const override;
  raft::SnapshotMeta snapshot() const override;
  raft::Index first_index() const override;
  raft::Index last_index() const override;
  std::optional<raft::Term> term(raft::Index index) const override;
  std::vector<raft::Entry> entries(raft::Index lo, raft::Index hi,
                                   std::uint64_t max_bytes) const override;
  void persist(const std::optional<raft::HardState>& hard_state,
               const std::vector<raft::Entry>& entries) override;
  /// Installs the received image for `snapshot` (checked by SnapshotReceiver) in one
  /// transaction, then deletes the file.
  void install_snapshot(const raft::SnapshotMeta& snapshot) override;

  /// Group commit: persist() and applying `commands` (with the applied index moving to
  /// `applied_index`) in ONE transaction. Returns one result per command. Fatal on error.
  std::vector<store::CommandResult> persist_and_apply(
      const std::optional<raft::HardState>& hard_state, const std::vector<raft::Entry>& entries,
      std::vector<store::CommittedCommand> commands, std::uint64_t applied_index);

  /// Transactions committed by persist() and persist_and_apply() so far (each is one fsync in `full` durability).
  std::uint64_t persist_count() const { return persist_count_; }

 private:
  static store::WriteBatch to_batch(const std::optional<raft::HardState>& hard_state,
                                    const std::vector<raft::Entry>& entries);

  store::Store& store_;
  std::string data_dir_;
  FatalHandler fatal_;
  std::uint64_t persist_count_ = 0;
  /// The newest persisted entries: applying and replication read them from memory.
  LogTailCache tail_{kTailEntries, kTailBytes};
  static constexpr std::size_t kTailEntries = 16384;
  static constexpr std::uint64_t kTailBytes = 8u << 20;
};

}  // namespace meadow::node
