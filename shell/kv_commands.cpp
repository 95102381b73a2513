// Handlers for put, get, delete and scan: requests through transport::Client, results as
// CommandResults (data for JSON, a line for text).
#include <optional>
#include <string>

#include "common/limits.h"
#include "shell/arg_split.h"
#include "shell/handlers.h"
#include "shell/session.h"
#include "transport/describe.h"

namespace meadow::shell {
namespace {

namespace wire = transport::wire;
using transport::ClientStatus;

/// The failure for a client call that did not succeed (not_found is handled by the caller).
template <typename T>
CommandResult client_failure(Session& session, std::string_view what, const transport::Result<T>& r) {
  switch (r.status) {
    case ClientStatus::deadline_exceeded: return session.deadline_error(what, r.message);
    case ClientStatus::server_error:
      return CommandResult::failure(wire::error_name(r.server_code),
                                    std::string(what) + " failed: " + r.message);
    default: return CommandResult::failure("invalid_arguments", std::string(what) + ": " + r.message);
  }
}

/// The limits the node enforces, checked before sending: a value too large for the wire would
/// otherwise vanish with its connection and come back as a timeout.
std::optional<CommandResult> too_large(std::string_view what, const std::string& key,
                                       const std::string& value = {}) {
  auto over = [&](std::string_view name, std::size_t size, std::size_t limit) {
    return CommandResult::failure(
        "too_large", std::string(what) + " failed: " + std::string(name) + " of " +
                         std::to_string(size) + " bytes exceeds the limit of " +
                         std::to_string(limit) + " bytes");
  };
  if (key.size() > kMaxKeyBytes) return over("key", key.size(), kMaxKeyBytes);
  if (value.size() > kMaxValueBytes) return over("value", value.size(), kMaxValueBytes);
  return std::nullopt;
}

JsonValue read_info(const wire::ReadInfo& read) {
  return JsonValue::object()
      .set("node", read.node_id)
      .set("applied_index", read.applied_index)
      .set("stale", read.stale);
}

std::string describe_read(const wire::ReadInfo& read) {
  return "node " + std::to_string(read.node_id) + ", applied index " +
         std::to_string(read.applied_index) + (read.stale ? ", stale read" : "");
}

CommandResult value_result(const std::string& key, const wire::ValueReply& v, bool show_source) {
  JsonValue data = JsonValue::object().set("key", key).set("value", v.value);
  data.set("read", read_info(v.read));
  std::string text = quote_arg(v.value);
  if (show_source) text += "  (" + describe_read(v.read) + ")";
  return CommandResult::success(std::move(data), text);
}

CommandResult not_found(const std::string& key, const wire::ReadInfo& read, bool show_source) {
  std::string message = "key " + quote_arg(key) + " not found";
  if (show_source) message += " (" + describe_read(read) + ")";
  return CommandResult::failure("not_found", message);
}

/// get --from N: one node only, no redirect.
CommandResult get_from(Session& session, const std::string& key, std::uint64_t node, bool stale) {
  const std::string who = "node " + std::to_string(node);
  // A node whose process is known to be dead cannot answer: say so now, not at the deadline.
  if (session.cluster() && !session.cluster()->running(node))
    return CommandResult::failure("unavailable", who + " is down");
  const auto consistency = stale ? wire::ReadConsistency::stale : wire::ReadConsistency::linearizable;
  const transport::Completion c =
      session.client().call(wire::GetRequest{0, key, consistency}, session.endpoint_index(node));
  if (c.status == ClientStatus::deadline_exceeded || !c.reply) {
    const auto* view = session.refresh().node(node);
    const bool down = view && !view->up();
    return CommandResult::failure("unavailable",
                                  who + (down ? " is down" : " did not answer within " +
                                                                 std::to_string(session.options().timeout.count()) + " ms"));
  }
  if (const auto* v = std::get_if<wire::ValueReply>(&*c.reply)) return value_result(key, *v, true);
  if (const auto* nf = std::get_if<wire::NotFoundReply>(&*c.reply)) return not_found(key, nf->read, true);
  if (const auto* nl = std::get_if<wire::NotLeaderReply>(&*c.reply)) {
    std::string message = who + " is not the leader";
    if (nl->leader_id != wire::kNoNode) message += " (node " + std::to_string(nl->leader_id) + " is)";
    return CommandResult::failure("not_leader", message + "; add --stale to read its local state");
  }
  if (const auto* e = std::get_if<wire::ErrorReply>(&*c.reply))
    return CommandResult::failure(wire::error_name(e->code), "get failed on " + who + ": " + e->message);
  return CommandResult::failure("internal", "unexpected reply from " + who);
}

/// put --to N: the write goes to node N only, no redirect (what a client on the minority side
/// of a partition sees).
CommandResult put_to(Session& session, const std::string& key, const std::string& value,
                     std::uint64_t node) {
  const std::string who = "node " + std::to_string(node);
  if (session.cluster() && !session.cluster()->running(node))
    return CommandResult::failure("unavailable", who + " is down");
  const transport::Completion c = session.client().call(
      wire::PutRequest{0, 0, 0, key, value}, session.endpoint_index(node));
  if (c.status == ClientStatus::deadline_exceeded || !c.reply)
    return CommandResult::failure("timeout", "put to " + who + " did not complete within " +
                                                 std::to_string(session.options().timeout.count()) +
                                                 " ms (no quorum on its side?)");
  if (const auto* ok = std::get_if<wire::OkReply>(&*c.reply))
    return CommandResult::success(
        JsonValue::object().set("key", key).set("index", ok->index).set("node", node),
        "OK (index " + std::to_string(ok->index) + ", through " + who + ")");
  if (const auto* nl = std::get_if<wire::NotLeaderReply>(&*c.reply)) {
    std::string message = "put refused: " + who + " is not the leader";
    message += nl->leader_id != wire::kNoNode ? " (it names node " + std::to_string(nl->leader_id) + ")"
                                              : " and knows no leader";
    return CommandResult::failure("not_leader", message);
  }
  if (const auto* e = std::get_if<wire::ErrorReply>(&*c.reply))
    return CommandResult::failure(wire::error_name(e->code), "put failed on " + who + ": " + e->message);
  return CommandResult::failure("internal", "unexpected reply from " + who);
}

}  // namespace

CommandResult run_put(Session& session, const Invocation& inv) {
  if (auto error = too_large("put", inv.args[0], inv.args[1])) return *error;
  if (inv.has("--to")) {
    CommandResult error;
    const auto node = session.parse_node_id("put --to", inv.flags.at("--to"), error);
    if (!node) return error;
    return put_to(session, inv.args[0], inv.args[1], *node);
  }
  const auto r = session.client().put(inv.args[0], inv.args[1]);
  if (!r.ok()) return client_failure(session, "put", r);
  return CommandResult::success(
      JsonValue::object().set("key", inv.args[0]).set("index", r.value.index),
      "OK (index " + std::to_string(r.value.index) + ")");
}

CommandResult run_get(Session& session, const Invocation& inv) {
  const std::string& key = inv.args[0];
  const bool stale = inv.has("--stale");
  if (inv.has("--from")) {
    CommandResult error;
    const auto node = session.parse_node_id("get --from", inv.flags.at("--from"), error);
    if (!node) return error;
    return get_from(session, key, *node, stale);
  }
  const auto r = session.client().get(
      key, stale ? wire::ReadConsistency::stale : wire::ReadConsistency::linearizable);
  if (r.status == ClientStatus::not_found) return not_found(key, r.value.read, stale);
  if (!r.ok()) return client_failure(session, "get", r);
  return value_result(key, r.value, stale);
}

CommandResult run_delete(Session& session, const Invocation& inv) {
  if (auto error = too_large("delete", inv.args[0])) return *error;
  const auto r = session.client().del(inv.args[0]);
  if (!r.ok()) return client_failure(session, "delete", r);
  return CommandResult::success(
      JsonValue::object().set("key", inv.args[0]).set("index", r.value.index),
      "OK (index " + std::to_string(r.value.index) + ")");
}

CommandResult run_scan(Session& session, const Invocation& inv) {
  std::uint32_t limit = 0;
  if (inv.has("--limit")) {
    const std::string& text = inv.flags.at("--limit");
    try {
      std::size_t used = 0;
      const long value = std::stol(text, &used);
      if (used != text.size() || value < 1 || value > 1000000) throw std::out_of_range(text);
      limit = static_cast<std::uint32_t>(value);
    } catch (const std::exception&) {
      return CommandResult::failure("invalid_arguments",
                                    "scan: --limit must be a number from 1 to 1000000, not " +
                                        quote_arg(text));
    }
  }
  const std::string prefix = inv.args.empty() ? "" : inv.args[0];
  const auto r = session.client().scan(wire::ScanMode::prefix, prefix, "", limit);
  if (!r.ok()) return client_failure(session, "scan", r);
  JsonValue items = JsonValue::array();
  std::string text;
  std::size_t n = 0;
  for (const auto& kv : r.value.items) {
    items.push(JsonValue::object().set("key", kv.key).set("value", kv.value));
    text += std::to_string(++n) + ") " + quote_arg(kv.key) + " = " + quote_arg(kv.value) + "\n";
  }
  text += "(" + std::to_string(n) + (n == 1 ? " key" : " keys") +
          (r.value.more ? ", more left: raise --limit)" : ")");
  JsonValue data = JsonValue::object().set("prefix", prefix).set("items", std::move(items));
  data.set("more", r.value.more);
  return CommandResult::success(std::move(data), text);
}

}  // namespace meadow::shell
