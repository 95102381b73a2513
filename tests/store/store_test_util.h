// Helpers for the store tests: opening a store in a temp directory, making log entries and
// commands, reading a whole file (to prove a refused file was left untouched).
// Tests only; depends on store/ and tests/support/.
#pragma once

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "store/store.h"
#include "tests/support/temp_dir.h"

namespace meadow::store::test {

inline OpenOptions options(std::string cluster = "test-cluster", std::uint64_t node = 1) {
  OpenOptions o;
  o.cluster_id = std::move(cluster);
  o.node_id = node;
  return o;
}

/// Runs SQL on a database file directly, behind the store's back (to forge bad or old files).
inline void raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

/// Opens (creating) the store at dir/meadow.db, failing the test if that fails.
inline Store open_ok(const meadow::test::TempDir& dir, const OpenOptions& o = options()) {
  auto store = Store::open((dir / "meadow.db").string(), o);
  INFO(store.status().describe());
  REQUIRE(store.ok());
  return std::move(store).value();
}

inline LogEntry entry(std::uint64_t index, std::uint64_t term, std::string payload = "") {
  if (payload.empty()) payload = "payload-" + std::to_string(index);
  return LogEntry{index, term, 1, std::move(payload)};
}

inline std::vector<LogEntry> entries(std::uint64_t lo, std::uint64_t hi, std::uint64_t term) {
  std::vector<LogEntry> out;
  for (std::uint64_t i = lo; i < hi; ++i) out.push_back(entry(i, term));
  return out;
}

inline CommittedCommand put(std::uint64_t index, std::string key, std::string value,
                            std::uint64_t client = 0, std::uint64_t seq = 0) {
  return {index, Command{client, seq, Op::put, std::move(key), std::move(value)}};
}

inline CommittedCommand del(std::uint64_t index, std::string key, std::uint64_t client = 0,
                            std::uint64_t seq = 0) {
  return {index, Command{client, seq, Op::del, std::move(key), ""}};
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Runs `body` in a forked child process that ends with _exit(body()) — no destructors, as in a
/// crash — and returns that exit code. For tests needing process-wide settings or an unclean exit.
template <typename Body>
int exit_code_in_child(Body body) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) _exit(body());
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace meadow::store::test
