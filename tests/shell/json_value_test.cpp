// Table tests for the shell's JSON writer: escaping of bytes and the one-line documents.
#include <catch2/catch.hpp>

#include "shell/json_value.h"

using namespace meadow::shell;

TEST_CASE("shell: JSON strings escape control, quote, backslash and invalid UTF-8", "[shell]") {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"", "\"\""},
      {"plain", "\"plain\""},
      {"say \"hi\"", "\"say \\\"hi\\\"\""},
      {"a\\b", "\"a\\\\b\""},
      {"a\nb\tc\rd", "\"a\\nb\\tc\\rd\""},
      {std::string("\0", 1), "\"\\u0000\""},
      {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
      {"\xff\xfe", "\"\\u00ff\\u00fe\""},
      {"h\xc3\xa9llo", "\"h\xc3\xa9llo\""},          // valid 2-byte UTF-8 passes through
      {"\xe2\x82\xac", "\"\xe2\x82\xac\""},          // euro sign, 3 bytes
      {"\xf0\x9f\x8c\xbc", "\"\xf0\x9f\x8c\xbc\""},  // 4 bytes
      {"\xc3", "\"\\u00c3\""},                       // truncated sequence
      {"\xc0\xaf", "\"\\u00c0\\u00af\""},            // overlong
      {"\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\""}, // surrogate
      {"/<>", "\"/<>\""},
  };
  for (const auto& [bytes, json] : rows) {
    INFO(json);
    CHECK(json_string(bytes) == json);
  }
}

TEST_CASE("shell: JSON documents are one line with members in insertion order", "[shell]") {
  JsonValue v = JsonValue::object();
  v.set("command", "get").set("ok", true);
  v.set("data", JsonValue::object()
                    .set("n", std::uint64_t{18446744073709551615ULL})
                    .set("neg", std::int64_t{-3})
                    .set("none", JsonValue())
                    .set("list", JsonValue::array().push(1).push("x").push(false)));
  CHECK(v.dump() ==
        "{\"command\":\"get\",\"ok\":true,\"data\":{\"n\":18446744073709551615,\"neg\":-3,"
        "\"none\":null,\"list\":[1,\"x\",false]}}");
  CHECK(JsonValue::object().dump() == "{}");
  CHECK(JsonValue::array().dump() == "[]");
  CHECK(JsonValue().dump() == "null");
  REQUIRE(v.get("ok"));
  CHECK(v.get("ok")->dump() == "true");
  CHECK(v.get("missing") == nullptr);
}
