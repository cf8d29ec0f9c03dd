// ConnectionOptions: the knobs both engines' connections share, filled by
// Server (from ServerOptions) and by Connect (from ConnectOptions).
#ifndef SOCK_CONNECTION_OPTIONS_H_
#define SOCK_CONNECTION_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <functional>

#include "sock/connection.h"

namespace sock {

struct ServerStats;

struct ConnectionOptions {
  // Back-pressure: stop reading while queued output exceeds the high water
  // mark, resume once it drains below the low water mark.
  size_t output_high_water = 4 << 20;
  size_t output_low_water = 1 << 20;
  size_t read_chunk = 64 << 10;
  // Close after this long without input the handler consumed (bytes that
  // only pile up in the input buffer, like a slowloris's, do not count);
  // 0 disables.
  std::chrono::milliseconds idle_timeout{0};
  // After a Close() we send FIN and keep reading (discarding) until the peer's
  // FIN, at most this long, so unread input never turns our close into a
  // reset that destroys replies still in flight.
  std::chrono::milliseconds linger_timeout{1000};
  // Optional counters (bytes_read, bytes_written); may be null.
  ServerStats* stats = nullptr;
  // Called once, after OnClose, on the thread that closed the connection
  // (event engine: the loop thread; threaded engine: the reader thread).
  std::function<void(const ConnectionPtr&)> on_closed;
};

}  // namespace sock

#endif  // SOCK_CONNECTION_OPTIONS_H_
