// The linearizability checker judged on hand-made histories whose verdict is known: classic
// anomalies must be caught, legal concurrency and unknown (info) outcomes must be accepted.
#include <catch2/catch.hpp>
#include <random>

#include "tests/jepsen/linearizability.h"

using namespace meadow::jepsen;

namespace {

// Times in ms for readability.
Op put(int process, std::string key, std::string value, std::int64_t from, std::int64_t to,
       Outcome outcome = Outcome::ok) {
  Op op;
  op.process = process;
  op.kind = OpKind::put;
  op.key = std::move(key);
  op.value = std::move(value);
  op.outcome = outcome;
  op.invoke_ns = from * 1'000'000;
  op.complete_ns = to * 1'000'000;
  return op;
}

Op del(int process, std::string key, std::int64_t from, std::int64_t to,
       Outcome outcome = Outcome::ok) {
  Op op = put(process, std::move(key), "", from, to, outcome);
  op.kind = OpKind::del;
  op.value.reset();
  return op;
}

Op get(int process, std::string key, std::optional<std::string> read, std::int64_t from,
       std::int64_t to, Outcome outcome = Outcome::ok) {
  Op op = put(process, std::move(key), "", from, to, outcome);
  op.kind = OpKind::get;
  op.value = std::move(read);
  return op;
}

std::vector<Op> numbered(std::vector<Op> ops) {
  for (std::size_t i = 0; i < ops.size(); ++i) ops[i].id = i + 1;
  return ops;
}

Verdict verdict_of(std::vector<Op> ops) { return check_history(numbered(std::move(ops))).verdict; }

}  // namespace

TEST_CASE("checker: a sequential put, get, delete, get history is linearizable", "[checker]") {
  CHECK(verdict_of({put(1, "a", "v1", 0, 1), get(2, "a", "v1", 2, 3), del(1, "a", 4, 5),
                    get(2, "a", std::nullopt, 6, 7)}) == Verdict::linearizable);
}

TEST_CASE("checker: a get of a key never written is not-found", "[checker]") {
  CHECK(verdict_of({get(1, "a", std::nullopt, 0, 1)}) == Verdict::linearizable);
  CHECK(verdict_of({get(1, "a", "", 0, 1)}) == Verdict::not_linearizable);
}

TEST_CASE("checker: a stale read after a newer write completed is caught", "[checker]") {
  CHECK(verdict_of({put(1, "a", "v1", 0, 1), put(2, "a", "v2", 2, 3), get(3, "a", "v1", 4, 5)}) ==
        Verdict::not_linearizable);
}

TEST_CASE("checker: a lost acknowledged write is caught", "[checker]") {
  CHECK(verdict_of({put(1, "a", "v1", 0, 1), get(2, "a", std::nullopt, 2, 3)}) ==
        Verdict::not_linearizable);
  // Deleted and then the delete undone: the old value reappears.
  CHECK(verdict_of({put(1, "a", "v1", 0, 1), del(1, "a", 2, 3), get(2, "a", "v1", 4, 5)}) ==
        Verdict::not_linearizable);
}

TEST_CASE("checker: a read of a value nobody wrote is caught", "[checker]") {
  CHECK(verdict_of({put(1, "a", "v1", 0, 1), get(2, "a", "ghost", 2, 3)}) ==
        Verdict::not_linearizable);
}

TEST_CASE("checker: an info write may have happened", "[checker]") {
  CHECK(verdict_of({put(1, "a", "v1", 0, 1, Outcome::info), get(2, "a", "v1", 5, 6)}) ==
        Verdict::linearizable);
  // ... long after the client gave up on it, as a delayed retry can.
  CHECK(verdict_of({put(1, "a", "v1", 0, 1, Outcome::info), get(2, "a", std::nullopt, 5, 6),
                    get(2, "a", "v1", 7, 8)}) == Verdict::linearizable);
}

TEST_CASE("checker: an info write may not have happened", "[checker]") {
  CHECK(verdict_of({put(1, "a", "v0", 0, 1), put(1, "a", "v1", 2, 3, Outcome::info),
                    get(2, "a", "v0", 5, 6)}) == Verdict::linearizable);
  CHECK(verdict_of({del(1, "a", 0, 1, Outcome::info), get(2, "a", std::nullopt, 5, 6)}) ==
        Verdict::linearizable);
}

TEST_CASE("checker: an info write cannot take effect before it was invoked", "[checker]") {
  CHECK(verdict_of({get(2, "a", "v1", 0, 1), put(1, "a", "v1", 2, 3, Outcome::info)}) ==
        Verdict::not_linearizable);
}

TEST_CASE("checker: an info write takes effect at most once", "[checker]") {
  CHECK(verdict_of({put(1, "a", "v1", 0, 1, Outcome::info), get(2, "a", "v1", 2, 3),
                    put(3, "a", "v2", 4, 5), get(2, "a", "v1", 6, 7)}) ==
        Verdict::not_linearizable);
}

