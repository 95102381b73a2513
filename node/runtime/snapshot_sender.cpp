#include "node/runtime/snapshot_sender.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "node/runtime/snapshot_files.h"

namespace meadow::node {

namespace wire = transport::wire;

/// A complete image file; removed when the last transfer using it lets go.
struct SnapshotSender::Image {
  std::string path;
  store::SnapshotMeta meta;
  std::string config;  ///< the cluster configuration at meta.index ("" = none known)
  std::uint64_t size = 0;
  int fd = -1;

  ~Image() {
    if (fd >= 0) ::close(fd);
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

SnapshotSender::SnapshotSender(store::Store& store, SnapshotSenderOptions options,
                               raft::NodeId self, Logger& logger, Send send, Report report)
    : store_(store),
      options_(std::move(options)),
      self_(self),
      logger_(logger),
      send_(std::move(send)),
      report_(std::move(report)) {}

SnapshotSender::~SnapshotSender() {
  if (!building_path_.empty()) {
    store_.abandon_image();
    std::error_code ec;
    std::filesystem::remove(building_path_, ec);
  }
}

void SnapshotSender::request(raft::NodeId to, raft::Term term, raft::Index min_index,
                             Clock::time_point now) {
  if (auto it = transfers_.find(to); it != transfers_.end() && it->second.term == term) return;
  Transfer t;
  t.term = term;
  t.min_index = min_index;
  t.last_progress = now;
  // Any image at or past the compaction point will do: it is the committed state at its index.
  if (image_ && image_->meta.index >= min_index) t.image = image_;
  auto& transfer = transfers_[to] = std::move(t);
  if (transfer.image) {
    logger_.info("sending snapshot " + std::to_string(transfer.image->meta.index) + " (" +
                 std::to_string(transfer.image->size) + " bytes) to " + std::to_string(to));
    send_chunk(to, transfer, now);
  } else if (building_path_.empty()) {
    start_image();
  }
}

void SnapshotSender::start_image() {
  building_path_ = outgoing_image_path(options_.data_dir, next_image_++);
  if (store::Status s = store_.begin_image(building_path_); !s.is_ok()) {
    logger_.warn("cannot start a snapshot image: " + s.describe());
    building_path_.clear();
    for (auto it = transfers_.begin(); it != transfers_.end();) {
      const raft::NodeId to = it->first;
      ++it;
      if (!transfers_.at(to).image) finish(to, false, "no image");
    }
  }
}

void SnapshotSender::keep_only_term(raft::Term leader_term) {
  for (auto it = transfers_.begin(); it != transfers_.end();) {
    if (it->second.term == leader_term) {
      ++it;
      continue;
    }
    ++counters_.cancelled;
    logger_.info("snapshot to " + std::to_string(it->first) + " cancelled: term " +
                 std::to_string(it->second.term) + " is over");
    it = transfers_.erase(it);
  }
}

void SnapshotSender::poll(Clock::time_point now) {
  if (!building_path_.empty()) {
    auto done = store_.image_step(options_.pages_per_step);
    if (!done.ok() || *done) {
      const std::string path = std::exchange(building_path_, "");
      if (done.ok()) {
        auto image = std::make_shared<Image>();
        image->path = path;
        image->meta = **done;
        // No write ran since the last step: the log still holds the image's index.
        if (auto config = store_.config_at(image->meta.index); config.ok()) {
          image->config = std::move(*config);
        } else {
          logger_.warn("snapshot image without a configuration: " + config.status().describe());
        }
        image->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        std::error_code ec;
        image->size = std::filesystem::file_size(path, ec);
        if (image->fd >= 0 && !ec && image->size > 0) {
          image_ = image;
          ++counters_.images;
          logger_.info("snapshot image at index " + std::to_string(image->meta.index) + ": " +
                       std::to_string(image->size) + " bytes");
        }
      } else {
        logger_.warn("snapshot image failed: " + done.status().describe());
        std::error_code ec;
        std::filesystem::remove(path, ec);
      }
      for (auto it = transfers_.begin(); it != transfers_.end();) {
        const raft::NodeId to = it->first;
        Transfer& t = it->second;
        ++it;
        if (t.image) continue;
        if (image_ && image_->meta.index >= t.min_index) {
          t.image = image_;
          logger_.info("sending snapshot " + std::to_string(image_->meta.index) + " (" +
                       std::to_string(image_->size) + " bytes) to " + std::to_string(to));
          send_chunk(to, t, now);
        } else {
          finish(to, false, "no image");
        }
      }
    }
  }
  for (auto it = transfers_.begin(); it != transfers_.end();) {
    const raft::NodeId to = it->first;
    Transfer& t = it->second;
    ++it;
    if (now - t.last_progress > options_.give_up_after) {
      finish(to, false, "no progress for " +
                            std::to_string(options_.give_up_after.count()) + " ms");
    } else if (t.image && now - t.last_sent > options_.resend_after) {
      send_chunk(to, t, now);
    }
  }
  // Drop the newest image once nobody uses it and it is stale for new requests anyway.
  if (image_ && image_.use_count() == 1 && image_->meta.index < store_.snapshot_meta().index) {
    image_.reset();
  }
}

void SnapshotSender::send_chunk(raft::NodeId to, Transfer& t, Clock::time_point now) {
  const Image& image = *t.image;
  const std::uint64_t length = std::min<std::uint64_t>(options_.chunk_bytes, image.size - t.acked);
  wire::RaftMessage m;
  m.type = wire::RaftMessageType::snapshot;
  m.from = self_;
  m.to = to;
  m.term = t.term;
  m.index = image.meta.index;
  m.log_term = image.meta.term;
  m.commit = t.acked;          // byte offset of this chunk
  m.reject_hint = image.size;  // total bytes of the image
  // A joining node learns the configuration only from entries and snapshots: it travels with
  // every chunk (the core's snapshot message carries it the same way).
  if (!image.config.empty()) {
    m.entries.push_back({image.meta.term, image.meta.index, wire::EntryKind::config, image.config});
  }
  m.context.resize(length);
  const ssize_t got = ::pread(image.fd, m.context.data(), length, static_cast<off_t>(t.acked));
  if (got != static_cast<ssize_t>(length)) {
    finish(to, false, "cannot read the image file");
    return;
  }
  t.last_sent = now;
  ++counters_.chunks;
  send_(m);
}

void SnapshotSender::on_response(const wire::RaftMessage& r, Clock::time_point now) {
  auto it = transfers_.find(r.from);
  if (it == transfers_.end()) return;
  Transfer& t = it->second;
  if (!t.image || r.term != t.term || r.index != t.image->meta.index ||
      r.log_term != t.image->meta.term) {
    return;  // about another transfer
  }
  if (r.reject) {
    finish(r.from, false, "refused by the follower");
    return;
  }
  if (r.commit > t.image->size) return;
  // The follower says how many bytes it holds (less than we thought after it restarted).
  // The same count again answers a chunk we resent: that chunk is already on its way.
  const bool repeat = r.commit == t.acked && r.commit != t.image->size;
  if (repeat && now - t.last_sent < options_.resend_after) return;
  // Only new bytes are progress: a follower that keeps dropping our partial image (it switches
  // to another transfer) and taking the first chunks again must still hit the give-up deadline.
  if (r.commit > t.most_acked) {
    t.most_acked = r.commit;
    t.last_progress = now;
  }
  t.acked = r.commit;
  if (t.acked == t.image->size) {
    finish(r.from, true, "");
    return;
  }
  send_chunk(r.from, t, now);
}

void SnapshotSender::finish(raft::NodeId to, bool ok, const std::string& why) {
  auto it = transfers_.find(to);
  if (it == transfers_.end()) return;
  if (ok) {
    ++counters_.sent;
    logger_.info("snapshot delivered to " + std::to_string(to));
  } else {
    ++counters_.failed;
    logger_.warn("snapshot to " + std::to_string(to) + " failed: " + why);
  }
  transfers_.erase(it);
  report_(to, ok);
}

}  // namespace meadow::node
