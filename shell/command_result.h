// CommandResult and Event: what a command handler or the cluster watcher produces, before it is
// rendered as text or JSON by Output. Plain data; standard library and JsonValue only.
#pragma once

#include <string>

#include "shell/json_value.h"

namespace meadow::shell {

struct CommandResult {
  bool ok = true;
  std::string error_code;  ///< when !ok: stable snake_case code, e.g. "no_quorum"
  std::string message;     ///< when !ok: one line
  JsonValue data;          ///< when ok: the JSON "data" object (null = none)
  std::string text;        ///< when ok: the human rendering (may be empty or multi-line)
  bool exit = false;       ///< the shell should stop after this command

  static CommandResult success(JsonValue data, std::string text) {
    CommandResult r;
    r.data = std::move(data);
    r.text = std::move(text);
    return r;
  }
  static CommandResult failure(std::string code, std::string message) {
    CommandResult r;
    r.ok = false;
    r.error_code = std::move(code);
    r.message = std::move(message);
    return r;
  }
};

/// Something the shell noticed on its own (leader change, node down/up).
struct Event {
  std::string kind;  ///< e.g. "leader_changed"; the JSON "event" member
  JsonValue data;    ///< further JSON members (an object), merged after "event"
  std::string text;  ///< the human line
};

}  // namespace meadow::shell
