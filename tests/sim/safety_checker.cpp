#include "tests/sim/safety_checker.h"

#include "node/raft/describe.h"

namespace meadow::sim {

using raft::describe;

void SafetyChecker::fail(const std::string& what) {
  if (!failure_) failure_ = what;
}

void SafetyChecker::on_persist(NodeId node, Term prev_term, const std::vector<Entry>& entries) {
  // Log Matching (Raft §5.3): entries with the same index and term are identical and follow
  // the same predecessor; by induction the logs are identical up to there.
  for (const Entry& e : entries) {
    const EntryRecord rec{e.kind, e.data, prev_term};
    const auto [it, inserted] = entries_.emplace(std::make_pair(e.index, e.term), rec);
    if (!inserted && (it->second.kind != rec.kind || it->second.data != rec.data ||
                      it->second.prev_term != rec.prev_term)) {
      fail("log matching: node " + std::to_string(node) + " persisted " + describe(e) +
           " after term " + std::to_string(prev_term) + ", another log has it after term " +
           std::to_string(it->second.prev_term) + " with data \"" + it->second.data + "\"");
    }
    prev_term = e.term;
  }
}

void SafetyChecker::after_step(const raft::RaftCore& core) {
  const NodeId id = core.id();
  const auto& log = core.log();

  // Commit agreement: once an index is known committed its entry never changes, and every
  // node that commits it commits the same entry.
  Index& seen = commit_seen_[id];
  if (core.commit_index() > core.last_index()) {
    fail("node " + std::to_string(id) + " commit index beyond its log");
    return;
  }
  // Entries compacted into a snapshot cannot be read back; the snapshot's image is checked
  // against what was applied instead (on_restore).
  for (Index i = std::max(seen + 1, log.first_index()); i <= core.commit_index(); ++i) {
    const Entry e = log.entries(i, i + 1, UINT64_MAX).front();
    const auto [it, inserted] = committed_.emplace(i, e);
    if (!inserted && it->second != e) {
      fail("committed entry changed at index " + std::to_string(i) + ": node " +
           std::to_string(id) + " has " + describe(e) + ", known committed " +
           describe(it->second));
      return;
    }
  }
  seen = std::max(seen, core.commit_index());

  if (core.role() != raft::Role::leader) {
    leading_.erase(id);
    return;
  }
  // Election Safety (§5.2): at most one leader per term.
  const auto [lit, first] = leader_of_term_.emplace(core.term(), id);
  if (!first && lit->second != id) {
    fail("two leaders in term " + std::to_string(core.term()) + ": " +
         std::to_string(lit->second) + " and " + std::to_string(id));
    return;
  }
  auto rec = leading_.find(id);
  if (rec == leading_.end() || rec->second.term != core.term()) {
    // Leader Completeness (§5.4): a new leader holds every entry committed so far.
    for (const auto& [index, entry] : committed_) {
      if (index + 1 < log.first_index()) continue;  // compacted: covered by its snapshot
      if (log.term(index) != entry.term) {
        fail("leader completeness: node " + std::to_string(id) + " leads term " +
             std::to_string(core.term()) + " without committed " + describe(entry));
        return;
      }
    }
    leading_[id] = {core.term(), core.last_index(), core.last_term()};
    return;
  }
  // Leader Append-Only (§5.3): a leader never overwrites or deletes its entries.
  LeaderRecord& r = rec->second;
  const bool compacted = r.last_index + 1 < log.first_index();
  if (core.last_index() < r.last_index || (!compacted && log.term(r.last_index) != r.last_term)) {
    fail("leader append-only: node " + std::to_string(id) + " lost its entry " +
         std::to_string(r.last_term) + "/" + std::to_string(r.last_index));
    return;
  }
  r.last_index = core.last_index();
  r.last_term = core.last_term();
}

void SafetyChecker::on_apply(NodeId node, const Entry& entry, Index applied_before) {
  if (entry.index != applied_before + 1) {
    fail("node " + std::to_string(node) + " applied " + describe(entry) + " after " +
         std::to_string(applied_before));
    return;
  }
  // State Machine Safety (§5.4.3): no two nodes apply different entries at one index.
  const auto [it, inserted] = applied_.emplace(entry.index, entry);
  if (!inserted && it->second != entry) {
    fail("state machine safety: node " + std::to_string(node) + " applied " + describe(entry) +
         ", another node applied " + describe(it->second));
  }
}

void SafetyChecker::on_restore(NodeId node, const std::vector<Entry>& image) {
  for (std::size_t i = 0; i < image.size(); ++i) {
    const Entry& entry = image[i];
    if (entry.index != i + 1) {
      fail("node " + std::to_string(node) + " restored an image with " + describe(entry) +
           " at position " + std::to_string(i + 1));
      return;
    }
    const auto [it, inserted] = applied_.emplace(entry.index, entry);
    if (!inserted && it->second != entry) {
      fail("state machine safety: node " + std::to_string(node) + " restored " +
           describe(entry) + ", another node applied " + describe(it->second));
      return;
    }
  }
}

void SafetyChecker::on_write_acked(Index index) {
  max_acked_index_ = std::max(max_acked_index_, index);
}

void SafetyChecker::on_read_served(NodeId node, Index required, Index applied,
                                   Index read_index) {
  if (applied < read_index) {
    fail("read served on node " + std::to_string(node) + " before applying its read index " +
         std::to_string(read_index));
  } else if (applied < required) {
    // Linearizability: a read that began after a write was acknowledged must see it.
    fail("stale read on node " + std::to_string(node) + ": state applied up to " +
         std::to_string(applied) + " but a write at " + std::to_string(required) +
         " was acknowledged before the read began");
  }
}

void SafetyChecker::on_restart(NodeId node) { leading_.erase(node); }

}  // namespace meadow::sim
