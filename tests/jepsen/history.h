// Jepsen-style operation history: what each client asked (invoke), what it learned (ok / fail
// / info) and when, on one steady clock. Plain data plus its one-line text form and the history
// file writer; used by the workload (recording) and the checker (judging). Standard library only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meadow::jepsen {

enum class OpKind : std::uint8_t { get, put, del };

/// ok: took effect (a get: returned `value`). fail: definitely did not take effect. info: the
/// outcome is unknown (timeout, lost connection): it may take effect at any time after invoke.
enum class Outcome : std::uint8_t { ok, fail, info };

/// Sentinel for "still unknown at the end of the history" (info ops never complete).
constexpr std::int64_t kNever = INT64_MAX;

struct Op {
  std::uint64_t id = 0;  ///< unique in the history, in invoke order
  int process = 0;       ///< client thread; -1 for the checker's final reads
  OpKind kind = OpKind::get;
  std::string key;
  /// put: the value written. get (ok): the value read, nullopt = not found. del: unused.
  std::optional<std::string> value;
  Outcome outcome = Outcome::ok;
  std::int64_t invoke_ns = 0;    ///< steady clock, since the run started
  std::int64_t complete_ns = 0;  ///< when the outcome was learned (also for info: when given up)
  std::string note;              ///< why fail/info (the client's message), or who read (final)
};

/// "#12 p3 put k1.0 = c3-7 ok [1.234000 .. 1.240112]" (times in seconds).
std::string describe(const Op& op);

/// Writes one line per op, sorted by invoke time, with a header naming the run. Returns false
/// (and says why in `error`) if the file cannot be written.
bool write_history(const std::string& path, const std::string& header, std::vector<Op> ops,
                   std::string& error);

}  // namespace meadow::jepsen
