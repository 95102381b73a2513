// Test support: free loopback TCP ports for nodes under test (127.0.0.1 only).
#pragma once

namespace meadow::test {

/// A port that was free on 127.0.0.1 a moment ago (the kernel picked it for a bind to port 0).
/// Ports handed out by one process are never repeated, so a test can take several in a row.
int free_port();

}  // namespace meadow::test
