#include "bench/report.h"

#include <cstdio>

namespace meadow::bench {
namespace {

constexpr double kQuantiles[] = {0.5, 0.9, 0.99, 0.999};
constexpr const char* kQuantileNames[] = {"p50", "p90", "p99", "p99_9"};
constexpr const char* kQuantileLabels[] = {"p50", "p90", "p99", "p99.9"};

double seconds_of(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string latency_line(const char* name, const LatencyHistogram& h) {
  std::string line = std::string("  ") + name + " latency ";
  for (std::size_t i = 0; i < 4; ++i)
    line += std::string(kQuantileLabels[i]) + " " + format_ms(h.percentile(kQuantiles[i])) + "  ";
  return line + "max " + format_ms(h.max()) + "\n";
}

shell::JsonValue latency_json(const LatencyHistogram& h) {
  auto us = [](std::uint64_t ns) { return static_cast<std::uint64_t>((ns + 500) / 1000); };
  shell::JsonValue out = shell::JsonValue::object();
  out.set("count", h.count());
  for (std::size_t i = 0; i < 4; ++i)
    out.set(std::string(kQuantileNames[i]) + "_us", us(h.percentile(kQuantiles[i])));
  out.set("max_us", us(h.max()));
  out.set("mean_us", us(static_cast<std::uint64_t>(h.mean())));
  return out;
}

}  // namespace

std::string format_ms(std::uint64_t ns) {
  const double ms = static_cast<double>(ns) / 1e6;
  return fixed(ms, ms < 10 ? 2 : ms < 100 ? 1 : 0) + " ms";
}

std::string progress_line(const RunStats& now, const RunStats& previous) {
  const double dt = seconds_of(now.elapsed - previous.elapsed);
  const std::uint64_t done = (now.puts + now.gets) - (previous.puts + previous.gets);
  const double rate = dt > 0 ? static_cast<double>(done) / dt : 0;
  LatencyHistogram all = now.put_latency;
  all.merge(now.get_latency);
  char buf[160];
  std::snprintf(buf, sizeof buf, "[%4.0f s] %8.0f ops/s  total %llu  p99 so far %s  errors %llu",
                seconds_of(now.elapsed), rate,
                static_cast<unsigned long long>(now.puts + now.gets),
                format_ms(all.percentile(0.99)).c_str(),
                static_cast<unsigned long long>(now.error_count()));
  return buf;
}

std::string render_text(const BenchReport& r) {
  const BenchOptions& o = *r.options;
  const RunStats& s = r.stats;
  std::string out = "meadow bench: " + r.target + ", durability " +
                    (r.durability.empty() ? "unknown" : r.durability) + "\n";
  out += "  workload  " + std::to_string(o.clients) + " in flight, " + std::to_string(o.keys) +
         " keys, " + std::to_string(o.value_size) + "-byte values, put:get " +
         std::to_string(o.ratio.put) + ":" + std::to_string(o.ratio.get) + ", reads " +
         std::string(to_string(o.consistency)) + "\n";
  out += "  throughput " + fixed(s.ops_per_second(), 0) + " ops/s (" + std::to_string(s.puts) +
         " puts, " + std::to_string(s.gets) + " gets";
  if (s.gets_not_found) out += " of which " + std::to_string(s.gets_not_found) + " not found";
  out += ") in " + fixed(seconds_of(s.elapsed), 2) + " s\n";
  if (s.put_latency.count()) out += latency_line("put", s.put_latency);
  if (s.get_latency.count()) out += latency_line("get", s.get_latency);
  out += "  errors    ";
  if (s.errors.empty()) out += "none";
  for (const auto& [kind, count] : s.errors) out += kind + " " + std::to_string(count) + "  ";
  out += "  (retried requests " + std::to_string(s.retried) + ")\n";
  if (r.first_write_ms)
    out += "  first write acknowledged " + std::to_string(*r.first_write_ms) + " ms after launch\n";
  if (r.node_cpu_ms && s.puts + s.gets > 0)
    out += "  node CPU  " + std::to_string(*r.node_cpu_ms) + " ms in all, " +
           fixed(static_cast<double>(*r.node_cpu_ms) * 1000.0 / static_cast<double>(s.puts + s.gets), 1) +
           " us per request\n";
  if (!r.peak_rss_kb.empty()) {
    out += "  node peak RSS";
    for (const auto& [id, kb] : r.peak_rss_kb)
      out += "  " + std::to_string(id) + ": " + fixed(static_cast<double>(kb) / 1024.0, 1) + " MB";
    out += "\n";
  }
  return out;
}

shell::JsonValue render_json(const BenchReport& r) {
  const BenchOptions& o = *r.options;
  const RunStats& s = r.stats;
  shell::JsonValue workload = shell::JsonValue::object();
  workload.set("clients", o.clients)
      .set("keys", o.keys)
      .set("value_size", static_cast<std::uint64_t>(o.value_size))
      .set("ratio", std::to_string(o.ratio.put) + ":" + std::to_string(o.ratio.get))
      .set("consistency", std::string(to_string(o.consistency)));
  shell::JsonValue errors = shell::JsonValue::object();
  for (const auto& [kind, count] : s.errors) errors.set(kind, count);
  shell::JsonValue rss = shell::JsonValue::object();
  for (const auto& [id, kb] : r.peak_rss_kb) rss.set(std::to_string(id), kb);
  shell::JsonValue data = shell::JsonValue::object();
  data.set("target", r.target)
      .set("nodes", r.nodes)
      .set("durability", r.durability)
      .set("workload", std::move(workload))
      .set("submitted", s.submitted)
      .set("completed", s.completed())
      .set("puts", s.puts)
      .set("gets", s.gets)
      .set("gets_not_found", s.gets_not_found)
      .set("error_count", s.error_count())
      .set("errors", std::move(errors))
      .set("retried", s.retried)
      .set("elapsed_ms", static_cast<std::uint64_t>(
                             std::chrono::duration_cast<std::chrono::milliseconds>(s.elapsed).count()))
      .set("ops_per_second", static_cast<std::uint64_t>(s.ops_per_second() + 0.5))
      .set("put_latency", latency_json(s.put_latency))
      .set("get_latency", latency_json(s.get_latency))
      .set("first_write_ms", r.first_write_ms ? shell::JsonValue(*r.first_write_ms) : shell::JsonValue())
      .set("node_peak_rss_kb", std::move(rss))
      .set("node_cpu_ms", r.node_cpu_ms ? shell::JsonValue(*r.node_cpu_ms) : shell::JsonValue());
  shell::JsonValue out = shell::JsonValue::object();
  out.set("command", "bench").set("ok", true).set("data", std::move(data));
  return out;
}

}  // namespace meadow::bench
