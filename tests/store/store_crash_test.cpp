// Crash test: a child process writes to a store as fast as it can and is killed with SIGKILL at
// random moments, many rounds on the same file. After each kill the store must reopen cleanly
// and hold a prefix of the model workload that includes every batch whose commit returned.
// Seed: MEADOW_CRASH_SEED (default below) — a failure prints it so the run can be replayed.
// Rounds: MEADOW_CRASH_ROUNDS (default 60, about 3 s in Release) for longer soak runs.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <random>
#include <sstream>

#include "tests/store/crash_model.h"
#include "tests/store/store_test_util.h"

using namespace meadow::store;
using meadow::test::TempDir;

namespace {

constexpr int kDefaultRounds = 60;
constexpr std::uint64_t kDefaultSeed = 20261123;

// The child, started with fork+exec and its stdout on a pipe. Only this pid is ever killed.
class Child {
 public:
  Child(const std::string& db, std::uint64_t seed, const char* durability) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const std::string seed_text = std::to_string(seed);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      execl(MEADOW_STORE_CRASH_CHILD, MEADOW_STORE_CRASH_CHILD, db.c_str(), seed_text.c_str(),
            durability, static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    kill_and_reap();
    if (fd_ >= 0) close(fd_);
  }

  /// Reads one progress line; nullopt at EOF. A 30 s deadline bounds a hung child (a failure
  /// bound, not synchronisation: a healthy child reports within milliseconds).
  std::optional<std::string> read_line() {
    for (;;) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      pollfd p{fd_, POLLIN, 0};
      int ready = poll(&p, 1, 30000);
      if (ready < 0 && errno == EINTR) continue;
      REQUIRE(ready == 1);
      char chunk[4096];
      ssize_t n = read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  /// SIGKILL and wait; returns the wait status.
  int kill_and_reap() {
    if (pid_ <= 0) return status_;
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  int status_ = 0;
  std::string buffer_;
};

struct Acknowledged {
  std::uint64_t last_index = 0;
  std::uint64_t applied_index = 0;
};

void parse_report(const std::string& line, Acknowledged& ack) {
  std::istringstream in(line);
  std::uint64_t last = 0, applied = 0;
  REQUIRE(static_cast<bool>(in >> last >> applied));
  ack.last_index = std::max(ack.last_index, last);
  ack.applied_index = std::max(ack.applied_index, applied);
}

// Reopens the store and checks everything the model says about it.
void verify(const std::string& db, const Acknowledged& ack) {
  OpenOptions o;
  o.cluster_id = "crash";
  o.node_id = 1;
  auto opened = Store::open(db, o);  // runs quick_check and checks the last entry
  INFO(opened.status().describe());
  REQUIRE(opened.ok());
  Store& store = *opened;
  REQUIRE(store.check(true).is_ok());  // full integrity_check + every entry's checksum

  // Every batch whose commit returned before the kill is there.
  CHECK(store.last_index() >= ack.last_index);
  CHECK(store.applied_index() >= ack.applied_index);
  // Written in one transaction: the hard state, the entries and the applied index agree.
  CHECK(store.applied_index() <= store.last_index());
  CHECK(store.hard_state().commit == store.applied_index());
  CHECK(store.hard_state().term == crash::term_at(store.last_index()));

  // The log is exactly the model's entries over [first, last]: a prefix of what was written.
  auto log = store.entries(store.first_index(), store.last_index() + 1);
  REQUIRE(log.ok());
  for (const LogEntry& e : *log) {
    INFO("index " << e.index);
    REQUIRE(e == crash::entry_at(e.index));
  }

  // The data is the model's state after applying exactly [1, applied_index].
  std::vector<std::optional<std::string>> expected(crash::kKeys);
  for (std::uint64_t i = 1; i <= store.applied_index(); ++i) {
    const Command c = crash::command_at(i);
    expected[i % crash::kKeys] =
        c.op == Op::put ? std::optional<std::string>(c.value) : std::nullopt;
  }
  std::uint64_t present = 0;
  for (std::uint64_t k = 0; k < crash::kKeys; ++k) {
    INFO("key-" << k);
    CHECK(store.get("key-" + std::to_string(k)).value() == expected[k]);
    present += expected[k].has_value();
  }
  CHECK(store.count().value() == present);
}

}  // namespace

TEST_CASE("store crash: SIGKILL at random moments never loses an acknowledged batch",
          "[store][crash]") {
  std::uint64_t seed = kDefaultSeed;
  if (const char* env = std::getenv("MEADOW_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  int rounds = kDefaultRounds;
  if (const char* env = std::getenv("MEADOW_CRASH_ROUNDS")) rounds = std::atoi(env);
  INFO("replay with MEADOW_CRASH_SEED=" << seed);
  std::mt19937_64 rng(seed);
  TempDir dir;
  const std::string db = (dir / "meadow.db").string();
  Acknowledged ack;
  for (int round = 1; round <= rounds; ++round) {
    const char* durability = round % 2 ? "full" : "normal";
    // Kill after 0..100 acknowledged batches; 0 often lands inside open (or creation).
    const std::uint64_t reports = rng() % 101;
    INFO("round " << round << " (" << durability << "), kill after " << reports << " reports");
    {
      Child child(db, rng(), durability);
      for (std::uint64_t i = 0; i < reports; ++i) {
        auto line = child.read_line();
        INFO("the child exited before it was killed (see its stderr)");
        REQUIRE(line.has_value());
        parse_report(*line, ack);
      }
      const int status = child.kill_and_reap();
      REQUIRE(WIFSIGNALED(status));
      // Lines written before death were also acknowledged commits.
      while (auto line = child.read_line()) parse_report(*line, ack);
    }
    verify(db, ack);
  }
  CHECK(ack.last_index > 0);
}
