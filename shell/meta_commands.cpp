// Handlers for help and exit: the shell itself. help renders the command table.
#include "shell/arg_split.h"
#include "shell/completion.h"
#include "shell/handlers.h"
#include "shell/session.h"

namespace meadow::shell {

CommandResult run_help(Session&, const Invocation& inv) {
  if (!inv.args.empty()) {
    const CommandSpec* spec = find_command(inv.args[0]);
    if (!spec) {
      std::string message = "help: unknown command " + quote_arg(inv.args[0]);
      if (auto s = did_you_mean(inv.args[0], command_table())) message += "; did you mean " + *s + "?";
      return CommandResult::failure("unknown_command", message);
    }
    JsonValue data = JsonValue::object().set("name", spec->name).set("usage", spec->usage);
    data.set("summary", spec->summary).set("help", spec->help);
    return CommandResult::success(std::move(data), "usage: " + std::string(spec->usage) + "\n" +
                                                       std::string(spec->summary) + ".\n\n" +
                                                       std::string(spec->help));
  }
  std::size_t width = 0;
  for (const auto& spec : command_table()) width = std::max(width, spec.usage.size());
  std::string text = "Commands:\n";
  JsonValue commands = JsonValue::array();
  for (const auto& spec : command_table()) {
    std::string usage(spec.usage);
    usage.resize(width, ' ');
    text += "  " + usage + "  " + std::string(spec.summary) + "\n";
    commands.push(JsonValue::object()
                      .set("name", spec.name)
                      .set("usage", spec.usage)
                      .set("summary", spec.summary));
  }
  text +=
      "\nQuote arguments with spaces: put greeting \"hello world\". Escapes in \"...\" and bare\n"
      "words: \\n \\t \\r \\0 \\xHH \\\\ \\\" \\' \\; \\#; '...' is literal. Separate commands with ;.\n"
      "Tab completes commands and node ids. `help COMMAND` for details.";
  return CommandResult::success(JsonValue::object().set("commands", std::move(commands)), text);
}

CommandResult run_exit(Session&, const Invocation&) {
  CommandResult r = CommandResult::success(JsonValue::object(), "");
  r.exit = true;
  return r;
}

}  // namespace meadow::shell
