// Server: listens on one address and serves connections on either engine.
//
// The event engine (default) runs `io_threads` libevent loops and spreads
// accepted connections across them round-robin. The threaded engine gives each
// connection a reader thread and a writer thread. Both call the same
// ConnectionHandler (one per connection, from `factory`).
//
// Start/Stop are called from one controlling thread. Stop is graceful: stop
// accepting, let connections flush what is queued, close them, join threads.
#ifndef SOCK_SERVER_H_
#define SOCK_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sock/connection.h"

namespace sock {

enum class Engine { kEvent, kThreaded };

// Parses "event" / "threaded"; returns false on anything else.
bool ParseEngine(const std::string& name, Engine* engine);
const char* EngineName(Engine engine);

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: pick a free port (see Server::port())
  Engine engine = Engine::kEvent;
  int io_threads = 4;       // event engine loops
  // Event engine: each I/O loop polls without sleeping for this long after
  // its last event (EventLoop::SetBusyPoll). For I/O threads that have a
  // core each; 0 sleeps at once when idle.
  std::chrono::microseconds busy_poll{0};
  // Event engine: batch each loop iteration's socket reads and writes into
  // one io_uring system call each (EventLoop::SetIoBatching); falls back to
  // plain system calls where io_uring is unavailable.
  bool io_batching = true;
  int backlog = 1024;
  int max_connections = 1024;  // past this, new connections are refused
  // Sent to a connection refused for max_connections before it is closed.
  std::string refuse_message = "SERVER_ERROR too many open connections\r\n";
  // Stop reading from a connection while its queued output exceeds the high
  // water mark; resume when it drains below the low water mark.
  size_t output_high_water = 4 << 20;
  size_t output_low_water = 1 << 20;
  size_t read_chunk = 64 << 10;  // bytes per read call
  // Close connections idle (no input consumed by the handler) for this
  // long; 0 disables.
  std::chrono::milliseconds idle_timeout{0};
  // How long Stop waits for connections to flush before closing them hard.
  std::chrono::milliseconds stop_grace{2000};
};

struct ServerStats {
  std::atomic<uint64_t> current_connections{0};
  std::atomic<uint64_t> total_connections{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> bytes_read{0};
  std::atomic<uint64_t> bytes_written{0};
};

class Server {
 public:
  Server(ServerOptions options, HandlerFactory factory);
  ~Server();  // Stop()s if running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads. On failure returns false and
  // sets *error (e.g. "bind 127.0.0.1:11211: Address already in use").
  bool Start(std::string* error);
  void Stop();
  // The bound port (useful with options.port == 0).
  uint16_t port() const;
  const ServerOptions& options() const;
  const ServerStats& stats() const;
  // Busy nanoseconds of each I/O event loop (EventLoop::busy_nanos), in
  // thread order; empty for the threaded engine or when not running. Any
  // thread, but not concurrently with Start or Stop.
  std::vector<uint64_t> LoopBusyNanos() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sock

#endif  // SOCK_SERVER_H_
