// Node: applying committed entries to the key-value state machine and answering the writes
// that were waiting for them. The applied index is written in the same transaction as the data
// and — group commit — as the Ready's hard state and new entries (SqliteStorage::
// persist_and_apply), so a Ready costs one fsync and a restart never applies an entry twice.
#include "node/runtime/node.h"

#include "node/runtime/command_codec.h"

namespace meadow::node {

namespace wire = transport::wire;

std::vector<store::CommittedCommand> Node::decode_commands(const std::vector<raft::Entry>& committed) {
  std::vector<store::CommittedCommand> commands;
  commands.reserve(committed.size());
  for (const auto& entry : committed) {
    if (entry.kind != raft::EntryKind::normal) continue;  // noop/config: only the index moves
    auto command = decode_command(entry.data);
    // Entries are checksummed in the store and encoded by our own leader: an undecodable one
    // means corruption or a bug, and applying around it would diverge from the other nodes.
    if (!command) die("committed entry " + std::to_string(entry.index) + " is not a command");
    commands.push_back({entry.index, std::move(*command)});
  }
  return commands;
}

bool Node::persist_and_apply(const std::optional<raft::HardState>& hard_state,
                             const std::vector<raft::Entry>& entries,
                             const std::vector<raft::Entry>& committed) {
  const auto results =
      storage_.persist_and_apply(hard_state, entries, decode_commands(committed), committed.back().index);
  answer_applied(committed, results);
  return true;
}

void Node::apply(const std::vector<raft::Entry>& committed) {
  const auto commands = decode_commands(committed);
  auto results = store_.apply(commands, committed.back().index);
  if (!results.ok()) die("applying entries: " + results.status().describe());
  answer_applied(committed, *results);
}

void Node::answer_applied(const std::vector<raft::Entry>& committed,
                          const std::vector<store::CommandResult>& results) {
  applied_entries_ += committed.size();
  on_applied_configs(committed);
  if (pending_writes_.empty()) return;
  // `results` has one element per normal entry of `committed`, in the same order.
  std::size_t next_result = 0;
  for (const auto& entry : committed) {
    const store::CommandResult* result =
        entry.kind == raft::EntryKind::normal ? &results[next_result++] : nullptr;
    auto it = pending_writes_.find(entry.index);
    if (it == pending_writes_.end()) continue;
    const PendingWrite& write = it->second;
    const std::uint64_t request_id = wire::request_id_of(write.request);
    if (!result || entry.term != write.term) {
      // Another leader's entry took this index: ours was lost. The client retries.
      reply(write.routing_id, not_leader(request_id));
    } else if (result->outcome == store::Outcome::stale) {
      // A newer write of this session was applied first; this one was not (and never will be).
      reply(write.routing_id,
            wire::ErrorReply{request_id, wire::ErrorCode::invalid_request,
                             "stale sequence number: a newer write of this client session was "
                             "applied first, so this one was not applied"});
    } else {
      const auto [client_id, sequence] = std::visit(
          [](const auto& r) -> std::pair<std::uint64_t, std::uint64_t> {
            if constexpr (requires { r.sequence; }) return {r.client_id, r.sequence};
            return {0, 0};
          },
          write.request);
      // A duplicate was applied at an earlier index this node no longer knows: 0 says so.
      const std::uint64_t index = result->duplicate ? 0 : entry.index;
      reply(write.routing_id, wire::OkReply{request_id, client_id, sequence, index});
    }
    pending_writes_.erase(it);
  }
}

}  // namespace meadow::node
