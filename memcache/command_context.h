// CommandContext: what the command handlers of every connection share: the
// store, the counters, the settings "stats settings" reports, and hooks into
// the server that owns them (connection counts, shutdown).
//
// Owned by MemcacheServer (or a test) and outlives every CommandHandler that
// points to it. Fields are set before the first connection and then only
// read, except the atomics.
#ifndef MEMCACHE_COMMAND_CONTEXT_H_
#define MEMCACHE_COMMAND_CONTEXT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "memcache/command_metrics.h"
#include "memcache/prefix_stats.h"
#include "memcache/server_stats.h"
#include "memcache/store.h"

namespace memcache {

// Connection-level numbers kept by the socket layer.
struct ConnectionCounters {
  uint64_t curr_connections = 0;
  uint64_t total_connections = 0;
  uint64_t rejected_connections = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
};

// Start-up settings echoed by "stats" and "stats settings".
struct ServerSettings {
  // Known only once the listener is bound, while connections may already be
  // reading it ("stats settings"), hence atomic.
  std::atomic<uint16_t> tcp_port{0};
  std::string interface = "127.0.0.1";
  int max_connections = 1024;
  int threads = 4;
  int tcp_backlog = 1024;
  int idle_timeout_seconds = 0;
  bool enable_shutdown = false;
  bool flush_enabled = true;
  std::string auth_file;  // -Y path; empty: ASCII authentication off
  std::string engine = "event";
};

// Cumulative counters kept outside ServerStats (by the store and the socket
// layer) cannot be zeroed by "stats reset"; their values at the last reset
// are remembered and subtracted instead.
struct StatsBaseline {
  StoreStats store;
  ConnectionCounters connections;
};

struct CommandContext {
  Store* store = nullptr;
  ServerStats* stats = nullptr;
  PrefixStats* prefix_stats = nullptr;
  // Per-command counts and latencies for /metrics; null: not measured.
  CommandMetrics* metrics = nullptr;
  ServerSettings settings;
  int64_t start_time = 0;  // unix seconds, for "uptime"
  std::atomic<int> verbosity{0};
  // May be empty (tests without sockets): counters then read as zero.
  std::function<ConnectionCounters()> connection_counters;
  // "shutdown": asks the owner to stop. May be empty.
  std::function<void()> request_shutdown;

  std::mutex baseline_mu;
  StatsBaseline baseline;  // guarded by baseline_mu
};

}  // namespace memcache

#endif  // MEMCACHE_COMMAND_CONTEXT_H_
