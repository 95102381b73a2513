// Byte escaping for the shell's output: text (quote_arg) and JSON both pass valid UTF-8 through
// and escape quotes, backslashes, control bytes and invalid UTF-8. Standard library only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace meadow::shell {

/// Length (2–4) of the valid multi-byte UTF-8 sequence starting at s[i] (no overlongs, no
/// surrogates, at most U+10FFFF), or 0 if s[i] does not start one. Precondition: i < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

/// Appends `bytes` escaped for a double-quoted string (quotes not included): valid UTF-8 as is,
/// \" \\ \n \t \r, and every other byte below 0x20, DEL or not part of valid UTF-8 as
/// `hex_prefix` followed by two lower-case hex digits ("\x" for the shell, "\u00" for JSON).
void append_escaped(std::string& out, std::string_view bytes, std::string_view hex_prefix);

}  // namespace meadow::shell