TEST_CASE("checker: failed ops never happened and their values must not be read", "[checker]") {
  CHECK(verdict_of({put(1, "a", "v1", 0, 1, Outcome::fail), get(2, "a", std::nullopt, 2, 3)}) ==
        Verdict::linearizable);
  auto result =
      check_history(numbered({put(1, "a", "v1", 0, 1, Outcome::fail), get(2, "a", "v1", 2, 3)}));
  CHECK(result.verdict == Verdict::not_linearizable);
  REQUIRE_FALSE(result.problems.empty());
  CHECK(result.problems.front().reason == "read of a value whose write failed");
  // A get that timed out says nothing, whatever value it carries.
  CHECK(verdict_of({get(2, "a", "junk", 2, 3, Outcome::info)}) == Verdict::linearizable);
}

TEST_CASE("checker: overlapping ops may take effect in either order", "[checker]") {
  // A put concurrent with two reads: nf then v1 is fine; v1 then nf is not.
  CHECK(verdict_of({put(1, "a", "v1", 0, 10), get(2, "a", std::nullopt, 1, 2),
                    get(2, "a", "v1", 3, 4)}) == Verdict::linearizable);
  CHECK(verdict_of({put(1, "a", "v1", 0, 10), get(2, "a", "v1", 1, 2),
                    get(2, "a", std::nullopt, 3, 4)}) == Verdict::not_linearizable);
  // Two concurrent puts, then reads agreeing on one winner; disagreeing readers are caught.
  CHECK(verdict_of({put(1, "a", "x", 0, 5), put(2, "a", "y", 0, 5), get(3, "a", "y", 6, 7),
                    get(4, "a", "y", 8, 9)}) == Verdict::linearizable);
  CHECK(verdict_of({put(1, "a", "x", 0, 5), put(2, "a", "y", 0, 5), get(3, "a", "y", 6, 7),
                    get(4, "a", "x", 8, 9)}) == Verdict::not_linearizable);
  // Ops touching at one instant count as concurrent.
  CHECK(verdict_of({put(1, "a", "v1", 0, 5), get(2, "a", std::nullopt, 5, 6)}) ==
        Verdict::linearizable);
}

TEST_CASE("checker: keys are judged separately and the violation is shrunk to its core",
          "[checker]") {
  std::vector<Op> ops;
  for (int i = 0; i < 20; ++i) {  // noise on key b: fine on its own
    ops.push_back(put(1, "b", "b" + std::to_string(i), 10 * i, 10 * i + 5));
    ops.push_back(get(2, "b", "b" + std::to_string(i), 10 * i + 6, 10 * i + 8));
  }
  for (int i = 0; i < 10; ++i) ops.push_back(get(3, "a", std::nullopt, 10 * i, 10 * i + 5));
  ops.push_back(put(1, "a", "v1", 200, 201));
  ops.push_back(put(2, "a", "v2", 202, 203));
  ops.push_back(get(3, "a", "v2", 204, 205));
  ops.push_back(get(4, "a", "v1", 206, 207));  // stale
  const CheckResult result = check_history(numbered(ops));
  CHECK(result.keys == 2);
  CHECK(result.verdict == Verdict::not_linearizable);
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].key == "a");
  // put v2 completed before the stale get began; with put v1 that is all it takes.
  REQUIRE(result.problems[0].involved.size() == 3);
  CHECK(result.problems[0].involved[0].value == "v1");
  CHECK(result.problems[0].involved[1].value == "v2");
  CHECK(result.problems[0].involved[2].value == "v1");
  CHECK(check_key(result.problems[0].involved).verdict == Verdict::not_linearizable);
}

TEST_CASE("checker: an exhausted search budget is undecided, never a pass", "[checker]") {
  std::vector<Op> ops;
  for (int i = 0; i < 40; ++i) ops.push_back(put(i, "a", "v" + std::to_string(i), 0, 100));
  ops.push_back(get(99, "a", "v0", 101, 102));
  CheckOptions options;
  options.max_steps_per_key = 10;
  CHECK(check_history(numbered(ops), options).verdict == Verdict::undecided);
}

TEST_CASE("checker: a long random concurrent history built from a real order is linearizable",
          "[checker]") {
  // Ops get linearization points in sequence; each op's interval covers its point with random
  // slack, so neighbours overlap (about as many at once as the suite's 10 clients make); reads
  // report the register at their point.
  std::mt19937_64 rng(7);
  std::vector<Op> ops;
  std::optional<std::string> reg;
  std::int64_t point = 0;
  for (int i = 0; i < 2000; ++i) {
    point += 2;
    const std::int64_t from = point - static_cast<std::int64_t>(rng() % 10);
    const std::int64_t to = point + static_cast<std::int64_t>(rng() % 10);
    const int process = i % 10;
    const unsigned dice = static_cast<unsigned>(rng() % 10);
    if (dice < 5) {
      ops.push_back(get(process, "a", reg, from, to));
    } else if (dice < 9) {
      const bool lost = rng() % 10 == 0;  // a timed-out put that still took effect
      reg = "v" + std::to_string(i);
      ops.push_back(put(process, "a", *reg, from, to, lost ? Outcome::info : Outcome::ok));
    } else {
      reg.reset();
      ops.push_back(del(process, "a", from, to));
    }
  }
  const CheckResult result = check_history(numbered(ops));
  INFO("search steps " << result.steps);
  CHECK(result.verdict == Verdict::linearizable);
}
