#include "tests/jepsen/history.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace meadow::jepsen {

namespace {

std::string seconds(std::int64_t ns) {
  if (ns == kNever) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(ns) / 1e9);
  return buf;
}

const char* name(OpKind kind) {
  switch (kind) {
    case OpKind::get: return "get";
    case OpKind::put: return "put";
    case OpKind::del: return "del";
  }
  return "?";
}

const char* name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::fail: return "fail";
    case Outcome::info: return "info";
  }
  return "?";
}

}  // namespace

std::string describe(const Op& op) {
  std::string out = "#" + std::to_string(op.id) + " " +
                    (op.process < 0 ? std::string("final") : "p" + std::to_string(op.process)) +
                    " " + name(op.kind) + " " + op.key;
  if (op.kind == OpKind::put) out += " = " + op.value.value_or("");
  if (op.kind == OpKind::get && op.outcome == Outcome::ok)
    out += " -> " + (op.value ? *op.value : std::string("not-found"));
  out += std::string(" ") + name(op.outcome) + " [" + seconds(op.invoke_ns) + " .. " +
         seconds(op.complete_ns) + "]";
  if (!op.note.empty()) out += "  (" + op.note + ")";
  return out;
}

bool write_history(const std::string& path, const std::string& header, std::vector<Op> ops,
                   std::string& error) {
  std::sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) {
    return a.invoke_ns != b.invoke_ns ? a.invoke_ns < b.invoke_ns : a.id < b.id;
  });
  std::ofstream out(path, std::ios::trunc);
  if (!out) {
    error = "cannot open " + path + " for writing";
    return false;
  }
  out << "# " << header << "\n# one line per operation, by invoke time: #id process kind key "
      << "[= written | -> read] outcome [invoke .. complete] seconds\n";
  for (const Op& op : ops) out << describe(op) << "\n";
  out.flush();
  if (!out) {
    error = "writing " + path + " failed";
    return false;
  }
  return true;
}

}  // namespace meadow::jepsen
