// Connect: the client side of sock/. Opens a TCP connection to host:port with
// a timeout and wraps it in a Connection of the chosen engine, driven by the
// given handler (the same ConnectionHandler / CodecHandler classes servers use).
//
// Threads and ownership:
// - Connect blocks the calling thread for at most `timeout` (name lookup plus
//   TCP handshake). Do not call it on an EventLoop thread in latency-critical
//   code; it is safe there, only blocking.
// - Event engine: the connection lives on `options.loop`, which the caller
//   owns and runs (e.g. with an EventLoopThread). Handler callbacks (OnOpen,
//   OnInput, OnClose) run on that loop's thread. When Connect returns, the
//   connection may still be being registered on the loop; Send/Close/Abort
//   are already safe from any thread (they are queued in order). Destroying
//   the loop aborts connections still open on it (their OnClose runs on the
//   destroying thread); afterwards Send/Close/Abort on them are no-ops.
// - Threaded engine: the connection starts its own reader thread (which runs
//   the handler callbacks) and writer thread; they end after the connection
//   closes. The destructor joins them, so drop your last ConnectionPtr after
//   Close()/Abort() (or after OnClose), not from inside a handler callback
//   unless you are fine with the reader thread being detached at its end.
// - The connection keeps itself alive while open: dropping every ConnectionPtr
//   does not close it; call Close() or Abort().
// - OnClose is called exactly once per connection.
#ifndef SOCK_CONNECTOR_H_
#define SOCK_CONNECTOR_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sock/connection.h"
#include "sock/server.h"  // Engine

namespace sock {

class EventLoop;
struct ServerStats;

struct ConnectOptions {
  std::string host = "127.0.0.1";  // name or numeric address
  uint16_t port = 0;
  std::chrono::milliseconds timeout{1000};  // lookup + connect
  Engine engine = Engine::kEvent;
  EventLoop* loop = nullptr;  // required for Engine::kEvent
  size_t output_high_water = 4 << 20;
  size_t output_low_water = 1 << 20;
  size_t read_chunk = 64 << 10;
  std::chrono::milliseconds idle_timeout{0};  // 0: never
  bool tcp_nodelay = true;
  ServerStats* stats = nullptr;  // optional byte counters
};

// Returns the connected Connection, or nullptr with *error set (e.g.
// "connect 127.0.0.1:1: Connection refused", "connect ...: timed out").
// `handler` is owned by the connection from then on (destroyed on failure).
ConnectionPtr Connect(const ConnectOptions& options,
                      std::unique_ptr<ConnectionHandler> handler,
                      std::string* error);

// Non-blocking variant for code running on an event loop (e.g. reconnects):
// the TCP handshake runs on `options.loop` (required, for both engines) and
// never blocks it, except for a name lookup when `host` is not numeric.
// `done` runs exactly once on the loop thread: with the connection (its
// OnOpen has already run) and an empty error, or with nullptr and an error
// ("connect 127.0.0.1:1: Connection refused", "...: timed out",
// "connect ...: event loop destroyed"). Callable from any thread; `done`
// never runs inside ConnectAsync itself.
using ConnectCallback =
    std::function<void(ConnectionPtr conn, const std::string& error)>;
void ConnectAsync(const ConnectOptions& options,
                  std::unique_ptr<ConnectionHandler> handler,
                  ConnectCallback done);

}  // namespace sock

#endif  // SOCK_CONNECTOR_H_
