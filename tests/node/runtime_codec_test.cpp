// The node runtime's codecs: the command payload of a log entry and the Raft message mapping to
// the wire mirror. Both must round-trip, and command decoding must be total.
#include <catch2/catch.hpp>

#include <random>
#include <tuple>

#include <msgpack.hpp>

#include "node/runtime/command_codec.h"
#include "node/runtime/raft_codec.h"

using namespace meadow;

TEST_CASE("node codec: commands round-trip with binary keys and values", "[node][codec]") {
  const std::string binary("\0\xff\n\"\\ x", 7);
  for (const auto& c : {store::Command{7, 1, store::Op::put, "k", "v"},
                        store::Command{1ull << 63, 99, store::Op::del, binary, ""},
                        store::Command{0, 0, store::Op::noop, "", ""},
                        store::Command{3, 4, store::Op::put, std::string(4096, 'k'),
                                       std::string(1 << 20, 'v')},
                        store::Command{3, 5, store::Op::put, binary, binary}}) {
    auto decoded = node::decode_command(node::encode_command(c));
    REQUIRE(decoded);
    CHECK(*decoded == c);
  }
}

TEST_CASE("node codec: commands keep the byte layout of the first release", "[node][codec]") {
  // Logs on disk hold commands encoded as a packed tuple: the encoder must not drift from it.
  for (const auto& c : {store::Command{7, 1, store::Op::put, "k", "v"},
                        store::Command{1ull << 63, 1ull << 40, store::Op::del, "key", ""},
                        store::Command{3, 300, store::Op::put, std::string(70000, 'k'),
                                       std::string(300, 'v')}}) {
    msgpack::sbuffer reference;
    msgpack::pack(reference, std::make_tuple(std::uint8_t{1}, c.client_id, c.seq,
                                             static_cast<std::uint8_t>(c.op), c.key, c.value));
    CHECK(node::encode_command(c) == std::string(reference.data(), reference.size()));
  }
}

TEST_CASE("node codec: command decoding rejects anything else without crashing", "[node][codec]") {
  CHECK_FALSE(node::decode_command(""));
  CHECK_FALSE(node::decode_command("not msgpack at all"));
  const std::string good = node::encode_command({1, 2, store::Op::put, "key", "value"});
  CHECK_FALSE(node::decode_command(good + "x"));               // trailing bytes
  CHECK_FALSE(node::decode_command(good.substr(0, good.size() - 1)));  // truncated
  std::string bad_op = node::encode_command({1, 2, store::Op::put, "k", "v"});
  bad_op[4] = 9;  // [format, client_id(1 byte), seq(1 byte), op, ...]: op = 9 is unknown
  CHECK_FALSE(node::decode_command(bad_op));
  std::string future = good;
  future[1] = 2;  // format 2
  CHECK_FALSE(node::decode_command(future));
  // Random and mutated inputs: any answer is fine, a crash or exception is not.
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = good;
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips)
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) bytes.resize(rng() % (bytes.size() + 1));
    (void)node::decode_command(bytes);
  }
}

TEST_CASE("node codec: every Raft message field survives the wire mirror", "[node][codec]") {
  raft::Message m;
  m.type = raft::MessageType::append_response;
  m.from = 3;
  m.to = 1;
  m.term = 9;
  m.log_term = 8;
  m.index = 77;
  m.entries = {{8, 78, raft::EntryKind::normal, "cmd"}, {9, 79, raft::EntryKind::noop, ""},
               {9, 80, raft::EntryKind::config, "cfg"}};
  m.commit = 76;
  m.reject = true;
  m.reject_hint = 40;
  m.context = "reads-7";
  CHECK(node::from_wire(node::to_wire(m)) == m);
  for (int t = 0; t <= static_cast<int>(raft::MessageType::snapshot_response); ++t) {
    raft::Message typed;
    typed.type = static_cast<raft::MessageType>(t);
    CHECK(node::from_wire(node::to_wire(typed)).type == typed.type);
  }
}
