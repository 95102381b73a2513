// store_bench: measures the store's append rate (entries/s) and sync rate (fsyncs/s) for batches
// of 1, 16 and 256 entries of 100 bytes in both durability modes, and the machine's raw
// write+fdatasync rate for comparison. A measurement program, not a test.
// Usage: store_bench [DIR] [SECONDS_PER_CASE]   (DIR defaults to the current directory)
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"

// Counts every fsync/fdatasync the process makes, SQLite's included: these definitions interpose
// on libc's (SQLite is a shared library calling them through the PLT).
namespace {
std::atomic<long> g_syncs{0};
template <typename Fn>
Fn next_symbol(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}
}  // namespace

extern "C" int fsync(int fd) {
  static auto real = next_symbol<int (*)(int)>("fsync");
  g_syncs.fetch_add(1, std::memory_order_relaxed);
  return real(fd);
}

extern "C" int fdatasync(int fd) {
  static auto real = next_symbol<int (*)(int)>("fdatasync");
  g_syncs.fetch_add(1, std::memory_order_relaxed);
  return real(fd);
}

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using meadow::store::Durability;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The raw rate: write 100 bytes, fdatasync, repeat; appending (the file grows, so the size must
// be synced too) and overwriting in place (as a recycled SQLite WAL is written).
void raw_fsync_rate(const fs::path& dir, double seconds, bool append) {
  const fs::path file = dir / "raw_fsync.bin";
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror("open");
    std::exit(1);
  }
  const std::string block(100, 'x');
  long n = 0;
  const auto start = Clock::now();
  while (seconds_since(start) < seconds) {
    const off_t offset = append ? static_cast<off_t>(n * block.size()) : 0;
    if (::pwrite(fd, block.data(), block.size(), offset) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      std::perror("pwrite/fdatasync");
      std::exit(1);
    }
    ++n;
  }
  const double elapsed = seconds_since(start);
  ::close(fd);
  fs::remove(file);
  std::printf("raw pwrite(100 B, %s)+fdatasync: %.0f syncs/s (%ld in %.2f s)\n",
              append ? "append" : "in place", n / elapsed, n, elapsed);
}

void store_rate(const fs::path& dir, Durability durability, std::size_t batch, double seconds) {
  const fs::path db = dir / "bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  meadow::store::OpenOptions options;
  options.cluster_id = "bench";
  options.node_id = 1;
  options.durability = durability;
  auto store = meadow::store::Store::open(db.string(), options);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.status().describe().c_str());
    std::exit(1);
  }
  meadow::store::WriteBatch wb;
  wb.entries.resize(batch);
  std::uint64_t next = 1, commits = 0;
  const long syncs_before = g_syncs.load();
  const auto start = Clock::now();
  while (seconds_since(start) < seconds) {
    for (auto& e : wb.entries) e = {next++, 1, 0, std::string(100, 'p')};
    wb.hard_state = meadow::store::HardState{1, 1, next - 1};
    auto written = store->write(wb);
    if (!written) {
      std::fprintf(stderr, "%s\n", written.status().describe().c_str());
      std::exit(1);
    }
    ++commits;
  }
  const double elapsed = seconds_since(start);
  const long syncs = g_syncs.load() - syncs_before;
  std::printf("%-6s %6zu %12.0f %12.0f %12.0f\n", meadow::store::durability_name(durability), batch,
              (next - 1) / elapsed, commits / elapsed, syncs / elapsed);
  store =
      meadow::store::Status(meadow::store::StatusCode::failed, "closed");  // close before removal
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::current_path();
  const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
  std::printf("directory %s, %.1f s per case\n", fs::absolute(dir).c_str(), seconds);
  raw_fsync_rate(dir, seconds, true);
  raw_fsync_rate(dir, seconds, false);
  std::printf("\n");
  std::printf("%-6s %6s %12s %12s %12s\n", "mode", "batch", "entries/s", "commits/s", "fsyncs/s");
  for (Durability durability : {Durability::full, Durability::normal}) {
    for (std::size_t batch : {1, 16, 256}) store_rate(dir, durability, batch, seconds);
  }
  return 0;
}
