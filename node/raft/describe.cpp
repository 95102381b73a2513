#include "node/raft/describe.h"

#include <string>

namespace meadow::raft {

const char* message_type_name(MessageType type) {
  switch (type) {
    case MessageType::pre_vote: return "pre_vote";
    case MessageType::pre_vote_response: return "pre_vote_resp";
    case MessageType::vote: return "vote";
    case MessageType::vote_response: return "vote_resp";
    case MessageType::append: return "append";
    case MessageType::append_response: return "append_resp";
    case MessageType::heartbeat: return "heartbeat";
    case MessageType::heartbeat_response: return "heartbeat_resp";
    case MessageType::timeout_now: return "timeout_now";
    case MessageType::snapshot: return "snapshot";
    case MessageType::snapshot_response: return "snapshot_resp";
  }
  return "unknown";
}

const char* entry_kind_name(EntryKind kind) {
  switch (kind) {
    case EntryKind::normal: return "normal";
    case EntryKind::noop: return "noop";
    case EntryKind::config: return "config";
  }
  return "unknown";
}

namespace {

constexpr std::size_t kMaxDataChars = 24;

std::string quoted(const std::string& data) {
  std::string out = "\"";
  for (std::size_t i = 0; i < data.size() && i < kMaxDataChars; ++i) {
    const char c = data[i];
    out += (c >= 32 && c < 127 && c != '"') ? c : '.';
  }
  if (data.size() > kMaxDataChars) out += "...";
  return out + "\"";
}

std::string short_entry(const Entry& e) {
  return std::to_string(e.term) + "/" + std::to_string(e.index) +
         (e.kind == EntryKind::normal ? "" : std::string(" ") + entry_kind_name(e.kind));
}

std::string range(const std::vector<Entry>& entries) {
  if (entries.empty()) return "0";
  return std::to_string(entries.size()) + "[" + std::to_string(entries.front().index) + ".." +
         std::to_string(entries.back().index) + "]";
}

}  // namespace

std::string describe(const Entry& e) {
  std::string out = std::to_string(e.term) + "/" + std::to_string(e.index) + " " +
                    entry_kind_name(e.kind);
  if (!e.data.empty()) {
    out += ' ';
    out += quoted(e.data);
  }
  return out;
}

std::string describe(const Message& m) {
  std::string out = std::to_string(m.from) + "->" + std::to_string(m.to) + " " +
                    message_type_name(m.type) + " term=" + std::to_string(m.term);
  const auto log_pos = [&] { return std::to_string(m.log_term) + "/" + std::to_string(m.index); };
  switch (m.type) {
    case MessageType::pre_vote:
    case MessageType::vote:
      out += " log=" + log_pos();
      if (!m.context.empty()) out += " ctx=" + quoted(m.context);
      break;
    case MessageType::pre_vote_response:
    case MessageType::vote_response:
      out += m.reject ? " reject" : " grant";
      break;
    case MessageType::append: {
      out += " log=" + log_pos() + " commit=" + std::to_string(m.commit) + " entries=[";
      constexpr std::size_t kShown = 3;
      for (std::size_t i = 0; i < m.entries.size() && i < kShown; ++i) {
        if (i > 0) out += ' ';
        out += short_entry(m.entries[i]);
      }
      if (m.entries.size() > kShown) out += " +" + std::to_string(m.entries.size() - kShown);
      out += "]";
      break;
    }
    case MessageType::append_response:
      out += " index=" + std::to_string(m.index);
      if (m.reject) {
        out += " reject hint=" + std::to_string(m.log_term) + "/" + std::to_string(m.reject_hint);
      }
      break;
    case MessageType::heartbeat:
    case MessageType::heartbeat_response:
      if (m.type == MessageType::heartbeat) out += " commit=" + std::to_string(m.commit);
      if (!m.context.empty()) out += " ctx=" + quoted(m.context);
      break;
    case MessageType::snapshot:
      out += " snap=" + std::to_string(m.log_term) + "/" + std::to_string(m.index);
      break;
    case MessageType::timeout_now:
    case MessageType::snapshot_response:
      break;
  }
  return out;
}

std::string describe(const HardState& hs) {
  return "term=" + std::to_string(hs.term) + " vote=" + std::to_string(hs.voted_for) +
         " commit=" + std::to_string(hs.commit);
}

std::string describe(const SoftState& ss) {
  return "leader=" + std::to_string(ss.leader) + " role=" + role_name(ss.role);
}

std::string describe(const Ready& rd) {
  std::string out;
  if (rd.soft_state) out += "ss=(" + describe(*rd.soft_state) + ") ";
  if (rd.hard_state) out += "hs=(" + describe(*rd.hard_state) + ") ";
  if (rd.snapshot) {
    out += "snap=" + std::to_string(rd.snapshot->term) + "/" + std::to_string(rd.snapshot->index) +
           " ";
  }
  out += "entries=" + range(rd.entries) + " apply=" + range(rd.committed_entries) +
         " msgs=" + std::to_string(rd.messages.size()) +
         " reads=" + std::to_string(rd.read_states.size());
  return out;
}

}  // namespace meadow::raft
