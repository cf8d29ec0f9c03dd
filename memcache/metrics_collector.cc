#include "memcache/metrics_collector.h"

#include <memory>
#include <string>

#include "memcache/command_metrics.h"
#include "memcache/process_stats.h"
#include "memcache/prometheus_writer.h"

namespace memcache {

using codec::TextCommand;

namespace {

constexpr uint32_t Bit(CommandResult r) { return 1u << static_cast<int>(r); }

// Results written for a command even while zero, so dashboards find the
// series (hit ratio, error rate) before the first such request. Other
// results appear once they are non-zero.
uint32_t ExpectedResults(int command) {
  constexpr uint32_t kLookup =
      Bit(CommandResult::kHit) | Bit(CommandResult::kMiss) | Bit(CommandResult::kError);
  constexpr uint32_t kStorage = Bit(CommandResult::kStored) |
                                Bit(CommandResult::kNotStored) |
                                Bit(CommandResult::kError);
  switch (static_cast<TextCommand>(command)) {
    case TextCommand::kGet: case TextCommand::kGets: case TextCommand::kGat:
    case TextCommand::kGats: case TextCommand::kDelete: case TextCommand::kIncr:
    case TextCommand::kDecr: case TextCommand::kTouch: case TextCommand::kMetaGet:
    case TextCommand::kMetaDebug:
      return kLookup;
    case TextCommand::kCas: case TextCommand::kMetaDelete:
    case TextCommand::kMetaArithmetic:
      return kLookup | Bit(CommandResult::kBadval);
    case TextCommand::kSet: case TextCommand::kAdd: case TextCommand::kReplace:
    case TextCommand::kAppend: case TextCommand::kPrepend:
      return kStorage;
    case TextCommand::kMetaSet:
      return kStorage | kLookup | Bit(CommandResult::kBadval);
    default:
      return Bit(CommandResult::kOk);
  }
}

void WriteCommands(const CommandMetrics& metrics, PrometheusWriter* w) {
  // ~40 KB: too big for an I/O thread's stack habits, fine on the heap.
  auto snap = std::make_unique<CommandMetrics::Snapshot>();
  metrics.Collect(snap.get());
  w->Family("memcached_commands_total", "counter",
            "Commands processed, by command and result. Multi-key get, gets, "
            "gat and gats count one per key, like memcached's cmd_get.");
  for (int c = 1; c < CommandMetrics::kCommands; ++c) {
    const char* name = CommandMetrics::CommandName(c);
    if (name == nullptr) continue;
    const uint32_t expected = ExpectedResults(c);
    for (int r = 0; r < CommandMetrics::kResults; ++r) {
      const uint64_t n = snap->counts[c][r];
      if (n == 0 && (expected & (1u << r)) == 0) continue;
      w->Sample("memcached_commands_total",
                {{"command", name}, {"result", CommandMetrics::ResultName(r)}}, n);
    }
  }
  w->Family("memcached_command_duration_seconds", "histogram",
            "Time to execute one command request in the server (parsed request "
            "to reply queued), by command.");
  for (int c = 1; c < CommandMetrics::kCommands; ++c) {
    const char* name = CommandMetrics::CommandName(c);
    if (name == nullptr) continue;
    const TextCommand command = static_cast<TextCommand>(c);
    // Always present for the two commands every dashboard shows.
    const bool always = command == TextCommand::kGet || command == TextCommand::kSet;
    if (!always && snap->latency[c].count() == 0) continue;
    w->Histogram("memcached_command_duration_seconds", {{"command", name}},
                 snap->latency[c]);
  }
}

void WriteGauge(PrometheusWriter* w, const char* name, const char* help,
                uint64_t value) {
  w->Family(name, "gauge", help);
  w->Sample(name, value);
}

void WriteCounter(PrometheusWriter* w, const char* name, const char* help,
                  uint64_t value) {
  w->Family(name, "counter", help);
  w->Sample(name, value);
}

void WriteProcess(PrometheusWriter* w) {
  const ProcessStats p = ReadProcessStats();
  if (!p.ok) return;
  // The names every Prometheus client library uses for its process.
  w->Family("process_cpu_seconds_total", "counter",
            "Total user and system CPU time spent in seconds.");
  w->Sample("process_cpu_seconds_total", p.user_seconds + p.system_seconds);
  w->Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  w->Sample("process_resident_memory_bytes", p.resident_bytes);
  w->Family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  w->Sample("process_virtual_memory_bytes", p.virtual_bytes);
  w->Family("process_threads", "gauge", "Number of OS threads in the process.");
  w->Sample("process_threads", p.threads);
  w->Family("process_open_fds", "gauge", "Number of open file descriptors.");
  w->Sample("process_open_fds", p.open_fds);
  w->Family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
  w->Sample("process_max_fds", p.max_fds);
  w->Family("process_start_time_seconds", "gauge",
            "Start time of the process since unix epoch in seconds.");
  w->Sample("process_start_time_seconds", p.start_time_seconds);
}

}  // namespace

std::string MetricsCollector::Render() const {
  CommandContext& ctx = *context_;
  PrometheusWriter w;
  if (ctx.metrics != nullptr) WriteCommands(*ctx.metrics, &w);

  ConnectionCounters conns;
  if (ctx.connection_counters) conns = ctx.connection_counters();
  WriteGauge(&w, "memcached_current_connections", "Open client connections.",
             conns.curr_connections);
  WriteCounter(&w, "memcached_connections_total", "Client connections accepted.",
               conns.total_connections);
  WriteCounter(&w, "memcached_connections_rejected_total",
               "Connections refused because max_connections was reached.",
               conns.rejected_connections);
  WriteGauge(&w, "memcached_max_connections", "Connection limit (-c).",
             static_cast<uint64_t>(ctx.settings.max_connections));
  WriteCounter(&w, "memcached_read_bytes_total", "Bytes read from client sockets.",
               conns.bytes_read);
  WriteCounter(&w, "memcached_written_bytes_total", "Bytes written to client sockets.",
               conns.bytes_written);

  const StoreStats st = ctx.store->stats();
  WriteGauge(&w, "memcached_current_items", "Items currently stored.", st.curr_items);
  WriteCounter(&w, "memcached_items_total", "Items ever stored.", st.total_items);
  WriteGauge(&w, "memcached_current_bytes",
             "Memory charged to stored items (header, key and value).", st.bytes);
  WriteGauge(&w, "memcached_limit_bytes", "Item memory limit (-m, cache_memlimit).",
             st.limit_maxbytes);
  WriteCounter(&w, "memcached_items_evicted_total",
               "Live items evicted to make room for new ones.", st.evictions);
  WriteCounter(&w, "memcached_items_evicted_unfetched_total",
               "Evicted items that were never read.", st.evicted_unfetched);
  WriteCounter(&w, "memcached_items_reclaimed_total",
               "Expired items whose memory was reused or freed.", st.reclaimed);
  WriteCounter(&w, "memcached_items_crawler_reclaimed_total",
               "Expired or flushed items freed by the background sweeper.",
               st.crawler_reclaimed);
  WriteCounter(&w, "memcached_items_expired_unfetched_total",
               "Expired items that were never read.", st.expired_unfetched);
  WriteCounter(&w, "memcached_malloc_fails_total",
               "Item allocations that failed even after evicting.", st.malloc_fails);

  if (loop_busy_) {
    const std::vector<uint64_t> busy = loop_busy_();
    if (!busy.empty()) {
      w.Family("memcached_event_loop_busy_seconds_total", "counter",
               "Time each I/O event loop spent running callbacks (not waiting "
               "for events), by loop thread.");
      for (size_t i = 0; i < busy.size(); ++i) {
        const std::string thread = "io" + std::to_string(i);
        w.Sample("memcached_event_loop_busy_seconds_total", {{"thread", thread}},
                 static_cast<double>(busy[i]) * 1e-9);
      }
    }
  }
  WriteGauge(&w, "memcached_io_threads", "Configured I/O threads (-t).",
             static_cast<uint64_t>(ctx.settings.threads));
  const int64_t uptime = ctx.store->Now() - ctx.start_time;
  WriteGauge(&w, "memcached_uptime_seconds", "Seconds since the server started.",
             static_cast<uint64_t>(uptime > 0 ? uptime : 0));
  WriteProcess(&w);
  return w.Release();
}

}  // namespace memcache
