// Node: one Raft node process's event loop (ARCHITECTURE.md "node/runtime"). A single thread
// owns the core, the ZeroMQ sockets and the SQLite store: poll → drain peers and clients →
// step → tick → process_ready (send a leader's appends, persist in one transaction, send the
// rest, apply, answer) → repeat.
// It never blocks on a peer. Depends on node/raft, store and transport.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "node/raft/raft_core.h"
#include "node/raft/ready_handler.h"
#include "node/runtime/logger.h"
#include "node/runtime/node_config.h"
#include "node/runtime/snapshot_receiver.h"
#include "node/runtime/snapshot_sender.h"
#include "node/runtime/sqlite_storage.h"
#include "store/store.h"
#include "transport/client_server.h"
#include "transport/peer_transport.h"

namespace meadow::node {

class Node : private raft::MessageSink, private raft::Applier {
 public:
  /// Opens the store and binds the sockets. On failure returns nullptr and sets `error` to one
  /// clear line (wrong cluster or node in the data dir, corrupt file, address in use, ...).
  static std::unique_ptr<Node> open(const NodeConfig& config, Logger& logger, std::string& error);
  ~Node() override;

  /// Runs the loop until `stop_fd` (e.g. a signalfd for SIGTERM/SIGINT) becomes readable,
  /// then finishes the current batch and returns; also returns once this node applied a
  /// configuration without itself (it was removed). -1 = run forever.
  void run(int stop_fd);

 private:
  struct PendingWrite {
    raft::Term term = 0;
    std::string routing_id;
    transport::wire::Request request;
  };
  struct PendingRead {
    std::string routing_id;
    transport::wire::Request request;
  };
  struct PendingChange {
    raft::Term term = 0;  ///< of the config entry: another term at its index = lost
    std::string routing_id;
    std::uint64_t request_id = 0;
  };
  using Clock = std::chrono::steady_clock;

  Node(const NodeConfig& config, Logger& logger, store::Store store);

  // node.cpp: the loop.
  void drain_peers();
  void drain_clients();
  void tick_due(Clock::time_point now);
  void after_ready();
  int poll_timeout_ms(Clock::time_point now) const;

  // node_requests.cpp: client requests.
  void handle(transport::IncomingRequest incoming);
  void handle_write(transport::IncomingRequest incoming);
  void handle_read(transport::IncomingRequest incoming);
  void propose_writes();
  void start_read_batch();
  void answer_read(const PendingRead& read, bool stale);
  void fail_pending_after_step_down();
  void reply(const std::string& routing_id, const transport::wire::Reply& reply);
  transport::wire::NotLeaderReply not_leader(std::uint64_t request_id) const;
  std::string endpoint_of(raft::NodeId id) const;

  // node_membership.cpp: membership requests and following the configuration in use.
  void handle_membership(transport::IncomingRequest incoming);
  /// For a change already in effect (retries are safe): the index of the configuration that
  /// holds it (0 = the initial one), to answer once that is committed.
  std::optional<raft::Index> change_in_effect(
      const transport::wire::MembershipRequest& request) const;
  /// A leader removing itself: hand leadership to the most up-to-date other voter first.
  transport::wire::Reply hand_over_before_removal(const transport::wire::MembershipRequest& r);
  /// Connects to members added to the configuration in use and drops removed ones.
  void sync_membership();
  /// Answers changes waiting for `committed` and notices this node's own removal.
  void on_applied_configs(const std::vector<raft::Entry>& committed);
  /// A configuration without this node was applied at `index` (or installed).
  void note_applied_config(const raft::ClusterConfig& config, raft::Index index);
  /// The members in use with their endpoints (the command line's while there is none).
  std::vector<Member> members_in_use() const;

  // node_status.cpp: status and fault requests.
  transport::wire::StatusReply status(std::uint64_t request_id) const;
  transport::wire::Reply fault(const transport::wire::FaultRequest& request);

