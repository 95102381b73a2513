// snapshot_bench: what a snapshot costs at the store level for a large state machine. Fills a
// store with KEYS keys of 100-byte values (default 1,000,000), then measures: write latency with
// no snapshot running; making an image (SQLite online backup, 512 pages per step with one
// node-like write between steps — the node does the same once per loop iteration): total time,
// the longest step (how long the loop stalls), write latency meanwhile; installing the image in
// a second store; compacting 10,000 log entries. A measurement program, not a test.
// Usage: snapshot_bench [DIR] [KEYS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using namespace meadow::store;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

Store open_store(const fs::path& path, std::uint64_t node) {
  OpenOptions o;
  o.cluster_id = "bench";
  o.node_id = node;
  auto s = Store::open(path.string(), o);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.status().describe().c_str());
    std::exit(1);
  }
  return std::move(s).value();
}

// One Ready's worth of work as the node does it: append one entry and apply its put.
void node_write(Store& store, std::uint64_t index, std::uint64_t keys) {
  WriteBatch b;
  const std::string key = "key-" + std::to_string(index % keys);
  b.entries.push_back({index, 1, 0, std::string(100, 'e')});
  b.commands.push_back({index, Command{0, 0, Op::put, key, std::string(100, 'v')}});
  b.applied_index = index;
  if (auto r = store.write(b); !r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().describe().c_str());
    std::exit(1);
  }
}

void print_latencies(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[static_cast<std::size_t>(q * (ms.size() - 1))]; };
  std::printf("%-34s n=%zu p50=%.2f ms p99=%.2f ms max=%.2f ms\n", what, ms.size(), at(0.5),
              at(0.99), ms.back());
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::current_path();
  const std::uint64_t keys = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1'000'000;
  const fs::path work = dir / "snapshot_bench";
  fs::remove_all(work);
  fs::create_directories(work);
  Store store = open_store(work / "leader.db", 1);

  auto start = Clock::now();
  std::uint64_t index = 0;
  for (std::uint64_t lo = 0; lo < keys; lo += 10000) {
    WriteBatch b;
    for (std::uint64_t k = lo; k < std::min(keys, lo + 10000); ++k) {
      ++index;
      b.entries.push_back({index, 1, 0, std::string(16, 'e')});
      b.commands.push_back(
          {index, Command{0, 0, Op::put, "key-" + std::to_string(k), std::string(100, 'v')}});
    }
    b.applied_index = index;
    if (auto r = store.write(b); !r.ok()) return 1;
    if (auto s = store.delete_prefix(index); !s.is_ok()) return 1;
  }
  std::printf("filled %llu keys of 100 bytes in %.1f s; database %.1f MB\n",
              static_cast<unsigned long long>(keys), ms_since(start) / 1000,
              static_cast<double>(fs::file_size(work / "leader.db")) / 1e6);

  std::vector<double> base;
  for (int i = 0; i < 500; ++i) {
    const auto t = Clock::now();
    node_write(store, ++index, keys);
    base.push_back(ms_since(t));
  }
  print_latencies("write latency, no snapshot:", base);

  const fs::path image = work / "image.db";
  std::vector<double> steps, during;
  start = Clock::now();
  if (auto s = store.begin_image(image.string()); !s.is_ok()) return 1;
  SnapshotMeta meta;
  for (;;) {
    const auto t = Clock::now();
    auto done = store.image_step(512);
    steps.push_back(ms_since(t));
    if (!done.ok()) {
      std::fprintf(stderr, "%s\n", done.status().describe().c_str());
      return 1;
    }
    if (*done) {
      meta = **done;
      break;
    }
    const auto w = Clock::now();
    node_write(store, ++index, keys);
    during.push_back(ms_since(w));
  }
  const double image_ms = ms_since(start);
  std::printf("image: %.2f s, %zu steps, %.1f MB, at index %llu\n", image_ms / 1000, steps.size(),
              static_cast<double>(fs::file_size(image)) / 1e6,
              static_cast<unsigned long long>(meta.index));
  print_latencies("image step (loop stall):", steps);
  print_latencies("write latency during the image:", during);

  Store follower = open_store(work / "follower.db", 2);
  start = Clock::now();
  if (auto s = follower.install_image(image.string(), meta); !s.is_ok()) {
    std::fprintf(stderr, "%s\n", s.describe().c_str());
    return 1;
  }
  std::printf("install into a follower: %.2f s (%llu keys)\n", ms_since(start) / 1000,
              static_cast<unsigned long long>(*follower.count()));

  for (int i = 0; i < 10000; ++i) node_write(store, ++index, keys);
  start = Clock::now();
  if (auto s = store.delete_prefix(index); !s.is_ok()) return 1;
  std::printf("compaction of 10,000 entries: %.1f ms\n", ms_since(start));
  fs::remove_all(work);
  return 0;
}
