// Per-command counters of an mcbench run and their table / JSON rendering.
//
// A CommandStats is owned by one load thread while the run is going; the main
// thread merges them after the load threads have stopped.
#ifndef BENCH_LOAD_REPORT_H_
#define BENCH_LOAD_REPORT_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/histogram.h"

namespace bench {

struct CommandStats {
  Histogram latency_ns;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t errors = 0;

  void Merge(const CommandStats& o) {
    latency_ns.Merge(o.latency_ns);
    hits += o.hits;
    misses += o.misses;
    errors += o.errors;
  }
};

struct NamedStats {
  std::string name;  // "get", "set", "echo", "total"
  CommandStats stats;
};

inline double Micros(uint64_t ns) { return ns / 1000.0; }

inline void PrintTable(FILE* out, const std::vector<NamedStats>& rows, double seconds) {
  std::fprintf(out, "%-6s %12s %12s %10s %10s %9s %9s %9s %9s %10s\n", "cmd", "ops",
               "ops/sec", "hits", "misses", "avg_us", "p50_us", "p99_us", "p99.9_us",
               "max_us");
  for (const NamedStats& r : rows) {
    const Histogram& h = r.stats.latency_ns;
    std::fprintf(out, "%-6s %12llu %12.0f %10llu %10llu %9.1f %9.1f %9.1f %9.1f %10.1f\n",
                 r.name.c_str(), static_cast<unsigned long long>(h.count()),
                 seconds > 0 ? h.count() / seconds : 0.0,
                 static_cast<unsigned long long>(r.stats.hits),
                 static_cast<unsigned long long>(r.stats.misses), h.mean() / 1000.0,
                 Micros(h.Percentile(50)), Micros(h.Percentile(99)),
                 Micros(h.Percentile(99.9)), Micros(h.max()));
  }
}

// `config_json` is an already rendered JSON object describing the run.
inline std::string RenderJson(const std::string& config_json,
                              const std::vector<NamedStats>& rows, double seconds) {
  std::string s = "{\n  \"config\": " + config_json + ",\n";
  char buf[512];
  std::snprintf(buf, sizeof(buf), "  \"seconds\": %.6f,\n  \"commands\": {\n", seconds);
  s += buf;
  for (size_t i = 0; i < rows.size(); ++i) {
    const CommandStats& c = rows[i].stats;
    const Histogram& h = c.latency_ns;
    std::snprintf(buf, sizeof(buf),
                  "    \"%s\": {\"ops\": %llu, \"ops_per_sec\": %.1f, \"hits\": %llu, "
                  "\"misses\": %llu, \"errors\": %llu, \"latency_us\": {\"avg\": %.2f, "
                  "\"p50\": %.2f, \"p99\": %.2f, \"p99.9\": %.2f, \"max\": %.2f}}%s\n",
                  rows[i].name.c_str(), static_cast<unsigned long long>(h.count()),
                  seconds > 0 ? h.count() / seconds : 0.0,
                  static_cast<unsigned long long>(c.hits),
                  static_cast<unsigned long long>(c.misses),
                  static_cast<unsigned long long>(c.errors), h.mean() / 1000.0,
                  Micros(h.Percentile(50)), Micros(h.Percentile(99)),
                  Micros(h.Percentile(99.9)), Micros(h.max()),
                  i + 1 < rows.size() ? "," : "");
    s += buf;
  }
  s += "  }\n}\n";
  return s;
}

}  // namespace bench

#endif  // BENCH_LOAD_REPORT_H_
