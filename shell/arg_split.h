// Splitting a shell command line into arguments, and a script into command lines. Pure
// functions, tested from tables. Rules (documented in `help syntax`):
//   words are separated by unquoted blanks; '...' is literal; "..." and bare words take escapes
//   \\ \" \' \n \t \r \0 \xHH \; \# \<space>; an unquoted # at the start of a word begins a comment;
//   unquoted ; and newlines separate commands (split_commands).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meadow::shell {

struct SplitResult {
  std::vector<std::string> args;  ///< arguments as bytes (escapes decoded)
  std::string error;              ///< empty on success, else one line
  /// True if `line` ends outside any word (after a blank or empty): completion then starts a
  /// new word rather than extending the last one.
  bool ends_with_blank = true;
  bool ok() const { return error.empty(); }
};

/// Splits one command line. Errors: unterminated quote, unknown escape, bad \x.
SplitResult split_args(std::string_view line);

/// Splits a script (-c text, stdin) at unquoted, unescaped ';' and newlines; each piece is
/// returned raw (for split_args), blank pieces dropped. An unterminated quote extends to the end
/// of the text (split_args then reports it).
std::vector<std::string> split_commands(std::string_view text);

/// The display form of `bytes` that split_args reads back as the same single argument: bare if
/// it is safe, else double-quoted with escapes (valid UTF-8 passes through).
std::string quote_arg(std::string_view bytes);

/// `text` as a whole decimal number in [lo, hi], or nullopt (signs, spaces, overflow refused).
std::optional<std::uint64_t> parse_count(std::string_view text, std::uint64_t lo, std::uint64_t hi);

}  // namespace meadow::shell
