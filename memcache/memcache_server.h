// MemcacheServer: the whole cache server. Wires a sock::Server (either
// engine), one TextCodec + CommandHandler per connection, the shared Store and
// counters, and a background sweeper thread that reclaims expired items.
//
// Threads: Start, Stop, WaitForShutdown are called from one controlling
// thread. RequestShutdown may be called from any thread (the "shutdown"
// command calls it from an I/O thread); it only wakes WaitForShutdown.
#ifndef MEMCACHE_MEMCACHE_SERVER_H_
#define MEMCACHE_MEMCACHE_SERVER_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "memcache/command_context.h"
#include "memcache/prefix_stats.h"
#include "memcache/server_stats.h"
#include "memcache/store.h"
#include "sock/server.h"

namespace memcache {

struct MemcacheServerOptions {
  sock::ServerOptions server;  // address, port, engine, threads, limits
  StoreOptions store;          // memory limit, max item size
  bool enable_shutdown = false;  // -A: allow the "shutdown" command
  bool flush_enabled = true;
  int verbosity = 0;
  // The sweeper wakes this often and frees up to sweep_batch expired items.
  std::chrono::milliseconds sweep_interval{1000};
  size_t sweep_batch = 20000;
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
  Store& store() { return *store_; }
  ServerStats& stats() { return stats_; }
  const MemcacheServerOptions& options() const { return options_; }

 private:
  void SweepLoop();

  MemcacheServerOptions options_;
  std::unique_ptr<Store> store_;
  ServerStats stats_;
  PrefixStats prefix_stats_;
  CommandContext context_;
  std::unique_ptr<sock::Server> server_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool shutdown_requested_ = false;  // guarded by mu_
  bool stopping_ = false;            // guarded by mu_; ends the sweeper
  std::thread sweeper_;
  bool running_ = false;
};

}  // namespace memcache

#endif  // MEMCACHE_MEMCACHE_SERVER_H_
