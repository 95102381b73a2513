#include "shell/expectation.h"

#include "shell/arg_split.h"
#include "shell/fault_plan.h"

namespace meadow::shell {

const std::vector<std::string>& status_fields() {
  static const std::vector<std::string> fields = {"role",         "term",       "leader",
                                                  "commit_index", "last_applied", "last_index",
                                                  "state",        "faults"};
  return fields;
}

std::string canonical_status_field(const std::string& field) {
  if (field == "commit") return "commit_index";
  if (field == "applied") return "last_applied";
  if (field == "last") return "last_index";
  for (const auto& f : status_fields())
    if (f == field) return f;
  return "";
}

std::optional<Expectation> parse_expectation(const std::vector<std::string>& words,
                                             std::string& error) {
  Expectation e;
  std::vector<std::string> args = words;
  for (const auto& w : words) e.text += (e.text.empty() ? "" : " ") + quote_arg(w);
  const std::string usage =
      " (usage: expect leader ==|!= N|none, expect get KEY ==|!= VALUE|missing, expect status "
      "N FIELD ==|!= VALUE, expect converged, each [within D]; or expect fails COMMAND...)";
  if (args.empty()) {
    error = "expect: nothing to check" + usage;
    return std::nullopt;
  }
  if (args[0] == "fails") {
    if (args.size() < 2) {
      error = "expect fails: which command?" + usage;
      return std::nullopt;
    }
    e.kind = Expectation::Kind::fails;
    e.command.assign(args.begin() + 1, args.end());
    return e;
  }
  if (args.size() >= 2 && args[args.size() - 2] == "within") {
    const auto d = parse_duration(args.back());
    if (!d) {
      error = "expect: bad duration " + quote_arg(args.back()) + " (e.g. 500ms, 2s)";
      return std::nullopt;
    }
    e.within = *d;
    args.resize(args.size() - 2);
  }
  // The comparison: `OP VALUE` at positions [i, i+1], nothing after.
  auto comparison = [&](std::size_t i) {
    if (args.size() != i + 2 || (args[i] != "==" && args[i] != "!=")) {
      error = "expect " + args[0] + ": expected ==|!= VALUE after " +
              (i ? quote_arg(args[i - 1]) : std::string("expect")) + usage;
      return false;
    }
    e.equal = args[i] == "==";
    e.value = args[i + 1];
    return true;
  };
  if (args[0] == "leader") {
    e.kind = Expectation::Kind::leader;
    if (!comparison(1)) return std::nullopt;
  } else if (args[0] == "get") {
    e.kind = Expectation::Kind::get;
    if (args.size() < 2) {
      error = "expect get: which key?" + usage;
      return std::nullopt;
    }
    e.subject = args[1];
    if (!comparison(2)) return std::nullopt;
  } else if (args[0] == "status") {
    e.kind = Expectation::Kind::status;
    if (args.size() < 3) {
      error = "expect status: which node and field?" + usage;
      return std::nullopt;
    }
    e.node = args[1];
    e.subject = canonical_status_field(args[2]);
    if (e.subject.empty()) {
      std::string known;
      for (const auto& f : status_fields()) known += (known.empty() ? "" : ", ") + f;
      error = "expect status: unknown field " + quote_arg(args[2]) + " (fields: " + known + ")";
      return std::nullopt;
    }
    if (!comparison(3)) return std::nullopt;
  } else if (args[0] == "converged") {
    e.kind = Expectation::Kind::converged;
    if (args.size() != 1) {
      error = "expect converged: takes only [within D]";
      return std::nullopt;
    }
  } else {
    error = "expect: unknown check " + quote_arg(args[0]) + usage;
    return std::nullopt;
  }
  return e;
}

}  // namespace meadow::shell
