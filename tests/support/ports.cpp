#include "tests/support/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <random>
#include <set>
#include <sys/socket.h>
#include <unistd.h>

#include "common/assert.h"

namespace meadow::test {
namespace {

bool bindable(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  MEADOW_ASSERT(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

int free_port() {
  // Below the kernel's ephemeral range (32768+), so an outgoing connection cannot take the port
  // between now and the node's bind; a per-process random start keeps parallel test processes
  // (ctest -j) apart.
  static constexpr int kLow = 20000, kHigh = 32000;
  static std::mt19937 rng(static_cast<unsigned>(getpid()) * 2654435761u);
  static std::set<int> handed_out;
  for (int tries = 0; tries < 10000; ++tries) {
    const int port = kLow + static_cast<int>(rng() % (kHigh - kLow));
    if (handed_out.count(port) || !bindable(port)) continue;
    handed_out.insert(port);
    return port;
  }
  MEADOW_ASSERT(false && "no free port in [20000, 32000) on 127.0.0.1");
  return 0;
}

}  // namespace meadow::test
