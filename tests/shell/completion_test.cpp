// Table tests for tab completion, did-you-mean and parsing an invocation against the table.
#include <catch2/catch.hpp>

#include "shell/command_spec.h"
#include "shell/completion.h"

using namespace meadow::shell;
using Words = std::vector<std::string>;

TEST_CASE("shell: completion offers commands, options and node ids from the table", "[shell]") {
  const std::vector<std::uint64_t> ids = {1, 2, 3};
  struct Row {
    std::string line;
    Words expected;
  };
  const Words all_commands = {
      "add-node", "delay", "delete", "drop", "events", "exit", "expect", "faults", "get",
      "heal", "help", "isolate", "kill", "leader", "load", "log", "logs", "partition", "pause",
      "put", "remove-node", "restart", "resume", "scan", "set", "sleep", "snapshot", "sql",
      "start", "status", "stop", "timeline", "transfer-leader", "wait"};
  const std::vector<Row> rows = {
      {"", all_commands},
      {"st", {"start", "status", "stop"}},
      {"sta", {"start", "status"}},
      {"statu", {"status"}},
      {"l", {"leader", "load", "log", "logs"}},
      {"transfer-leader ", {"1", "2", "3"}},
      {"xyz", {}},
      {"kill ", {"1", "2", "3"}},
      {"kill 2", {"2"}},
      {"kill 2 ", {}},
      {"restart ", {"1", "2", "3"}},
      {"logs 1 --f", {"--follow"}},
      {"logs 1 --", {"--follow", "--lines"}},
      {"get k --", {"--from", "--stale"}},
      {"get k --stale --", {"--from"}},
      {"get k --from ", {"1", "2", "3"}},
      {"get k --from 3 --s", {"--stale"}},
      {"get ", {}},
      {"put k ", {}},
      {"help ", all_commands},
      {"help re", {"remove-node", "restart", "resume"}},
      {"add-node --", {"--learner"}},
      {"remove-node ", {"1", "2", "3"}},
      {"isolate ", {"1", "2", "3"}},
      {"partition --", {"--oneway"}},
      {"put k v --", {"--to"}},
      {"unknown ", {}},
      {"put \"open ", {}},
      {"  ki", {"kill"}},
  };
  for (const auto& row : rows) {
    INFO("line: '" << row.line << "'");
    CHECK(complete(row.line, command_table(), ids) == row.expected);
  }
  // A cluster that grew and shrank: the ids as they are, not 1..N.
  CHECK(complete("kill ", command_table(), {2, 4, 7}) == Words{"2", "4", "7"});
}

TEST_CASE("shell: edit distance and did-you-mean", "[shell]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("put", "put") == 0);
  CHECK(edit_distance("pt", "put") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);

  const std::vector<std::pair<std::string, std::string>> typos = {
      {"pt", "put"},     {"gett", "get"},       {"stauts", "status"}, {"delet", "delete"},
      {"exti", "exit"},  {"restrat", "restart"}, {"leadr", "leader"}, {"hlep", "help"},
      {"kil", "kill"},   {"scna", "scan"},
  };
  for (const auto& [typo, meant] : typos) {
    INFO(typo);
    CHECK(did_you_mean(typo, command_table()) == meant);
  }
  CHECK_FALSE(did_you_mean("frobnicate", command_table()));
  CHECK_FALSE(did_you_mean("x", command_table()));
}

TEST_CASE("shell: every command has usage, help and a handler", "[shell]") {
  for (const auto& spec : command_table()) {
    INFO(spec.name);
    CHECK(spec.usage.substr(0, spec.name.size()) == spec.name);
    CHECK(!spec.summary.empty());
    CHECK(!spec.help.empty());
    CHECK(spec.handler != nullptr);
    CHECK(spec.min_args <= spec.max_args);
    CHECK(find_command(spec.name) == &spec);
  }
  CHECK(find_command("nope") == nullptr);
  CHECK(find_command("quit") == find_command("exit"));
}

TEST_CASE("shell: parse_invocation checks arity and options against the row", "[shell]") {
  struct Row {
    Words args;
    bool ok;
    std::string error_part;
  };
  const std::vector<Row> rows = {
      {{"get", "k"}, true, ""},
      {{"get", "k", "--from", "2", "--stale"}, true, ""},
      {{"get", "--stale", "k"}, true, ""},
      {{"get"}, false, "get: expected 1 argument, got 0 (usage: get KEY [--from N] [--stale])"},
      {{"get", "a", "b"}, false, "expected 1 argument, got 2"},
      {{"get", "k", "--from"}, false, "--from needs a value"},
      {{"get", "k", "--frm", "2"}, false, "unknown option --frm"},
      {{"put", "k"}, false, "expected 2 arguments, got 1"},
      {{"put", "k", "-5"}, true, ""},
      {{"put", "--", "--k", "v"}, true, ""},
      {{"scan"}, true, ""},
      {{"scan", "a", "b"}, false, "expected 0 to 1 arguments, got 2"},
      {{"status", "x"}, false, "expected 0 arguments, got 1"},
  };
  for (const auto& row : rows) {
    INFO(row.args[0] << " with " << row.args.size() - 1 << " words");
    const CommandSpec* spec = find_command(row.args[0]);
    REQUIRE(spec);
    std::string error;
    const auto inv = parse_invocation(*spec, row.args, error);
    CHECK(inv.has_value() == row.ok);
    if (!row.ok) CHECK(error.find(row.error_part) != std::string::npos);
  }
  std::string error;
  const auto inv =
      parse_invocation(*find_command("put"), {"put", "--", "--k", "v"}, error);
  REQUIRE(inv);
  CHECK(inv->args == Words{"--k", "v"});
  const auto get = parse_invocation(*find_command("get"), {"get", "k", "--from", "2"}, error);
  REQUIRE(get);
  CHECK(get->flags.at("--from") == "2");
  CHECK_FALSE(get->has("--stale"));
}
