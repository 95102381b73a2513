#include "tests/jepsen/workload.h"

#include "tests/jepsen/rng.h"

namespace meadow::jepsen {

namespace wire = transport::wire;

namespace {

// Which node answered a read and at which applied index: what a violation report needs.
std::string served_by(const wire::ReadInfo& read) {
  return "node " + std::to_string(read.node_id) + " at index " + std::to_string(read.applied_index);
}

}  // namespace

Outcome write_outcome(const transport::Completion& done) {
  switch (done.status) {
    case transport::ClientStatus::ok: return Outcome::ok;
    case transport::ClientStatus::invalid_argument:
      return Outcome::fail;  // rejected before anything was sent
    case transport::ClientStatus::deadline_exceeded:
      // Never sent at all: certainly not applied. Sent at least once: it may sit in some
      // leader's log and commit later (or a delayed retry may arrive): unknown.
      return done.attempts == 0 ? Outcome::fail : Outcome::info;
    case transport::ClientStatus::server_error:
    case transport::ClientStatus::not_found: break;
  }
  // The node's own verdicts that mean "not applied, and never will be": the request was refused
  // at the door (too large, invalid) or its sequence was superseded. Anything else (internal
  // error, a not-leader from a node that had accepted it) leaves the outcome open.
  if (done.reply) {
    if (const auto* error = std::get_if<wire::ErrorReply>(&*done.reply)) {
      if (error->code == wire::ErrorCode::invalid_request ||
          error->code == wire::ErrorCode::too_large)
        return Outcome::fail;
    }
  }
  return Outcome::info;
}

Workload::Workload(WorkloadOptions options, std::vector<transport::ClientOptions> client_options,
                   SteadyClock::time_point epoch)
    : options_(std::move(options)),
      client_options_(std::move(client_options)),
      epoch_(epoch),
      slot_ops_(static_cast<std::size_t>(options_.active_keys)),
      per_thread_(static_cast<std::size_t>(options_.clients)) {}

Workload::~Workload() { stop(); }

void Workload::start() {
  for (int i = 0; i < options_.clients; ++i) threads_.emplace_back([this, i] { run_client(i); });
}

void Workload::stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

std::vector<Op> Workload::history() const {
  std::vector<Op> all;
  for (const auto& ops : per_thread_) all.insert(all.end(), ops.begin(), ops.end());
  return all;
}

std::string Workload::key_for_slot(int slot) {
  const std::uint64_t n = slot_ops_[static_cast<std::size_t>(slot)].fetch_add(1);
  return options_.key_prefix + std::to_string(slot) + "." +
         std::to_string(n / static_cast<std::uint64_t>(options_.ops_per_key));
}

void Workload::run_client(int index) {
  auto options = client_options_[static_cast<std::size_t>(index) % client_options_.size()];
  options.deadline = options_.request_timeout;
  // Half the clients try the next node well before the deadline, so they follow a new leader
  // quickly; the other half are patient and stay with the node they know until it answers
  // otherwise, like clients cut off together with an old leader. A deposed leader that still
  // serves them is how stale reads show (Jepsen's etcd and Consul findings).
  options.attempt_timeout =
      index % 2 == 0 ? options_.request_timeout / 3 : options_.request_timeout;
  transport::Client client(options);
  Rng rng(options_.seed * 1000 + static_cast<std::uint64_t>(index));
  std::vector<Op>& out = per_thread_[static_cast<std::size_t>(index)];
  std::uint64_t written = 0;
  auto now_ns = [this] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - epoch_)
        .count();
  };
  while (!stop_) {
    Op op;
    op.process = index;
    op.key =
        key_for_slot(static_cast<int>(rng.below(static_cast<std::uint64_t>(options_.active_keys))));
    const std::uint64_t dice = rng.below(100);
    wire::Request request;
    if (dice < 50) {
      op.kind = OpKind::get;
      request = wire::GetRequest{0, op.key, wire::ReadConsistency::linearizable};
    } else if (dice < 90) {
      op.kind = OpKind::put;
      op.value = "c" + std::to_string(index) + "-" + std::to_string(++written);
      request = wire::PutRequest{0, 0, 0, op.key, *op.value};
    } else {
      op.kind = OpKind::del;
      request = wire::DeleteRequest{0, 0, 0, op.key};
    }
    op.id = next_op_id_.fetch_add(1);
    op.invoke_ns = now_ns();
    const transport::Completion done = client.call(std::move(request));
    op.complete_ns = now_ns();
    if (op.kind == OpKind::get) {
      // A read changes nothing: whatever went wrong, it only matters whether we got an answer.
      if (done.status == transport::ClientStatus::ok && done.reply) {
        const auto& reply = std::get<wire::ValueReply>(*done.reply);
        op.value = reply.value;
        op.outcome = Outcome::ok;
        op.note = served_by(reply.read);
      } else if (done.status == transport::ClientStatus::not_found && done.reply) {
        op.value.reset();
        op.outcome = Outcome::ok;
        op.note = served_by(std::get<wire::NotFoundReply>(*done.reply).read);
      } else {
        op.outcome = done.status == transport::ClientStatus::deadline_exceeded ? Outcome::info
                                                                               : Outcome::fail;
        op.note = done.message.substr(0, 120);
      }
    } else {
      op.outcome = write_outcome(done);
      if (op.outcome != Outcome::ok) op.note = done.message.substr(0, 120);
    }
    out.push_back(std::move(op));
  }
}

}  // namespace meadow::jepsen
