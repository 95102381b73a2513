// MEADOW_ASSERT: programmer-error checks that stay on in Release builds (LogCabin style).
// Standard library only, so even the pure Raft core may use it. Outside input is never
// asserted on: it is validated where it arrives and rejected with a status.
#pragma once

#include <cstdio>
#include <cstdlib>

#define MEADOW_ASSERT(cond)                                                                \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "meadow: assertion failed: %s (%s:%d)\n", #cond, __FILE__,      \
                   __LINE__);                                                              \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)
