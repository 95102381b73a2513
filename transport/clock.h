// The one clock the transport uses for timeouts and injected delays: monotonic steady_clock.
// Standard library only.
#pragma once

#include <chrono>

namespace meadow::transport {

using Clock = std::chrono::steady_clock;

}  // namespace meadow::transport
