#include "shell/arg_split.h"

#include "shell/utf8.h"

namespace meadow::shell {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Decodes the escape at line[i] == '\\'; appends the byte to `out`, advances `i` past it.
/// Returns an error message or "".
std::string decode_escape(std::string_view line, std::size_t& i, std::string& out) {
  if (i + 1 >= line.size()) return "a backslash at the end of the line escapes nothing";
  const char c = line[i + 1];
  i += 2;
  switch (c) {
    case '\\': case '"': case '\'': case ';': case '#': case ' ': out += c; return "";
    case 'n': out += '\n'; return "";
    case 't': out += '\t'; return "";
    case 'r': out += '\r'; return "";
    case '0': out += '\0'; return "";
    case 'x': {
      if (i + 2 > line.size() || hex_value(line[i]) < 0 ||
          hex_value(line[i + 1]) < 0)
        return "\\x needs two hex digits, e.g. \\x00";
      out += static_cast<char>(hex_value(line[i]) * 16 + hex_value(line[i + 1]));
      i += 2;
      return "";
    }
    default:
      return std::string("unknown escape \\") + c +
             " (use \\\\ \\\" \\' \\n \\t \\r \\0 \\xHH \\; \\# or \\ followed by a space)";
  }
}

}  // namespace

SplitResult split_args(std::string_view line) {
  SplitResult result;
  std::string word;
  bool in_word = false;
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (is_blank(c)) {
      if (in_word) result.args.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
      continue;
    }
    if (c == '#' && !in_word) break;  // comment to the end of the line
    in_word = true;
    if (c == '\'') {
      const auto end = line.find('\'', i + 1);
      if (end == std::string_view::npos) {
        result.error = "unterminated single quote";
        return result;
      }
      word.append(line.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) {
          result.error = "unterminated double quote";
          return result;
        }
        if (line[i] == '"') { ++i; break; }
        if (line[i] == '\\') {
          if (auto error = decode_escape(line, i, word); !error.empty()) {
            result.error = error;
            return result;
          }
        } else {
          word += line[i++];
        }
      }
    } else if (c == '\\') {
      if (auto error = decode_escape(line, i, word); !error.empty()) {
        result.error = error;
        return result;
      }
    } else {
      word += c;
      ++i;
    }
  }
  result.ends_with_blank = !in_word;
  if (in_word) result.args.push_back(std::move(word));
  return result;
}

std::vector<std::string> split_commands(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    if (current.find_first_not_of(" \t\r") != std::string::npos) out.push_back(current);
    current.clear();
  };
  char quote = 0;  // the open quote character, 0 if none
  bool comment = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (comment) {
      if (c == '\n') { comment = false; flush(); }
      continue;
    }
    if (quote == '\'') {
      current += c;
      if (c == '\'') quote = 0;
    } else if (c == '\\' && i + 1 < text.size()) {
      current += c;
      current += text[++i];
    } else if (quote == '"') {
      current += c;
      if (c == '"') quote = 0;
    } else if (c == '\'' || c == '"') {
      current += c;
      quote = c;
    } else if (c == ';' || c == '\n') {
      flush();
    } else if (c == '#' && (current.empty() || is_blank(current.back()))) {
      comment = true;
    } else {
      current += c;
    }
  }
  flush();
  return out;
}

std::string quote_arg(std::string_view bytes) {
  bool bare = !bytes.empty();
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '"' || c == '\'' || c == '\\' || c == ';' || c == '#')
      bare = false;
  }
  if (bare) return std::string(bytes);
  std::string out = "\"";
  append_escaped(out, bytes, "\\x");
  return out + "\"";
}

std::optional<std::uint64_t> parse_count(std::string_view text, std::uint64_t lo,
                                         std::uint64_t hi) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n < lo || n > hi) return std::nullopt;
  return n;
}

}  // namespace meadow::shell
