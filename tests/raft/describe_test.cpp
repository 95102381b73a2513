// Golden text forms of the protocol objects (describe.h): stable, one line each.
#include <catch2/catch.hpp>

#include "node/raft/describe.h"
#include "tests/raft/harness.h"

namespace meadow::raft::test {

TEST_CASE("raft describe: messages read as one line with the fields their type uses",
          "[raft][describe]") {
  Message v = msg(MessageType::vote, 1, 2, 4);
  v.log_term = 3;
  v.index = 17;
  CHECK(describe(v) == "1->2 vote term=4 log=3/17");
  Message a = msg(MessageType::append, 1, 2, 4);
  a.log_term = 3;
  a.index = 17;
  a.commit = 16;
  a.entries = {Entry{4, 18, EntryKind::noop, ""}, entry(4, 19, "x"), entry(4, 20), entry(4, 21)};
  CHECK(describe(a) == "1->2 append term=4 log=3/17 commit=16 entries=[4/18 noop 4/19 4/20 +1]");
  Message r = msg(MessageType::append_response, 2, 1, 4);
  r.index = 17;
  r.reject = true;
  r.reject_hint = 12;
  r.log_term = 2;
  CHECK(describe(r) == "2->1 append_resp term=4 index=17 reject hint=2/12");
  Message g = msg(MessageType::vote_response, 2, 1, 4);
  CHECK(describe(g) == "2->1 vote_resp term=4 grant");
}

TEST_CASE("raft describe: entries and hard state and Ready read as one line", "[raft][describe]") {
  CHECK(describe(entry(3, 17, "set x=1")) == "3/17 normal \"set x=1\"");
  CHECK(describe(entry(3, 17, std::string(30, 'a'))) ==
        "3/17 normal \"aaaaaaaaaaaaaaaaaaaaaaaa...\"");
  CHECK(describe(HardState{4, 2, 17}) == "term=4 vote=2 commit=17");
  Ready rd;
  rd.hard_state = HardState{4, 2, 17};
  rd.entries = {entry(4, 18), entry(4, 19)};
  rd.messages.resize(3);
  CHECK(describe(rd) == "hs=(term=4 vote=2 commit=17) entries=2[18..19] apply=0 msgs=3 reads=0");
}

}  // namespace meadow::raft::test
