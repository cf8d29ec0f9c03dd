// MemcacheServer: the whole cache server. Wires a sock::Server (either
// engine), one TextCodec + CommandHandler per connection, the shared Store and
// counters, and a background sweeper thread that reclaims expired items.
//
// Threads: Start, Stop, WaitForShutdown are called from one controlling
// thread. RequestShutdown may be called from any thread (the "shutdown"
// command calls it from an I/O thread); it only wakes WaitForShutdown.
//
// With metrics_enabled, a MetricsExporter thread serves the Prometheus page
// (MetricsCollector) on its own port; see doc/observability.md.
#ifndef MEMCACHE_MEMCACHE_SERVER_H_
#define MEMCACHE_MEMCACHE_SERVER_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "memcache/auth_file.h"
#include "memcache/command_context.h"
#include "memcache/command_metrics.h"
#include "memcache/metrics_collector.h"
#include "memcache/metrics_exporter.h"
#include "memcache/prefix_stats.h"
#include "memcache/server_stats.h"
#include "memcache/store.h"
#include "sock/server.h"

namespace memcache {

struct MemcacheServerOptions {
  sock::ServerOptions server;  // address, port, engine, threads, limits
  StoreOptions store;          // memory limit, max item size
  bool enable_shutdown = false;  // -A: allow the "shutdown" command
  // -Y: memcached's ASCII authentication; null = off. auth_file is the path,
  // echoed by "stats settings".
  std::shared_ptr<const AuthFile> auth;
  std::string auth_file;
  bool flush_enabled = true;
  int verbosity = 0;
  // The sweeper wakes this often and frees up to sweep_batch expired items.
  // It walks them sweep_chunk at a time with sweep_pause between chunks: a
  // walk touches cold memory (about 40 us per 1,000 items), and one walk of
  // the whole batch would hold an I/O thread's core for close to a
  // millisecond, a latency spike for every request waiting on that core.
  std::chrono::milliseconds sweep_interval{1000};
  size_t sweep_batch = 20000;
  size_t sweep_chunk = 1000;
  std::chrono::milliseconds sweep_pause{1};
  // Prometheus endpoint (http://metrics_address:metrics_port/metrics); port
  // 0 with metrics_enabled picks a free port (see metrics_port()).
  bool metrics_enabled = false;
  std::string metrics_address = "127.0.0.1";
  uint16_t metrics_port = 0;
};

class MemcacheServer {
 public:
  explicit MemcacheServer(MemcacheServerOptions options);
  ~MemcacheServer();  // Stop()s if running
  MemcacheServer(const MemcacheServer&) = delete;
  MemcacheServer& operator=(const MemcacheServer&) = delete;

  // Binds and starts serving. On failure returns false and sets *error.
  bool Start(std::string* error);
  // Graceful: stops accepting, flushes connections, joins every thread.
  void Stop();

  // Blocks until RequestShutdown is called.
  void WaitForShutdown();
  void RequestShutdown();

  uint16_t port() const;
  // The bound metrics port; 0 when the endpoint is off.
  uint16_t metrics_port() const;
  // The page /metrics serves (also usable without the endpoint). Any
  // thread, but not concurrently with Start or Stop.
  std::string RenderMetrics() const { return collector_->Render(); }
  CommandMetrics& command_metrics() { return command_metrics_; }
  Store& store() { return *store_; }
  ServerStats& stats() { return stats_; }
  const MemcacheServerOptions& options() const { return options_; }

 private:
  void SweepLoop();

  MemcacheServerOptions options_;
  std::unique_ptr<Store> store_;
  ServerStats stats_;
  CommandMetrics command_metrics_;
  PrefixStats prefix_stats_;
  CommandContext context_;
  std::unique_ptr<sock::Server> server_;
  std::unique_ptr<MetricsCollector> collector_;
  std::unique_ptr<MetricsExporter> exporter_;  // null when metrics are off

  std::mutex mu_;
  std::condition_variable cv_;
  bool shutdown_requested_ = false;  // guarded by mu_
  bool stopping_ = false;            // guarded by mu_; ends the sweeper
  std::thread sweeper_;
  bool running_ = false;
};

}  // namespace memcache

#endif  // MEMCACHE_MEMCACHE_SERVER_H_
