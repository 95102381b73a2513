#include <catch2/catch.hpp>

#include "bench/bench_options.h"
#include "bench/report.h"
#include "bench/workload.h"
#include "common/limits.h"

namespace meadow::bench {
namespace {

using std::chrono::milliseconds;

TEST_CASE("bench options: --ratio parses PUT:GET weights", "[bench]") {
  CHECK(parse_ratio("1:0") == Ratio{1, 0});
  CHECK(parse_ratio("0:1") == Ratio{0, 1});
  CHECK(parse_ratio("3:17") == Ratio{3, 17});
  for (const char* bad : {"", ":", "1", "1:", ":1", "0:0", "a:b", "1:2:3", "-1:2", "1 :2",
                          "99999999999:1"})
    CHECK_FALSE(parse_ratio(bad).has_value());
}

TEST_CASE("bench options: --duration takes ms, s, m, h or bare seconds", "[bench]") {
  CHECK(parse_duration("10s") == milliseconds(10000));
  CHECK(parse_duration("250ms") == milliseconds(250));
  CHECK(parse_duration("2m") == milliseconds(120000));
  CHECK(parse_duration("0.5") == milliseconds(500));
  CHECK(parse_duration("3") == milliseconds(3000));
  CHECK(parse_duration("1h") == milliseconds(3600000));
  for (const char* bad : {"", "s", "ms", "-1s", "+1s", "0s", "0.0001s", "abc", "200h", "1e9m",
                          "nan", "inf"})
    CHECK_FALSE(parse_duration(bad).has_value());
}

TEST_CASE("bench options: check_options refuses nonsense and defaults to a 10 s run",
          "[bench]") {
  BenchOptions o;
  CHECK(check_options(o).empty());
  CHECK(o.duration == milliseconds(10000));

  auto error_of = [](auto change) {
    BenchOptions bad;
    change(bad);
    return check_options(bad);
  };
  CHECK_FALSE(error_of([](BenchOptions& b) { b.attach = "d"; b.connect = "tcp://x:1"; }).empty());
  CHECK_FALSE(error_of([](BenchOptions& b) { b.nodes = 0; }).empty());
  CHECK_FALSE(error_of([](BenchOptions& b) { b.nodes = 10; }).empty());
  CHECK_FALSE(error_of([](BenchOptions& b) { b.clients = 0; }).empty());
  CHECK_FALSE(error_of([](BenchOptions& b) { b.keys = 0; }).empty());
  CHECK_FALSE(error_of([](BenchOptions& b) { b.durability = "fast"; }).empty());
  CHECK_FALSE(error_of([](BenchOptions& b) { b.ops = 0; }).empty());
  CHECK(error_of([](BenchOptions& b) { b.value_size = kMaxValueBytes + 1; })
            .find("exceeds the limit") != std::string::npos);

  BenchOptions ops_only;
  ops_only.ops = 100;
  CHECK(check_options(ops_only).empty());
  CHECK_FALSE(ops_only.duration.has_value());
}

TEST_CASE("bench workload: keys are 16 bytes and the ratio is respected", "[bench]") {
  CHECK(Workload::key_text(42) == "key-000000000042");
  CHECK(Workload::key_text(42).size() == 16);
  BenchOptions o;
  o.keys = 50;
  o.value_size = 100;
  o.ratio = {1, 3};
  Workload w(o);
  int puts = 0;
  for (int i = 0; i < 4000; ++i) {
    const auto request = w.next();
    if (const auto* put = std::get_if<transport::wire::PutRequest>(&request)) {
      ++puts;
      CHECK(put->value.size() == 100);
      CHECK(put->key.size() == 16);
    } else {
      CHECK(std::get<transport::wire::GetRequest>(request).key < Workload::key_text(50));
    }
  }
  CHECK(puts > 850);
  CHECK(puts < 1150);
}

TEST_CASE("bench report: JSON counts add up and text names every part", "[bench]") {
  BenchOptions o;
  o.clients = 8;
  RunStats s;
  s.submitted = 12;
  s.puts = 7;
  s.gets = 3;
  s.gets_not_found = 1;
  s.errors["deadline_exceeded"] = 2;
  for (int i = 1; i <= 7; ++i) s.put_latency.record(static_cast<std::uint64_t>(i) * 1000000);
  for (int i = 1; i <= 3; ++i) s.get_latency.record(500000);
  s.elapsed = std::chrono::seconds(2);
  BenchReport r;
  r.target = "spawned 3-node cluster";
  r.nodes = 3;
  r.durability = "full";
  r.options = &o;
  r.stats = s;
  r.first_write_ms = 420;
  r.peak_rss_kb[1] = 12000;

  const std::string json = render_json(r).dump();
  CHECK(json.rfind("{\"command\":\"bench\",\"ok\":true,\"data\":{", 0) == 0);
  for (const char* part : {"\"completed\":12", "\"puts\":7", "\"gets\":3", "\"error_count\":2",
                           "\"errors\":{\"deadline_exceeded\":2}", "\"ops_per_second\":5",
                           "\"p99_us\":7000", "\"max_us\":7000", "\"durability\":\"full\"",
                           "\"first_write_ms\":420", "\"node_peak_rss_kb\":{\"1\":12000}"})
    CHECK(json.find(part) != std::string::npos);

  const std::string text = render_text(r);
  for (const char* part : {"durability full", "5 ops/s", "put latency p50", "get latency",
                           "deadline_exceeded 2", "first write acknowledged 420 ms",
                           "1: 11.7 MB"})
    CHECK(text.find(part) != std::string::npos);
  CHECK(progress_line(s, RunStats{}).find("5 ops/s") != std::string::npos);
  CHECK(format_ms(1500000) == "1.50 ms");
  CHECK(format_ms(250000000) == "250 ms");
}

}  // namespace
}  // namespace meadow::bench
