// The deterministic workload of the crash test, shared by the child that writes it and the test
// that checks what survived: the log entry and the command at every index are a pure function of
// the index, so any surviving state can be checked against the model. Tests only.
#pragma once

#include <cstdint>
#include <string>

#include "store/types.h"

namespace meadow::store::crash {

inline constexpr std::uint64_t kKeys = 97;

inline std::uint64_t term_at(std::uint64_t index) { return 1 + index / 500; }

inline Command command_at(std::uint64_t index) {
  Command c;
  c.client_id = 1 + index % 7;
  c.seq = index;  // increases per client, so no command is a duplicate
  c.op = index % 11 == 0 ? Op::del : Op::put;
  c.key = "key-" + std::to_string(index % kKeys);
  if (c.op == Op::put) c.value = "value-" + std::to_string(index) + std::string(index % 150, '.');
  return c;
}

// The payload names the command (the child applies command_at(index), not a decoding of it).
inline LogEntry entry_at(std::uint64_t index) {
  const Command c = command_at(index);
  return LogEntry{
      index, term_at(index), 1,
      std::to_string(c.client_id) + "/" + std::to_string(c.seq) + " " + c.key + "=" + c.value};
}

}  // namespace meadow::store::crash
