#include "node/runtime/snapshot_receiver.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "node/runtime/snapshot_files.h"
#include "store/store.h"

namespace meadow::node {

namespace wire = transport::wire;

bool SnapshotReceiver::Incoming::same(const wire::RaftMessage& m) const {
  return m.from == from && m.term == term && m.index == index && m.log_term == index_term &&
         m.reject_hint == total;
}

SnapshotReceiver::SnapshotReceiver(std::string data_dir, std::string cluster_id,
                                   raft::NodeId self, Logger& logger, Send send,
                                   AwaitingInstall awaiting_install)
    : data_dir_(std::move(data_dir)),
      cluster_id_(std::move(cluster_id)),
      self_(self),
      logger_(logger),
      send_(std::move(send)),
      awaiting_install_(std::move(awaiting_install)) {}

SnapshotReceiver::~SnapshotReceiver() { close_file(); }

void SnapshotReceiver::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SnapshotReceiver::answer(const wire::RaftMessage& chunk, std::uint64_t bytes, bool reject) {
  wire::RaftMessage r;
  r.type = wire::RaftMessageType::snapshot_response;
  r.from = self_;
  r.to = chunk.from;
  r.term = chunk.term;
  r.index = chunk.index;
  r.log_term = chunk.log_term;
  r.commit = bytes;
  r.reject = reject;
  send_(r);
}

std::optional<raft::Message> SnapshotReceiver::on_chunk(const wire::RaftMessage& chunk) {
  ++counters_.chunks;
  const std::uint64_t offset = chunk.commit;
  if (chunk.reject_hint == 0 || chunk.index == 0 || chunk.log_term == 0 || chunk.term == 0 ||
      chunk.log_term > chunk.term) {
    answer(chunk, 0, true);  // malformed: nothing to assemble
    return std::nullopt;
  }
  if (!incoming_ || !incoming_->same(chunk)) {
    // A deposed leader's chunk must not replace the current leader's transfer: the two would
    // restart each other forever. Refused, so the old sender stops.
    if (incoming_ && chunk.term < incoming_->term) {
      ++counters_.stale;
      answer(chunk, 0, true);
      return std::nullopt;
    }
    // A new transfer starts at byte 0; any other chunk of an unknown transfer is answered "I
    // hold nothing", and the sender starts over.
    if (offset != 0) {
      answer(chunk, 0, false);
      return std::nullopt;
    }
    close_file();
    const std::string path = partial_image_path(data_dir_);
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      logger_.warn("cannot create " + path + " for a snapshot");
      answer(chunk, 0, true);
      incoming_.reset();
      return std::nullopt;
    }
    incoming_ = Incoming{chunk.from, chunk.term, chunk.index, chunk.log_term, chunk.reject_hint,
                         0, false, ""};
    // Checked by the core when the snapshot is stepped in (it must parse).
    if (chunk.entries.size() == 1 && chunk.entries[0].kind == wire::EntryKind::config &&
        chunk.entries[0].index == chunk.index && chunk.entries[0].term == chunk.log_term) {
      incoming_->config = chunk.entries[0].data;
    }
    logger_.info("receiving snapshot " + std::to_string(chunk.log_term) + "/" +
                 std::to_string(chunk.index) + " (" + std::to_string(chunk.reject_hint) +
                 " bytes) from " + std::to_string(chunk.from));
  }
  Incoming& in = *incoming_;
  if (in.complete || offset != in.received) {
    answer(chunk, in.received, false);  // a duplicate, or a gap: say where we are
    return std::nullopt;
  }
  if (chunk.context.size() > in.total - in.received || chunk.context.empty()) {
    answer(chunk, in.received, true);
    close_file();
    incoming_.reset();
    return std::nullopt;
  }
  const ssize_t wrote = ::pwrite(fd_, chunk.context.data(), chunk.context.size(),
                                 static_cast<off_t>(offset));
  if (wrote != static_cast<ssize_t>(chunk.context.size())) {
    logger_.warn("writing a snapshot chunk failed (disk full?)");
    answer(chunk, in.received, true);
    close_file();
    incoming_.reset();
    return std::nullopt;
  }
  in.received += chunk.context.size();
  if (in.received < in.total) {
    answer(chunk, in.received, false);
    return std::nullopt;
  }
  if (!accept_image(in)) {
    answer(chunk, in.received, true);
    incoming_.reset();
    return std::nullopt;
  }
  in.complete = true;
  ++counters_.received;
  answer(chunk, in.received, false);
  raft::Message m;
  m.type = raft::MessageType::snapshot;
  m.from = in.from;
  m.to = self_;
  m.term = in.term;
  m.index = in.index;
  m.log_term = in.index_term;
  if (!in.config.empty()) {
    m.entries.push_back({in.index_term, in.index, raft::EntryKind::config, in.config});
  }
  return m;
}

bool SnapshotReceiver::accept_image(const Incoming& in) {
  // Durable and checked before it gets its final name: an image the store would refuse must
  // never reach the core (which drops its log for it), nor overwrite a good one.
  const std::string part = partial_image_path(data_dir_);
  const bool synced = ::fsync(fd_) == 0;
  close_file();
  auto applied = synced ? store::Store::inspect_image(part, cluster_id_)
                        : store::Result<std::uint64_t>(store::Status(
                              store::StatusCode::io_error, "cannot sync the image"));
  std::string why;
  if (!applied.ok()) {
    why = applied.status().describe();
  } else if (*applied != in.index) {
    why = "its applied index is " + std::to_string(*applied);
  } else if (awaiting_install_ && awaiting_install_(in.index)) {
    // The core already holds an image for this index; its file is installed from the next Ready.
    why = "an image for index " + std::to_string(in.index) + " is waiting to be installed";
  } else if (std::rename(part.c_str(), received_image_path(data_dir_, in.index).c_str()) != 0) {
    why = "cannot rename the image";
  }
  if (why.empty()) return true;
  ++counters_.refused;
  logger_.warn("refusing snapshot from " + std::to_string(in.from) + ": " + why);
  std::remove(part.c_str());
  return false;
}

}  // namespace meadow::node
