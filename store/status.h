// Errors as values for the store: a Status (code + human message) and Result<T> (a value or a
// Status). Nothing in store/ lets an exception escape; every failure comes back through these.
// Standard library only.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "common/assert.h"

namespace meadow::store {

/// What went wrong. `ok` is the only success code.
enum class StatusCode {
  ok,
  invalid_argument,   ///< the caller broke a documented precondition (e.g. non-contiguous entries)
  not_found,          ///< the database file does not exist and create_if_missing is off
  io_error,           ///< a read, write or fsync failed; after a failed write the store is unusable
  busy,               ///< the file is locked by another process (another node on the same dir?)
  not_a_database,     ///< not a SQLite file at all, or an empty file
  not_meadow,         ///< a SQLite file, but not one Meadow created
  corrupt,            ///< the SQLite integrity check or a Meadow invariant failed
  checksum_mismatch,  ///< a log entry's CRC32C does not match its contents
  wrong_cluster,      ///< the file belongs to another cluster id
  wrong_node,         ///< the file belongs to another node id
  newer_format,       ///< the file was written by a newer Meadow with an unknown format version
  compacted,          ///< the requested log index was removed by compaction
  unavailable,        ///< the requested log index is beyond the last entry
  failed,             ///< an earlier write failed, so the store refuses further work
};

/// The stable lower-case name of a code, e.g. "checksum_mismatch".
const char* code_name(StatusCode code);

/// A code plus a message meant for a human (it names the file, index or key concerned).
class [[nodiscard]] Status {
 public:
  /// The success value.
  static Status ok() { return Status(); }
  /// An error; `code` must not be StatusCode::ok.
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {
    MEADOW_ASSERT(code != StatusCode::ok);
  }

  bool is_ok() const { return code_ == StatusCode::ok; }
  StatusCode code() const { return code_; }
  /// Empty for ok.
  const std::string& message() const { return message_; }
  /// One line: "ok" or "<code_name>: <message>".
  std::string describe() const;

 private:
  Status() = default;
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

/// Either a T or an error Status. Check ok() before value(); value() on an error asserts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  /// `status` must be an error.
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    MEADOW_ASSERT(!std::get<Status>(v_).is_ok());
  }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    MEADOW_ASSERT(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    MEADOW_ASSERT(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    MEADOW_ASSERT(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  /// Status::ok() for a value, else the error.
  Status status() const { return ok() ? Status::ok() : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace meadow::store
