// Store, part 2: the Raft log — append with suffix truncation, compaction, reads verified by
// CRC32C. Opening and transactions are in store.cpp; the state machine in store_state.cpp.
#include <limits>

#include "store/crc32c.h"
#include "store/store.h"
#include "store/store_internal.h"

namespace meadow::store {
namespace {

constexpr std::uint64_t kMaxIndex = std::numeric_limits<std::int64_t>::max();

std::string range_text(std::uint64_t lo, std::uint64_t hi) {
  return "[" + std::to_string(lo) + ", " + std::to_string(hi) + ")";
}

// Reads the current row of a log statement (idx, term, kind, payload, crc) and checks it.
Result<LogEntry> entry_from_row(const Statement& st, std::uint64_t expected_index,
                                const std::string& path) {
  LogEntry entry{st.column_u64(0), st.column_u64(1), static_cast<std::uint8_t>(st.column_u64(2)),
                 st.column_blob(3)};
  if (entry.index != expected_index) {
    return Status(StatusCode::corrupt,
                  path + ": log entry at index " + std::to_string(expected_index) + " is missing");
  }
  const std::uint64_t stored = st.column_u64(4);
  const std::uint32_t computed = entry_checksum(entry);
  if (st.column_u64(2) > 0xff || stored != computed) {
    return Status(StatusCode::checksum_mismatch,
                  path + ": log entry at index " + std::to_string(expected_index) +
                      " is corrupt: stored checksum " + std::to_string(stored) +
                      " does not match its contents (" + std::to_string(computed) + ")");
  }
  return entry;
}

}  // namespace

Status Store::validate_entries(std::span<const LogEntry> entries) const {
  if (entries.empty()) return Status::ok();
  const std::uint64_t first = entries.front().index;
  if (first < first_index() || first > last_index() + 1) {
    return Status(StatusCode::invalid_argument, "append at index " + std::to_string(first) +
                                                    " outside [" + std::to_string(first_index()) +
                                                    ", " + std::to_string(last_index() + 1) + "]");
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const LogEntry& e = entries[i];
    if (e.index > kMaxIndex || e.term > kMaxIndex) {
      return Status(StatusCode::invalid_argument,
                    "log index/term out of range at index " + std::to_string(e.index));
    }
    if (i > 0 && e.index != entries[i - 1].index + 1) {
      return Status(StatusCode::invalid_argument,
                    "entries not contiguous: " + std::to_string(entries[i - 1].index) + " then " +
                        std::to_string(e.index));
    }
    // Raft's log matching property implies terms never decrease along the log.
    if (i > 0 && e.term < entries[i - 1].term) {
      return Status(StatusCode::invalid_argument,
                    "term decreases at index " + std::to_string(e.index));
    }
  }
  return Status::ok();
}

Status Store::append(std::span<const LogEntry> entries) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (Status s = validate_entries(entries); !s.is_ok()) return s;
  if (entries.empty()) return Status::ok();
  return transaction([&] { return append_in_txn(entries); });
}

Status Store::append_in_txn(std::span<const LogEntry> entries) {
  // Raft §5.3: an entry that conflicts with a new one is deleted with everything after it. The
  // caller sends only entries that replace or extend the log, so remove the whole suffix.
  if (Status s = truncate_suffix_in_txn(entries.front().index); !s.is_ok()) return s;
  Statement& st = stmts_->insert_entry;
  for (const LogEntry& e : entries) {
    auto use = st.use();
    st.bind_u64(1, e.index);
    st.bind_u64(2, e.term);
    st.bind_u64(3, e.kind);
    st.bind_blob(4, e.payload);
    st.bind_u64(5, entry_checksum(e));
    if (Status s = st.run(); !s.is_ok()) return s;
  }
  cache_.last_index = entries.back().index;
  return Status::ok();
}

Status Store::truncate_suffix(std::uint64_t from) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (from < first_index()) {
    return Status(StatusCode::invalid_argument, "truncate_suffix(" + std::to_string(from) +
                                                    ") below first index " +
                                                    std::to_string(first_index()));
  }
  if (from > last_index()) return Status::ok();
  return transaction([&] { return truncate_suffix_in_txn(from); });
}

Status Store::truncate_suffix_in_txn(std::uint64_t from) {
  if (from > last_index()) return Status::ok();
  Statement& st = stmts_->delete_suffix;
  auto use = st.use();
  st.bind_u64(1, from);
  if (Status s = st.run(); !s.is_ok()) return s;
  cache_.last_index = from - 1;
  return Status::ok();
}

