// Helpers for loopback socket tests: wait for a condition by polling sockets (never sleeping),
// find an endpoint nobody listens on, and a fake node that answers client requests from a
// thread. Test-only.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "transport/client_server.h"

namespace meadow::transport::test {

inline constexpr auto kWaitLimit = std::chrono::seconds(10);

/// Polls `items` (waking when one is readable, at most every 10 ms) and evaluates `done` until
/// it holds or `limit` passes. Returns whether it held. `done` may send and receive.
inline bool wait_until(std::vector<zmq::pollitem_t> items, const std::function<bool()>& done,
                       std::chrono::milliseconds limit = kWaitLimit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(10));
  }
  return true;
}

/// A loopback TCP endpoint with nothing listening: bind port 0, read the port, close.
inline std::string dead_endpoint(zmq::context_t& context) {
  zmq::socket_t probe(context, zmq::socket_type::router);
  probe.set(zmq::sockopt::linger, 0);
  probe.bind("tcp://127.0.0.1:*");
  std::string endpoint = probe.get(zmq::sockopt::last_endpoint);
  probe.close();
  return endpoint;
}

/// Answers client requests on a ClientServer from its own thread. `handler` returns the reply,
/// or nullopt to drop the request. Every request seen is recorded (thread-safe accessors).
class FakeNode {
 public:
  using Handler = std::function<std::optional<wire::Reply>(const IncomingRequest&)>;

  FakeNode(zmq::context_t& context, wire::NodeId id, std::string cluster_id, Handler handler,
           std::optional<CurveKeyPair> curve = std::nullopt)
      : server_(context, ClientServerOptions{id, std::move(cluster_id), "tcp://127.0.0.1:*",
                                             10000, 10000, wire::kDefaultMaxMessageBytes,
                                             std::move(curve), {}}),
        handler_(std::move(handler)) {
    endpoint_ = server_.bound_endpoint();
    // The socket moves to the thread; thread creation is the required memory barrier.
    thread_ = std::thread([this] { run(); });
  }
  ~FakeNode() {
    stop_ = true;
    thread_.join();
  }
  FakeNode(const FakeNode&) = delete;
  FakeNode& operator=(const FakeNode&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  std::vector<wire::Request> seen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }
  std::size_t seen_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_.size();
  }
  std::uint64_t drops(DropReason reason) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return drop_snapshot_[static_cast<std::size_t>(reason)];
  }

 private:
  void run() {
    while (!stop_) {
      zmq::pollitem_t item = server_.poll_item();
      zmq::poll(&item, 1, std::chrono::milliseconds(10));
      for (const IncomingRequest& in : server_.receive()) {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          seen_.push_back(in.request);
        }
        if (auto reply = handler_(in)) server_.send_reply(in.routing_id, *reply);
      }
      std::lock_guard<std::mutex> lock(mutex_);
      for (std::size_t i = 0; i < kDropReasonCount; ++i) {
        drop_snapshot_[i] = server_.drops().count(static_cast<DropReason>(i));
      }
    }
  }

  ClientServer server_;
  Handler handler_;
  std::string endpoint_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<wire::Request> seen_;
  std::array<std::uint64_t, kDropReasonCount> drop_snapshot_{};
  std::thread thread_;
};

}  // namespace meadow::transport::test
