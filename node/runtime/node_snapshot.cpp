// Node: snapshots and log compaction (Raft §7). The kv table is the state machine at the applied
// index, so "taking a snapshot" is recording that point and deleting the log before it (minus a
// kept tail). Followers whose next entry is gone get an image of the store, streamed by
// SnapshotSender and assembled by SnapshotReceiver; the core decides whether to install it.
#include <bit>
#include <cstdio>

#include "node/runtime/node.h"
#include "node/runtime/raft_codec.h"
#include "node/runtime/snapshot_files.h"

namespace meadow::node {

namespace wire = transport::wire;

void Node::start_snapshots() {
  remove_snapshot_files(config_.data_dir);  // transfers of an earlier run start over
  SnapshotSenderOptions options;
  options.data_dir = config_.data_dir;
  const auto send = [this](const wire::RaftMessage& m) { peers_->send(m); };
  snapshot_sender_ = std::make_unique<SnapshotSender>(
      store_, options, config_.id, logger_, send,
      [this](raft::NodeId to, bool ok) { core_->report_snapshot(to, ok); });
  snapshot_receiver_ = std::make_unique<SnapshotReceiver>(
      config_.data_dir, config_.cluster_id, config_.id, logger_, send, [this](raft::Index index) {
        const auto& pending = core_->log().pending_snapshot();
        return pending && pending->index == index;
      });
}

bool Node::take_snapshot_message(const wire::RaftMessage& message) {
  switch (message.type) {
    case wire::RaftMessageType::snapshot:
      // A deposed leader's chunks are dropped: its transfer would compete with the new leader's.
      if (message.term < core_->term()) {
        if (std::has_single_bit(++stale_snapshot_chunks_))
          logger_.info("dropping snapshot chunks of old terms (" +
                       std::to_string(stale_snapshot_chunks_) + " so far), latest from " +
                       std::to_string(message.from) + " in term " + std::to_string(message.term));
        return true;
      }
      if (auto complete = snapshot_receiver_->on_chunk(message)) {
        core_->step(*complete);
        // Installed from the next Ready only if the core restored it; otherwise (it already
        // held that entry, or the message was stale) the file is not needed.
        const auto& pending = core_->log().pending_snapshot();
        if (!pending || pending->index != complete->index)
          std::remove(received_image_path(config_.data_dir, complete->index).c_str());
      }
      return true;
    case wire::RaftMessageType::snapshot_response:
      snapshot_sender_->on_response(message, Clock::now());
      return true;
    default:
      return false;
  }
}

void Node::request_snapshot(const raft::Message& message) {
  snapshot_sender_->request(message.to, message.term, message.index, Clock::now());
}

void Node::snapshot_housekeeping() {
  snapshot_sender_->keep_only_term(core_->role() == raft::Role::leader ? core_->term() : 0);
  snapshot_sender_->poll(Clock::now());
  compact_log(false);
}

raft::Index Node::compact_log(bool force) {
  const raft::Index applied = store_.applied_index();
  const raft::Index snapshot = store_.snapshot_meta().index;
  const std::uint64_t keep = force ? 0 : config_.snapshot_keep_entries;
  if (applied <= snapshot + keep) return snapshot;
  if (!force && applied - snapshot < config_.snapshot_entries + keep) return snapshot;
  const raft::Index upto = applied - keep;
  if (auto s = store_.delete_prefix(upto); !s.is_ok()) die("compacting the log: " + s.describe());
  ++compactions_;
  logger_.debug("snapshot at " + std::to_string(upto) + ": log now [" +
                std::to_string(store_.first_index()) + ", " + std::to_string(store_.last_index()) +
                "]");
  return upto;
}

void Node::restore(const raft::SnapshotMeta& snapshot) {
  ++snapshots_installed_;
  logger_.info("installed snapshot " + std::to_string(snapshot.term) + "/" +
               std::to_string(snapshot.index) + ": " +
               std::to_string(store_.count().ok() ? *store_.count() : 0) + " keys");
  // Nothing this node was waiting for can be answered from here on (it is a follower).
  fail_pending_after_step_down();
  if (!snapshot.config.empty()) note_applied_config(snapshot.config, snapshot.index);
}

}  // namespace meadow::node