Status Store::delete_prefix(std::uint64_t upto) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (upto < first_index()) return Status::ok();
  if (upto > last_index() || upto > applied_index()) {
    return Status(StatusCode::invalid_argument,
                  "delete_prefix(" + std::to_string(upto) + ") beyond last index " +
                      std::to_string(last_index()) + " or applied index " +
                      std::to_string(applied_index()));
  }
  auto upto_term = term(upto);
  if (!upto_term) return upto_term.status();
  auto config = config_at(upto);
  if (!config) return config.status();
  return transaction([&]() -> Status {
    Statement& del = stmts_->delete_prefix;
    auto use_del = del.use();
    del.bind_u64(1, upto);
    if (Status s = del.run(); !s.is_ok()) return s;
    Statement& snap = stmts_->put_snapshot;
    auto use_snap = snap.use();
    snap.bind_u64(1, upto);
    snap.bind_u64(2, *upto_term);
    if (Status s = snap.run(); !s.is_ok()) return s;
    if (*config != cache_.snapshot_config) {
      Statement& put = stmts_->put_snapshot_config;
      auto use_put = put.use();
      put.bind_blob(1, *config);
      if (Status s = put.run(); !s.is_ok()) return s;
    }
    cache_.snapshot = {upto, *upto_term};
    cache_.snapshot_config = std::move(*config);
    return Status::ok();
  });
}

Result<std::string> Store::config_at(std::uint64_t index) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (index < snapshot_meta().index || index > last_index()) {
    return Status(StatusCode::invalid_argument,
                  "config_at(" + std::to_string(index) + ") outside [" +
                      std::to_string(snapshot_meta().index) + ", " +
                      std::to_string(last_index()) + "]");
  }
  std::optional<std::uint64_t> config_index;
  {
    Statement& st = stmts_->last_config_upto;
    auto use = st.use();
    st.bind_u64(1, index);
    st.bind_u64(2, kConfigEntryKind);
    auto row = st.step();
    if (!row) return about(path_, row.status());
    if (*row) config_index = st.column_u64(0);
  }
  if (!config_index) return cache_.snapshot_config;
  auto entry = read_entry(*config_index);  // checksum verified
  if (!entry) return entry.status();
  return std::move(entry->payload);
}

Result<LogEntry> Store::read_entry(std::uint64_t index) {
  Statement& st = stmts_->read_entry;
  auto use = st.use();
  st.bind_u64(1, index);
  auto row = st.step();
  if (!row) return about(path_, row.status());
  if (!*row) {
    return Status(StatusCode::corrupt,
                  path_ + ": log entry at index " + std::to_string(index) + " is missing");
  }
  return entry_from_row(st, index, path_);
}

Result<std::vector<LogEntry>> Store::entries(std::uint64_t lo, std::uint64_t hi,
                                             std::size_t max_bytes) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (lo > hi) {
    return Status(StatusCode::invalid_argument, "entries: empty range " + range_text(lo, hi));
  }
  if (lo < first_index()) {
    return Status(StatusCode::compacted, "entries " + range_text(lo, hi) + ": compacted up to " +
                                             std::to_string(snapshot_meta().index));
  }
  if (hi > last_index() + 1) {
    return Status(StatusCode::unavailable, "entries " + range_text(lo, hi) + ": last index is " +
                                               std::to_string(last_index()));
  }
  std::vector<LogEntry> out;
  if (lo == hi) return out;
  Statement& st = stmts_->read_range;
  auto use = st.use();
  st.bind_u64(1, lo);
  st.bind_u64(2, hi);
  std::size_t total_bytes = 0;
  std::uint64_t expected = lo;
  bool size_limited = false;
  for (;;) {
    auto row = st.step();
    if (!row) return about(path_, row.status());
    if (!*row) break;
    auto entry = entry_from_row(st, expected, path_);
    if (!entry) return entry.status();
    const std::size_t size = entry->payload.size();
    if (!out.empty() && (size > max_bytes || total_bytes > max_bytes - size)) {
      size_limited = true;
      break;
    }
    total_bytes += size;
    out.push_back(std::move(*entry));
    ++expected;
  }
  if (!size_limited && expected != hi) {
    // The range is within [first_index, last_index] yet a row is absent: a hole in the log.
    return Status(StatusCode::corrupt,
                  path_ + ": log entry at index " + std::to_string(expected) + " is missing");
  }
  return out;
}

Result<std::uint64_t> Store::term(std::uint64_t index) {
  if (Status s = usable(); !s.is_ok()) return s;
  if (index == snapshot_meta().index) return snapshot_meta().term;
  if (index < snapshot_meta().index) {
    return Status(StatusCode::compacted, "term(" + std::to_string(index) + "): compacted up to " +
                                             std::to_string(snapshot_meta().index));
  }
  if (index > last_index()) {
    return Status(StatusCode::unavailable, "term(" + std::to_string(index) + "): last index is " +
                                               std::to_string(last_index()));
  }
  auto entry = read_entry(index);
  if (!entry) return entry.status();
  return entry->term;
}

}  // namespace meadow::store
