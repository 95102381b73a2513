// Output: renders command results and events to streams the shell owns — text (tables, colour
// only when enabled) or JSON (exactly one object per line; see README "JSON output"). Style
// paints text with ANSI colours when colour is on, and is a no-op otherwise.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "shell/command_result.h"

namespace meadow::shell {

enum class OutputFormat { text, json };
enum class Colour { red, green, yellow, cyan, dim, bold };

class Style {
 public:
  explicit Style(bool colour) : colour_(colour) {}
  bool colour() const { return colour_; }
  /// `text` wrapped in the colour's escape codes if colour is on, else `text` unchanged.
  std::string paint(std::string_view text, Colour colour) const;

 private:
  bool colour_ = false;
};

class Output {
 public:
  /// Text results go to `out`, text errors to `err`; JSON goes to `out` only.
  Output(std::ostream& out, std::ostream& err, OutputFormat format, bool colour);

  OutputFormat format() const { return format_; }
  const Style& style() const { return style_; }

  /// text: the result's text (if any), or "error: MESSAGE" on `err`;
  /// json: {"command":NAME,"ok":true,"data":{...}} or {"command":NAME,"ok":false,
  /// "error":{"code":CODE,"message":MESSAGE}}.
  void result(std::string_view command, const CommandResult& result);
  /// text: the event's line; json: {"event":KIND, ...data members}.
  void event(const Event& event);
  /// A human-only line (banner, progress): text mode only, dropped in JSON mode.
  void note(std::string_view text);
  void flush();

 private:
  std::ostream& out_;
  std::ostream& err_;
  OutputFormat format_;
  Style style_;
};

/// Whether colour should be used on `fd`: it is a terminal and NO_COLOR is unset or empty.
bool colour_wanted(int fd);

}  // namespace meadow::shell
