// SnapshotSender: the leader's side of InstallSnapshot (Raft §7) in the node runtime. When the
// core asks for a snapshot for a follower, it makes an image of the store (SQLite online backup,
// a few pages per loop iteration, so the node keeps serving), then streams the file in chunks,
// one outstanding at a time, resending on silence and giving up after a deadline. The outcome
// goes back to the core (report_snapshot). Bounded memory: one chunk per transfer.
// Chunk and acknowledgement layout: transport/PROTOCOL.md "Snapshot transfer".
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "node/raft/types.h"
#include "node/runtime/logger.h"
#include "store/store.h"
#include "transport/wire_raft.h"

namespace meadow::node {

struct SnapshotSenderOptions {
  std::string data_dir;                       ///< where images are written
  std::size_t chunk_bytes = 1 << 20;          ///< image bytes per message
  int pages_per_step = 512;                   ///< SQLite pages copied per loop iteration
  std::chrono::milliseconds resend_after{1000};   ///< resend a chunk not acknowledged by then
  std::chrono::milliseconds give_up_after{15000}; ///< no progress for this long: failed
};

struct SnapshotSenderCounters {
  std::uint64_t images = 0;     ///< images made
  std::uint64_t sent = 0;       ///< transfers completed
  std::uint64_t failed = 0;     ///< transfers that failed (the core retries)
  std::uint64_t chunks = 0;     ///< chunks sent, resends included
  std::uint64_t cancelled = 0;  ///< transfers dropped because their leader term ended
};

class SnapshotSender {
 public:
  using Clock = std::chrono::steady_clock;
  using Send = std::function<void(const transport::wire::RaftMessage&)>;
  using Report = std::function<void(raft::NodeId to, bool ok)>;

  /// `store` must outlive this object; `send` hands a message to the peer transport, `report`
  /// tells the core how a transfer ended.
  SnapshotSender(store::Store& store, SnapshotSenderOptions options, raft::NodeId self,
                 Logger& logger, Send send, Report report);
  ~SnapshotSender();
  SnapshotSender(const SnapshotSender&) = delete;
  SnapshotSender& operator=(const SnapshotSender&) = delete;

  /// The core (leader in `term`) asks to send `to` a snapshot covering at least `min_index`.
  /// A transfer already running to `to` in that term continues instead.
  void request(raft::NodeId to, raft::Term term, raft::Index min_index, Clock::time_point now);
  /// An acknowledgement (snapshot_response) from a follower. Unknown or stale ones are ignored.
  void on_response(const transport::wire::RaftMessage& response, Clock::time_point now);
  /// Drops, unreported, every transfer not started in `leader_term` (0: this node leads in no
  /// term): the leadership that asked for them is over, and its chunks would only compete with
  /// the new leader's at the follower. Every loop iteration, before poll.
  void keep_only_term(raft::Term leader_term);
  /// Copies a few more image pages, resends or abandons silent transfers. Every loop iteration.
  void poll(Clock::time_point now);

  const SnapshotSenderCounters& counters() const { return counters_; }
  /// Transfers in progress (including those waiting for an image).
  std::size_t active() const { return transfers_.size(); }

 private:
  struct Image;
  struct Transfer {
    raft::Term term = 0;
    raft::Index min_index = 0;
    std::shared_ptr<Image> image;  ///< null while waiting for one
    std::uint64_t acked = 0;       ///< bytes the follower holds
    std::uint64_t most_acked = 0;  ///< the most it ever held: only passing it is progress
    Clock::time_point last_sent{};
    Clock::time_point last_progress{};
  };

  void start_image();
  void send_chunk(raft::NodeId to, Transfer& transfer, Clock::time_point now);
  void finish(raft::NodeId to, bool ok, const std::string& why);

  store::Store& store_;
  SnapshotSenderOptions options_;
  raft::NodeId self_;
  Logger& logger_;
  Send send_;
  Report report_;
  std::map<raft::NodeId, Transfer> transfers_;
  std::shared_ptr<Image> image_;     ///< the newest complete image
  std::string building_path_;        ///< image being made ("" = none)
  std::uint64_t next_image_ = 1;
  SnapshotSenderCounters counters_;
};

}  // namespace meadow::node
