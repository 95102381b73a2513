// JsonValue: a tiny JSON document (null, bool, integers, strings, arrays, objects with keys in
// insertion order) and its one-line serialization, for `--output json`. Strings are bytes: valid
// UTF-8 passes through, every other byte (control, DEL, invalid UTF-8) is written as \u00XX.
// Standard library only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace meadow::shell {

class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  using Object = std::vector<std::pair<std::string, JsonValue>>;

  JsonValue() = default;  ///< null
  JsonValue(bool b) : value_(b) {}
  JsonValue(int n) : value_(static_cast<std::int64_t>(n)) {}
  JsonValue(std::int64_t n) : value_(n) {}
  JsonValue(std::uint64_t n) : value_(n) {}
  JsonValue(const char* s) : value_(std::string(s)) {}
  JsonValue(std::string s) : value_(std::move(s)) {}
  JsonValue(std::string_view s) : value_(std::string(s)) {}

  static JsonValue array() { JsonValue v; v.value_ = Array{}; return v; }
  static JsonValue object() { JsonValue v; v.value_ = Object{}; return v; }

  bool is_null() const { return std::holds_alternative<std::monostate>(value_); }
  /// Object: appends `key` (no duplicate check). Precondition: this is an object (or null,
  /// which becomes an empty object first). Returns *this for chaining.
  JsonValue& set(std::string key, JsonValue value);
  /// Array: appends `value`. Precondition: this is an array (or null, which becomes one).
  JsonValue& push(JsonValue value);
  /// The member `key` of an object, or nullptr.
  const JsonValue* get(std::string_view key) const;
  /// Every member of an object in order, or nullptr if this is not an object.
  const Object* members() const { return std::get_if<Object>(&value_); }

  /// One line of JSON, no trailing newline.
  std::string dump() const;
  void dump_to(std::string& out) const;

 private:
  std::variant<std::monostate, bool, std::int64_t, std::uint64_t, std::string, Array, Object>
      value_;
};

/// Appends `bytes` to `out` as a quoted JSON string (see the file comment for the escaping).
void append_json_string(std::string& out, std::string_view bytes);
/// `bytes` as a quoted JSON string.
std::string json_string(std::string_view bytes);

}  // namespace meadow::shell
