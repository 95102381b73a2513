// Size limits on client data, shared by the node (which enforces them with a clear error before a
// command enters the log) and the shell (which checks before sending, so a value too large for
// the wire is refused at once, not after a timeout). The store accepts any size SQLite does;
// these are policy, not storage limits. Standard library only.
#pragma once

#include <cstddef>

namespace meadow {

/// Largest key a client may write, in bytes (keys are arbitrary bytes, the empty key included).
inline constexpr std::size_t kMaxKeyBytes = 4 * 1024;
/// Largest value a client may write, in bytes.
inline constexpr std::size_t kMaxValueBytes = 1024 * 1024;

}  // namespace meadow