  // node_snapshot.cpp: snapshots and log compaction (Raft §7).
  void start_snapshots();
  /// Snapshot transfer messages go to the sender/receiver, not the core; true if consumed.
  bool take_snapshot_message(const transport::wire::RaftMessage& message);
  /// The core asked for a snapshot for message.to.
  void request_snapshot(const raft::Message& message);
  /// Advances image copies and transfers; compacts the log past the threshold. Every loop.
  void snapshot_housekeeping();
  /// Compacts the log up to the applied index minus the kept tail (`force`: minus nothing).
  /// Returns the snapshot index afterwards.
  raft::Index compact_log(bool force);
  void restore(const raft::SnapshotMeta& snapshot) override;

  // node_debug.cpp: leadership transfer, log inspection, read-only SQL.
  transport::wire::Reply transfer_leader(const transport::wire::TransferLeaderRequest& request);
  transport::wire::Reply log_range(const transport::wire::LogRequest& request);
  transport::wire::Reply sql(const transport::wire::SqlRequest& request);

  // raft::MessageSink / raft::Applier (node_apply.cpp).
  void send(const raft::Message& message) override;
  void apply(const std::vector<raft::Entry>& committed) override;
  void serve_reads(const std::vector<raft::ReadState>& reads) override;
  bool persist_and_apply(const std::optional<raft::HardState>& hard_state,
                         const std::vector<raft::Entry>& entries,
                         const std::vector<raft::Entry>& committed) override;
  std::vector<store::CommittedCommand> decode_commands(const std::vector<raft::Entry>& committed);
  /// Answers the writes waiting for `committed`; `results`: one per normal entry, in order.
  void answer_applied(const std::vector<raft::Entry>& committed,
                      const std::vector<store::CommandResult>& results);

  NodeConfig config_;
  Logger& logger_;
  store::Store store_;
  SqliteStorage storage_;
  zmq::context_t context_;
  std::unique_ptr<transport::PeerTransport> peers_;
  std::unique_ptr<transport::ClientServer> clients_;
  std::unique_ptr<raft::RaftCore> core_;
  raft::SoftState last_soft_state_;
  Clock::time_point started_ = Clock::now();
  Clock::time_point next_tick_ = Clock::now();
  std::map<raft::NodeId, Clock::time_point> last_contact_;
  std::map<raft::Index, PendingWrite> pending_writes_;      ///< by log index
  std::vector<std::string> write_batch_;                   ///< commands to propose together
  std::vector<PendingWrite> write_batch_requests_;         ///< their requests, same order
  std::vector<PendingRead> read_batch_;                    ///< waiting for the next read_index
  std::map<std::string, std::vector<PendingRead>> pending_reads_;  ///< by ReadIndex context
  std::uint64_t next_read_batch_ = 1;
  bool sql_ran_this_pass_ = false;  ///< at most one `sql` query per loop pass (node_debug.cpp)
  std::uint64_t applied_entries_ = 0;
  std::uint64_t client_rejections_ = 0;
  std::unique_ptr<SnapshotSender> snapshot_sender_;
  std::unique_ptr<SnapshotReceiver> snapshot_receiver_;
  std::uint64_t compactions_ = 0;
  std::uint64_t snapshots_installed_ = 0;
  std::uint64_t stale_snapshot_chunks_ = 0;  ///< chunks of a term older than the core's
  raft::ClusterConfig synced_membership_;      ///< what the peer transport is connected for
  std::map<raft::NodeId, std::string> peer_endpoints_;  ///< connected peers' raft endpoints
  bool synced_once_ = false;
  bool synced_committed_ = false;              ///< synced_membership_ was committed then
  std::size_t synced_progress_size_ = 0;       ///< leader progress entries then
  raft::ClusterConfig applied_membership_;     ///< the configuration at the applied index
  std::optional<raft::Index> removed_at_;      ///< set: this node was removed; the loop ends
  std::map<raft::NodeId, raft::Index> removed_nodes_;  ///< removals seen applied, by node
  std::map<raft::Index, std::vector<PendingChange>> pending_changes_;  ///< by log index
};

}  // namespace meadow::node
