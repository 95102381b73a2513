// Client against fake nodes (ClientServer + a thread): leader discovery through not-leader
// hints, exactly-once retries with the same (client id, sequence), clear deadline errors, and
// the pipelined API.
#include <catch2/catch.hpp>

#include <cstdio>
#include <mutex>
#include <set>

#include "tests/transport/loopback.h"
#include "transport/client.h"

namespace meadow::transport {
namespace {

const std::string kCluster = "client-test";

ClientOptions options_for(std::vector<ClientEndpoint> endpoints) {
  ClientOptions o;
  o.endpoints = std::move(endpoints);
  o.cluster_id = kCluster;
  o.attempt_timeout = std::chrono::milliseconds(200);
  o.deadline = std::chrono::seconds(10);
  o.no_leader_backoff = std::chrono::milliseconds(5);
  return o;
}

// A fake leader: writes ok (echoing client id and sequence), gets from a fixed map.
std::optional<wire::Reply> leader_answer(wire::NodeId self, const IncomingRequest& in) {
  return std::visit(
      [&](const auto& r) -> std::optional<wire::Reply> {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, wire::PutRequest> ||
                      std::is_same_v<T, wire::DeleteRequest>) {
          return wire::OkReply{r.request_id, r.client_id, r.sequence, r.sequence + 100};
        } else if constexpr (std::is_same_v<T, wire::GetRequest>) {
          const bool stale = r.consistency == wire::ReadConsistency::stale;
          if (r.key == "present") {
            return wire::ValueReply{r.request_id, "v", wire::ReadInfo{self, 42, stale}};
          }
          return wire::NotFoundReply{r.request_id, wire::ReadInfo{self, 42, stale}};
        } else if constexpr (std::is_same_v<T, wire::ScanRequest>) {
          return wire::ScanReply{r.request_id, {{"a", "1"}, {"ab", "2"}}, true,
                                 wire::ReadInfo{self, 42, false}};
        } else if constexpr (std::is_same_v<T, wire::StatusRequest>) {
          wire::StatusReply s;
          s.request_id = r.request_id;
          s.node_id = self;
          s.role = wire::Role::leader;
          s.counters["peer.drop.wrong_cluster"] = 3;
          return s;
        } else {
          return wire::OkReply{r.request_id, 0, 0, 0};
        }
      },
      in.request);
}

TEST_CASE("client: follows a not-leader hint and remembers the leader", "[client]") {
  zmq::context_t context;
  test::FakeNode leader(context, 2, kCluster, [](const IncomingRequest& in) {
    return leader_answer(2, in);
  });
  test::FakeNode follower(context, 1, kCluster, [&](const IncomingRequest& in) {
    return std::optional<wire::Reply>(
        wire::NotLeaderReply{wire::request_id_of(in.request), 2, leader.endpoint()});
  });
  Client client(options_for({{1, follower.endpoint(), {}}, {2, leader.endpoint(), {}}}));

  const auto put = client.put("k", "v");
  INFO(put.message);
  REQUIRE(put.ok());
  CHECK(put.value.client_id == client.client_id());
  CHECK(put.value.sequence == 1);
  CHECK(client.leader_guess() == 1);
  CHECK(follower.seen_count() == 1);

  // The next request goes straight to the leader.
  REQUIRE(client.del("k").ok());
  CHECK(follower.seen_count() == 1);
  CHECK(leader.seen_count() == 2);
}

TEST_CASE("client: a hint by node id only is followed through the endpoint list", "[client]") {
  zmq::context_t context;
  test::FakeNode leader(context, 7, kCluster, [](const IncomingRequest& in) {
    return leader_answer(7, in);
  });
  test::FakeNode follower(context, 6, kCluster, [](const IncomingRequest& in) {
    return std::optional<wire::Reply>(wire::NotLeaderReply{wire::request_id_of(in.request), 7, ""});
  });
  Client client(options_for({{6, follower.endpoint(), {}}, {7, leader.endpoint(), {}}}));
  const auto got = client.get("present");
  REQUIRE(got.ok());
  CHECK(got.value.value == "v");
  CHECK(got.value.read.node_id == 7);
  CHECK(got.value.read.applied_index == 42);
}

TEST_CASE("client: without a hint it tries the next node", "[client]") {
  zmq::context_t context;
  test::FakeNode electing(context, 1, kCluster, [](const IncomingRequest& in) {
    return std::optional<wire::Reply>(wire::NotLeaderReply{wire::request_id_of(in.request), 0, ""});
  });
  test::FakeNode leader(context, 2, kCluster, [](const IncomingRequest& in) {
    return leader_answer(2, in);
  });
  Client client(options_for({{1, electing.endpoint(), {}}, {2, leader.endpoint(), {}}}));
  REQUIRE(client.put("k", "v").ok());
  CHECK(client.leader_guess() == 1);
}

TEST_CASE("client: nodes pointing at each other end in a clear deadline error", "[client]") {
  zmq::context_t context;
  std::string endpoint_a;
  std::string endpoint_b;
  std::mutex mutex;
  const auto hint_to = [&](wire::NodeId id) {
    return [&, id](const IncomingRequest& in) {
      std::lock_guard<std::mutex> lock(mutex);
      return std::optional<wire::Reply>(wire::NotLeaderReply{wire::request_id_of(in.request), id,
                                                             id == 1 ? endpoint_a : endpoint_b});
    };
  };
  test::FakeNode a(context, 1, kCluster, hint_to(2));
  test::FakeNode b(context, 2, kCluster, hint_to(1));
  {
    std::lock_guard<std::mutex> lock(mutex);
    endpoint_a = a.endpoint();
    endpoint_b = b.endpoint();
  }
  ClientOptions o = options_for({{1, a.endpoint(), {}}, {2, b.endpoint(), {}}});
  o.deadline = std::chrono::milliseconds(300);
  Client client(o);
  const auto put = client.put("k", "v");
  CHECK(put.status == ClientStatus::deadline_exceeded);
  CHECK_THAT(put.message, Catch::Contains(a.endpoint() + " (not leader, hint 2)"));
  CHECK_THAT(put.message, Catch::Contains(b.endpoint() + " (not leader, hint 1)"));
  // Nodes answered, so the cluster id is not in question.
  CHECK_THAT(put.message, !Catch::Contains("no node answered"));
}

TEST_CASE("client: a lost request is retried with the same client id and sequence",
          "[client]") {
  zmq::context_t context;
  std::atomic<int> calls{0};
  test::FakeNode flaky(context, 1, kCluster, [&](const IncomingRequest& in) {
    if (calls++ == 0) return std::optional<wire::Reply>();  // lose the first request
    return leader_answer(1, in);
  });
  ClientOptions o = options_for({{1, flaky.endpoint(), {}}});
  o.attempt_timeout = std::chrono::milliseconds(100);
  Client client(o);

  const auto put = client.put("k", "v");
  INFO(put.message);
  REQUIRE(put.ok());
  const auto seen = flaky.seen();
  REQUIRE(seen.size() == 2);
  const auto& first = std::get<wire::PutRequest>(seen[0]);
  const auto& second = std::get<wire::PutRequest>(seen[1]);
  CHECK(first == second);  // same request id, client id, sequence, key, value
  CHECK(first.client_id == client.client_id());
  CHECK(first.sequence == 1);

  // A new write gets the next sequence number.
  REQUIRE(client.put("k", "w").ok());
  CHECK(std::get<wire::PutRequest>(flaky.seen().back()).sequence == 2);
}

TEST_CASE("client: gives up at the deadline naming what it tried", "[client]") {
  zmq::context_t context;
  const std::string a = test::dead_endpoint(context);
  const std::string b = test::dead_endpoint(context);
  ClientOptions o = options_for({{1, a, {}}, {2, b, {}}});
  o.attempt_timeout = std::chrono::milliseconds(50);
  // Many attempt windows per deadline: a starved CI machine must still get to try both nodes.
  o.deadline = std::chrono::milliseconds(2000);
  Client client(o);
  const auto put = client.put("k", "v");
  CHECK(put.status == ClientStatus::deadline_exceeded);
  CHECK_THAT(put.message, Catch::Contains("no leader / no quorum reachable within 2.0s"));
  CHECK_THAT(put.message, Catch::Contains(a + " (timeout)"));
  CHECK_THAT(put.message, Catch::Contains(b + " (timeout)"));
  // Silence everywhere: a wrong cluster id looks exactly like this, so the message says so.
  CHECK_THAT(put.message, Catch::Contains("no node answered at all"));
  CHECK_THAT(put.message, Catch::Contains("'" + kCluster + "' their cluster id"));

  const auto status = client.status(1);
  CHECK(status.status == ClientStatus::deadline_exceeded);
  CHECK_THAT(status.message, Catch::Contains("no reply from " + b));
}

TEST_CASE("client: a node of another cluster is never believed", "[client]") {
  zmq::context_t context;
  test::FakeNode foreign(context, 1, "other-cluster", [](const IncomingRequest& in) {
    return leader_answer(1, in);
  });
  ClientOptions o = options_for({{1, foreign.endpoint(), {}}});
  o.attempt_timeout = std::chrono::milliseconds(50);
  o.deadline = std::chrono::milliseconds(200);
  Client client(o);
  CHECK(client.put("k", "v").status == ClientStatus::deadline_exceeded);
  REQUIRE(test::wait_until({}, [&] { return foreign.drops(DropReason::wrong_cluster) >= 1; }));
  CHECK(foreign.seen_count() == 0);
}

TEST_CASE("client: reads, scans, status, faults and server errors map to results", "[client]") {
  zmq::context_t context;
  test::FakeNode node(context, 3, kCluster, [](const IncomingRequest& in) {
    if (const auto* f = std::get_if<wire::FaultRequest>(&in.request)) {
      if (f->drop_percent > 100) {
        return std::optional<wire::Reply>(
            wire::ErrorReply{f->request_id, wire::ErrorCode::invalid_request, "bad percent"});
      }
    }
    return leader_answer(3, in);
  });
  Client client(options_for({{3, node.endpoint(), {}}}));

  const auto missing = client.get("absent", wire::ReadConsistency::stale);
  CHECK(missing.status == ClientStatus::not_found);
  CHECK(missing.value.read.stale);
  CHECK(missing.value.read.node_id == 3);

  const auto scan = client.scan(wire::ScanMode::prefix, "a", "", 2);
  REQUIRE(scan.ok());
  CHECK(scan.value.items.size() == 2);
  CHECK(scan.value.more);

  const auto status = client.status(0);
  REQUIRE(status.ok());
  CHECK(status.value.role == wire::Role::leader);
  CHECK(status.value.counters.at("peer.drop.wrong_cluster") == 3);

  wire::FaultRequest fault{0, wire::FaultAction::drop_percent, {}, wire::FaultDirection::both, 0,
                           10};
  CHECK(client.fault(0, fault).ok());
  fault.drop_percent = 500;
  const auto refused = client.fault(0, fault);
  CHECK(refused.status == ClientStatus::server_error);
  CHECK(refused.server_code == wire::ErrorCode::invalid_request);
  CHECK_THAT(refused.message, Catch::Contains("bad percent"));

  CHECK(client.status(5).status == ClientStatus::invalid_argument);
}

TEST_CASE("client: many pipelined writes complete once each", "[client]") {
  zmq::context_t context;
  test::FakeNode node(context, 1, kCluster, [](const IncomingRequest& in) {
    return leader_answer(1, in);
  });
  Client client(options_for({{1, node.endpoint(), {}}}));
  constexpr int kRequests = 2000;
  const auto start = Clock::now();
  std::set<std::uint64_t> submitted;
  for (int i = 0; i < kRequests; ++i) {
    std::string key = "k";  // appended, not "k" + ...: GCC 12 warns falsely (-Wrestrict)
    key += std::to_string(i);
    submitted.insert(client.submit(wire::PutRequest{0, 0, 0, key, "v"}));
  }
  CHECK(client.in_flight() == kRequests);
  std::set<std::pair<std::uint64_t, std::uint64_t>> sessions;  // (client id, sequence)
  std::size_t completed = 0;
  REQUIRE(test::wait_until({}, [&] {
    for (const Completion& c : client.poll_completions(std::chrono::milliseconds(50))) {
      CHECK(c.status == ClientStatus::ok);
      CHECK(submitted.count(c.request_id) == 1);
      REQUIRE(c.reply);
      const auto& ok = std::get<wire::OkReply>(*c.reply);
      sessions.insert({ok.client_id, ok.sequence});
      ++completed;
    }
    return completed == kRequests;
  }));
  CHECK(client.in_flight() == 0);
  // Every write went out under its own (session, sequence): none can be mistaken for another.
  CHECK(sessions.size() == kRequests);
  CHECK(node.seen_count() == kRequests);
  const double pipelined_s = std::chrono::duration<double>(Clock::now() - start).count();

  // Figures for the report (no timing assertions): pipelined throughput, synchronous RTT.
  constexpr int kSync = 300;
  const auto sync_start = Clock::now();
  for (int i = 0; i < kSync; ++i) REQUIRE(client.put("k", "v").ok());
  const double sync_s = std::chrono::duration<double>(Clock::now() - sync_start).count();
  std::fprintf(stderr, "client vs fake node: %d pipelined writes in %.3fs (%.0f/s); "
               "sync put round trip %.1f us\n", kRequests, pipelined_s,
               kRequests / pipelined_s, sync_s / kSync * 1e6);
}

TEST_CASE("client: writes in flight together never share a session, and sessions are reused",
          "[client]") {
  zmq::context_t context;
  test::FakeNode node(context, 1, kCluster, [](const IncomingRequest& in) {
    return leader_answer(1, in);
  });
  Client client(options_for({{1, node.endpoint(), {}}}));
  auto session_of = [](const wire::Request& r) {
    return std::visit(
        [](const auto& w) -> std::pair<std::uint64_t, std::uint64_t> {
          if constexpr (requires { w.sequence; }) return {w.client_id, w.sequence};
          return {0, 0};
        },
        r);
  };
  // Three writes in flight at once: three sessions, the first being the client's own id.
  for (int i = 0; i < 3; ++i) client.submit(wire::PutRequest{0, 0, 0, "k", "v"});
  std::size_t done = 0;
  REQUIRE(test::wait_until({}, [&] {
    done += client.poll_completions(std::chrono::milliseconds(50)).size();
    return done == 3;
  }));
  auto seen = node.seen();
  REQUIRE(seen.size() == 3);
  std::set<std::uint64_t> ids;
  for (const auto& r : seen) {
    ids.insert(session_of(r).first);
    CHECK(session_of(r).second == 1);
  }
  CHECK(ids.size() == 3);
  CHECK(ids.count(client.client_id()) == 1);
  // Later writes, one at a time, reuse a finished session with the next sequence number.
  REQUIRE(client.put("k", "again").ok());
  seen = node.seen();
  REQUIRE(seen.size() == 4);
  CHECK(ids.count(session_of(seen.back()).first) == 1);
  CHECK(session_of(seen.back()).second == 2);
}

}  // namespace
}  // namespace meadow::transport
