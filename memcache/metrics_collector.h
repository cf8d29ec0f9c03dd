// MetricsCollector: renders the server's state as a Prometheus text page
// (format 0.0.4): per-command request counts by result and latency
// histograms, connections, items, memory, evictions, reclaimed expirations,
// network bytes, event-loop busy time, uptime and the standard process_*
// metrics.
//
// Counters here are cumulative since start and never reset: "stats reset"
// changes what the "stats" command prints (memcached's semantics) but not
// this page, because Prometheus counters must be monotonic. Metric names are
// listed in doc/observability.md.
//
// Thread-safety: Render may be called from any thread (the metrics exporter
// thread); it only reads atomics, takes the store's shard locks briefly and
// reads /proc.
#ifndef MEMCACHE_METRICS_COLLECTOR_H_
#define MEMCACHE_METRICS_COLLECTOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "memcache/command_context.h"

namespace memcache {

class MetricsCollector {
 public:
  // Cumulative busy nanoseconds of each I/O event loop, in thread order.
  using LoopBusyFn = std::function<std::vector<uint64_t>()>;

  // `context` must outlive the collector; its metrics may be null (then no
  // per-command families are written). loop_busy may be empty.
  explicit MetricsCollector(CommandContext* context, LoopBusyFn loop_busy = nullptr)
      : context_(context), loop_busy_(std::move(loop_busy)) {}

  std::string Render() const;

 private:
  CommandContext* context_;
  LoopBusyFn loop_busy_;
};

}  // namespace memcache

#endif  // MEMCACHE_METRICS_COLLECTOR_H_
