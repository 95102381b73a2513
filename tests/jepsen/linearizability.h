// Linearizability checker for a key-value register history (Wing & Gong's search with Lowe's
// memoisation, as in Knossos and Porcupine): each key is checked on its own (P-compositionality),
// `info` writes may take effect at any time after their invoke or never, failed ops never did.
// On a violation it shrinks the key's history to a small sub-history that is still not
// linearizable. Standard library only; knows nothing of nodes or sockets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/jepsen/history.h"

namespace meadow::jepsen {

/// undecided = the search budget ran out: the run counts as failed, not as passed.
enum class Verdict : std::uint8_t { linearizable, not_linearizable, undecided };
std::string_view to_string(Verdict verdict);

struct CheckOptions {
  /// Search steps allowed per key before it is undecided.
  std::uint64_t max_steps_per_key = 5'000'000;
  /// Shrink a violating key to a small sub-history (each trial search gets shrink_steps).
  bool shrink = true;
  std::uint64_t shrink_steps = 200'000;
};

struct KeyResult {
  std::string key;
  Verdict verdict = Verdict::linearizable;
  std::string reason;        ///< what is wrong, in words (empty when linearizable)
  std::size_t ops = 0;       ///< ops of this key that took part (fail ops and info gets excluded)
  std::uint64_t steps = 0;   ///< search steps spent
  std::vector<Op> involved;  ///< the shrunk sub-history that is still not linearizable
};

struct CheckResult {
  Verdict verdict = Verdict::linearizable;  ///< the worst over all keys
  std::size_t keys = 0;
  std::uint64_t steps = 0;
  std::vector<KeyResult> problems;  ///< keys not linearizable or undecided
};

/// Checks the ops of ONE key (all with the same key) against a register that starts absent:
/// put sets it, del removes it, get returns it (nullopt = not found).
KeyResult check_key(const std::vector<Op>& ops, const CheckOptions& options = {});

/// Splits by key and checks each; also reports any read of a value whose write failed (that
/// value cannot come from anywhere, so such a key is never linearizable either).
CheckResult check_history(const std::vector<Op>& ops, const CheckOptions& options = {});

}  // namespace meadow::jepsen
