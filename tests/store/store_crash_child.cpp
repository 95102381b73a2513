// The child of the crash test: appends batches and applies entries as fast as it can, forever,
// and after every commit that returned reports "<last_index> <applied_index>\n" on stdout, so
// the parent knows what must survive the SIGKILL it is about to receive.
// Usage: store_crash_child DB_PATH SEED full|normal
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "store/store.h"
#include "tests/store/crash_model.h"

using namespace meadow::store;

namespace {

[[noreturn]] void die(const Status& status) {
  std::fprintf(stderr, "store_crash_child: %s\n", status.describe().c_str());
  std::exit(2);
}

void report(const Store& store) {
  const std::string line =
      std::to_string(store.last_index()) + " " + std::to_string(store.applied_index()) + "\n";
  // One write(2) per line, no stdio buffer: what the parent reads was true when written.
  if (::write(1, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: store_crash_child DB_PATH SEED full|normal\n");
    return 1;
  }
  OpenOptions options;
  options.cluster_id = "crash";
  options.node_id = 1;
  options.durability = std::string(argv[3]) == "normal" ? Durability::normal : Durability::full;
  auto opened = Store::open(argv[1], options);
  if (!opened) die(opened.status());
  Store& store = *opened;
  std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
  for (std::uint64_t batch = 1;; ++batch) {
    // Everything appended by earlier batches counts as committed: apply it all in this one.
    const std::uint64_t committed = store.last_index();
    WriteBatch ready;
    const std::uint64_t count = 1 + rng() % 64;
    for (std::uint64_t i = committed + 1; i <= committed + count; ++i) {
      ready.entries.push_back(crash::entry_at(i));
    }
    for (std::uint64_t i = store.applied_index() + 1; i <= committed; ++i) {
      ready.commands.push_back({i, crash::command_at(i)});
    }
    ready.applied_index = committed;
    ready.hard_state = HardState{crash::term_at(committed + count), 1, committed};
    auto written = store.write(ready);
    if (!written) die(written.status());
    if (batch % 7 == 0 && store.applied_index() > 100) {
      if (Status s = store.delete_prefix(store.applied_index() - 100); !s.is_ok()) die(s);
    }
    report(store);
  }
}
