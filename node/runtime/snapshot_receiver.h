// SnapshotReceiver: the follower's side of InstallSnapshot (Raft §7) in the node runtime. It
// writes the leader's image chunks to a file in the data directory (bounded memory: one chunk),
// acknowledges each with the byte count it holds (so a lost chunk is resent and a restarted
// transfer starts over), checks the finished image (Store::inspect_image), and then hands the
// core a snapshot message to step. The store installs the file from the next Ready. A chunk
// from an older term never displaces the transfer in progress (a deposed leader must not starve
// the new one), and the file of an image the core is waiting to install is never replaced.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "node/raft/types.h"
#include "node/runtime/logger.h"
#include "transport/wire_raft.h"

namespace meadow::node {

struct SnapshotReceiverCounters {
  std::uint64_t received = 0;  ///< complete images handed to the core
  std::uint64_t refused = 0;   ///< images that failed the check
  std::uint64_t stale = 0;     ///< chunks from an older term than the transfer in progress
  std::uint64_t chunks = 0;
};

class SnapshotReceiver {
 public:
  using Send = std::function<void(const transport::wire::RaftMessage&)>;
  /// True while the core waits to install the received image at this index (its file must stay).
  using AwaitingInstall = std::function<bool(raft::Index)>;

  SnapshotReceiver(std::string data_dir, std::string cluster_id, raft::NodeId self,
                   Logger& logger, Send send, AwaitingInstall awaiting_install);
  ~SnapshotReceiver();
  SnapshotReceiver(const SnapshotReceiver&) = delete;
  SnapshotReceiver& operator=(const SnapshotReceiver&) = delete;

  /// One chunk (a wire snapshot message). Always answers it. Returns the Raft snapshot message
  /// for the core once the image is complete and checked; its file is then at
  /// received_image_path(data_dir, index).
  std::optional<raft::Message> on_chunk(const transport::wire::RaftMessage& chunk);

  const SnapshotReceiverCounters& counters() const { return counters_; }

 private:
  struct Incoming {
    raft::NodeId from = 0;
    raft::Term term = 0;
    raft::Index index = 0;
    raft::Term index_term = 0;
    std::uint64_t total = 0;
    std::uint64_t received = 0;
    bool complete = false;
    std::string config;  ///< the configuration at `index` sent with the first chunk ("" = none)
    bool same(const transport::wire::RaftMessage& m) const;
  };

  void answer(const transport::wire::RaftMessage& chunk, std::uint64_t bytes, bool reject);
  void close_file();
  /// The finished .part file checked and moved to its final name; false (file removed) if not.
  bool accept_image(const Incoming& in);

  std::string data_dir_;
  std::string cluster_id_;
  raft::NodeId self_;
  Logger& logger_;
  Send send_;
  AwaitingInstall awaiting_install_;
  std::optional<Incoming> incoming_;
  int fd_ = -1;
  SnapshotReceiverCounters counters_;
};

}  // namespace meadow::node
