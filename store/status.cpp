#include "store/status.h"

#include "store/types.h"

namespace meadow::store {

const char* code_name(StatusCode code) {
  switch (code) {
    case StatusCode::ok:
      return "ok";
    case StatusCode::invalid_argument:
      return "invalid_argument";
    case StatusCode::not_found:
      return "not_found";
    case StatusCode::io_error:
      return "io_error";
    case StatusCode::busy:
      return "busy";
    case StatusCode::not_a_database:
      return "not_a_database";
    case StatusCode::not_meadow:
      return "not_meadow";
    case StatusCode::corrupt:
      return "corrupt";
    case StatusCode::checksum_mismatch:
      return "checksum_mismatch";
    case StatusCode::wrong_cluster:
      return "wrong_cluster";
    case StatusCode::wrong_node:
      return "wrong_node";
    case StatusCode::newer_format:
      return "newer_format";
    case StatusCode::compacted:
      return "compacted";
    case StatusCode::unavailable:
      return "unavailable";
    case StatusCode::failed:
      return "failed";
  }
  return "unknown";
}

std::string Status::describe() const {
  if (is_ok()) return "ok";
  return std::string(code_name(code_)) + ": " + message_;
}

const char* durability_name(Durability durability) {
  return durability == Durability::full ? "full" : "normal";
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::not_found:
      return "not_found";
    case Outcome::stale:
      return "stale";
  }
  return "unknown";
}

}  // namespace meadow::store
