#include "shell/output.h"

#include <cstdlib>
#include <unistd.h>

namespace meadow::shell {

std::string Style::paint(std::string_view text, Colour colour) const {
  if (!colour_) return std::string(text);
  const char* code = "";
  switch (colour) {
    case Colour::red: code = "\033[31m"; break;
    case Colour::green: code = "\033[32m"; break;
    case Colour::yellow: code = "\033[33m"; break;
    case Colour::cyan: code = "\033[36m"; break;
    case Colour::dim: code = "\033[2m"; break;
    case Colour::bold: code = "\033[1m"; break;
  }
  return code + std::string(text) + "\033[0m";
}

Output::Output(std::ostream& out, std::ostream& err, OutputFormat format, bool colour)
    : out_(out), err_(err), format_(format), style_(colour && format == OutputFormat::text) {}

void Output::result(std::string_view command, const CommandResult& result) {
  if (format_ == OutputFormat::json) {
    JsonValue line = JsonValue::object().set("command", command).set("ok", result.ok);
    if (result.ok) {
      line.set("data", result.data.is_null() ? JsonValue::object() : result.data);
    } else {
      line.set("error",
               JsonValue::object().set("code", result.error_code).set("message", result.message));
    }
    out_ << line.dump() << '\n';
    out_.flush();
    return;
  }
  if (result.ok) {
    if (!result.text.empty()) out_ << result.text << (result.text.back() == '\n' ? "" : "\n");
    out_.flush();
  } else {
    out_.flush();
    err_ << style_.paint("error:", Colour::red) << ' ' << result.message << '\n';
    err_.flush();
  }
}

void Output::event(const Event& event) {
  if (format_ == OutputFormat::json) {
    std::string line = "{\"event\":" + json_string(event.kind);
    const std::string data = event.data.is_null() ? "{}" : event.data.dump();
    if (data.size() > 2) line += "," + data.substr(1, data.size() - 2);
    out_ << line << "}\n";
  } else {
    out_ << style_.paint(event.text, Colour::yellow) << '\n';
  }
  out_.flush();
}

void Output::note(std::string_view text) {
  if (format_ == OutputFormat::json) return;
  out_ << text << '\n';
  out_.flush();
}

void Output::flush() {
  out_.flush();
  err_.flush();
}

bool colour_wanted(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  return isatty(fd) && (no_colour == nullptr || no_colour[0] == '\0');
}

}  // namespace meadow::shell
