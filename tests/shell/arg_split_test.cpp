// Table tests for shell argument splitting, escapes, script splitting and quoting.
#include <catch2/catch.hpp>

#include "shell/arg_split.h"

using namespace meadow::shell;
using Args = std::vector<std::string>;

TEST_CASE("shell: split_args splits words, quotes and escapes", "[shell]") {
  struct Row {
    std::string line;
    Args args;
  };
  const std::vector<Row> rows = {
      {"", {}},
      {"   ", {}},
      {"put k v", {"put", "k", "v"}},
      {"  put   k\tv  ", {"put", "k", "v"}},
      {"put k \"hello world\"", {"put", "k", "hello world"}},
      {"put k 'a \\n b'", {"put", "k", "a \\n b"}},
      {"put k \"a\\nb\"", {"put", "k", "a\nb"}},
      {"put k a\\ b", {"put", "k", "a b"}},
      {"put k \"\"", {"put", "k", ""}},
      {"put k ''", {"put", "k", ""}},
      {"put k\\x00 v", {"put", std::string("k\0", 2), "v"}},
      {"put \"\\x00\\xff\" v", {"put", std::string("\0\xff", 2), "v"}},
      {"put k \"say \\\"hi\\\"\"", {"put", "k", "say \"hi\""}},
      {"put k a\\\\b", {"put", "k", "a\\b"}},
      {"put k \"\\t\\r\\0\"", {"put", "k", std::string("\t\r\0", 3)}},
      {"put k pre\"mid dle\"post", {"put", "k", "premid dlepost"}},
      {"put k \\;", {"put", "k", ";"}},
      {"get k # a comment", {"get", "k"}},
      {"# only a comment", {}},
      {"put k a#b", {"put", "k", "a#b"}},
      {"put k \"#\"", {"put", "k", "#"}},
      {"put k 'it''s'", {"put", "k", "its"}},
      {"put k \"it's\"", {"put", "k", "it's"}},
      {"put k -5", {"put", "k", "-5"}},
      {"put k h\xc3\xa9llo", {"put", "k", "h\xc3\xa9llo"}},
  };
  for (const auto& row : rows) {
    INFO("line: " << row.line);
    const SplitResult r = split_args(row.line);
    REQUIRE(r.ok());
    CHECK(r.args == row.args);
  }
}

TEST_CASE("shell: split_args rejects broken quoting and escapes with one line", "[shell]") {
  struct Row {
    std::string line;
    std::string error_part;
  };
  const std::vector<Row> rows = {
      {"put k \"open", "unterminated double quote"},
      {"put k 'open", "unterminated single quote"},
      {"put k \\q", "unknown escape \\q"},
      {"put k \\x4", "two hex digits"},
      {"put k \\xzz", "two hex digits"},
      {"put k \\", "end of the line"},
  };
  for (const auto& row : rows) {
    INFO("line: " << row.line);
    const SplitResult r = split_args(row.line);
    CHECK_FALSE(r.ok());
    CHECK(r.error.find(row.error_part) != std::string::npos);
    CHECK(r.error.find('\n') == std::string::npos);
  }
}

TEST_CASE("shell: split_args says whether the line ends inside a word", "[shell]") {
  CHECK(split_args("").ends_with_blank);
  CHECK(split_args("get ").ends_with_blank);
  CHECK_FALSE(split_args("get").ends_with_blank);
  CHECK_FALSE(split_args("get \"a b").ok());
  CHECK_FALSE(split_args("put k \"\"").ends_with_blank);
}

TEST_CASE("shell: split_commands splits at unquoted semicolons and newlines", "[shell]") {
  struct Row {
    std::string text;
    Args commands;
  };
  const std::vector<Row> rows = {
      {"", {}},
      {"status", {"status"}},
      {"put a 1; get a", {"put a 1", " get a"}},
      {"put a 1;;  ; get a;", {"put a 1", " get a"}},
      {"put a \"x;y\"; get a", {"put a \"x;y\"", " get a"}},
      {"put a 'x;y'; get a", {"put a 'x;y'", " get a"}},
      {"put a x\\;y; get a", {"put a x\\;y", " get a"}},
      {"put a 1\nget a\n", {"put a 1", "get a"}},
      {"# comment; not a command\nget a", {"get a"}},
      {"get a # trailing; comment\nstatus", {"get a ", "status"}},
      {"put a \"open; get a", {"put a \"open; get a"}},
  };
  for (const auto& row : rows) {
    INFO("text: " << row.text);
    CHECK(split_commands(row.text) == row.commands);
  }
}

TEST_CASE("shell: quote_arg output splits back to the same bytes", "[shell]") {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"plain", "plain"},
      {"", "\"\""},
      {"hello world", "\"hello world\""},
      {"a\nb", "\"a\\nb\""},
      {std::string("\0\x01\x7f\xff", 4), "\"\\x00\\x01\\x7f\\xff\""},
      {"say \"hi\"", "\"say \\\"hi\\\"\""},
      {"back\\slash", "\"back\\\\slash\""},
      {"semi;colon", "\"semi;colon\""},
      {"#hash", "\"#hash\""},
      {"it's", "\"it's\""},
      {"h\xc3\xa9llo", "\"h\xc3\xa9llo\""},
  };
  for (const auto& [bytes, quoted] : rows) {
    INFO("quoted: " << quoted);
    CHECK(quote_arg(bytes) == quoted);
    const SplitResult back = split_args(quote_arg(bytes));
    REQUIRE(back.ok());
    REQUIRE(back.args.size() == 1);
    CHECK(back.args[0] == bytes);
  }
}
