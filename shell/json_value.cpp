#include "shell/json_value.h"

#include "shell/utf8.h"

namespace meadow::shell {

JsonValue& JsonValue::set(std::string key, JsonValue value) {
  if (is_null()) value_ = Object{};
  std::get<Object>(value_).emplace_back(std::move(key), std::move(value));
  return *this;
}

JsonValue& JsonValue::push(JsonValue value) {
  if (is_null()) value_ = Array{};
  std::get<Array>(value_).push_back(std::move(value));
  return *this;
}

const JsonValue* JsonValue::get(std::string_view key) const {
  if (const auto* object = std::get_if<Object>(&value_))
    for (const auto& [k, v] : *object)
      if (k == key) return &v;
  return nullptr;
}

std::string JsonValue::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

void JsonValue::dump_to(std::string& out) const {
  struct Visitor {
    std::string& out;
    void operator()(std::monostate) { out += "null"; }
    void operator()(bool b) { out += b ? "true" : "false"; }
    void operator()(std::int64_t n) { out += std::to_string(n); }
    void operator()(std::uint64_t n) { out += std::to_string(n); }
    void operator()(const std::string& s) { append_json_string(out, s); }
    void operator()(const Array& a) {
      out += '[';
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i) out += ',';
        a[i].dump_to(out);
      }
      out += ']';
    }
    void operator()(const Object& o) {
      out += '{';
      for (std::size_t i = 0; i < o.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, o[i].first);
        out += ':';
        o[i].second.dump_to(out);
      }
      out += '}';
    }
  };
  std::visit(Visitor{out}, value_);
}

void append_json_string(std::string& out, std::string_view bytes) {
  out += '"';
  append_escaped(out, bytes, "\\u00");
  out += '"';
}

std::string json_string(std::string_view bytes) {
  std::string out;
  append_json_string(out, bytes);
  return out;
}

}  // namespace meadow::shell
