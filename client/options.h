// Plain option structs of the client library, filled by main/ from flags and
// by tests directly (no flags in libraries). Defaults suit a LAN memcached.
#ifndef CLIENT_OPTIONS_H_
#define CLIENT_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace client {

struct ServerAddress {
  std::string host = "127.0.0.1";
  uint16_t port = 11211;
  uint32_t weight = 1;  // ketama share (Cluster only)

  std::string ToString() const;  // "host:port"
};

// Parses "host", "host:port" or "host:port:weight" ("[v6addr]:port" too).
bool ParseServerAddress(std::string_view text, ServerAddress* out, std::string* error);
// Parses a comma- or space-separated list of addresses.
bool ParseServerList(std::string_view text, std::vector<ServerAddress>* out,
                     std::string* error);

struct SessionOptions {
  ServerAddress server;
  std::chrono::milliseconds connect_timeout{1000};
  // Deadline of a request that does not set its own; zero: no deadline.
  std::chrono::milliseconds request_timeout{2000};
  // When the connection has been idle this long, send "mn" to check the
  // server; zero disables heartbeats and the no-progress check below.
  std::chrono::milliseconds heartbeat_interval{1000};
  // If requests are in flight (heartbeat included) and nothing arrives for
  // this long, the server is considered down: the connection is dropped and
  // every pending request fails with kConnectionError.
  std::chrono::milliseconds heartbeat_timeout{2000};
  // Reconnect backoff after a failure: doubles from min up to max.
  bool reconnect = true;
  std::chrono::milliseconds reconnect_backoff_min{50};
  std::chrono::milliseconds reconnect_backoff_max{2000};
  // Resolution of the timer that checks deadlines and heartbeats while
  // requests are in flight (an idle session wakes only for heartbeats).
  std::chrono::milliseconds tick{10};
  // Bound on requests submitted and not yet completed. When reached, Submit
  // completes at once with kQueueFull, or blocks if block_when_full.
  size_t max_outstanding = 100000;
  bool block_when_full = false;
  // Busy polling of the session's own loop thread (sock::EventLoop::
  // SetBusyPoll): after handling an event it keeps polling this long before
  // sleeping, so a reply arriving within a round trip costs no wake-up of
  // the loop thread (on a VM an IPI and a scheduler round trip). 100 us made
  // one blocking caller ~1.9x faster (doc/client.md). The price: up to this
  // much CPU after each burst of traffic, which a library must not impose by
  // default; an idle session still sleeps (it wakes about once a second).
  // Zero (the default) always sleeps. Ignored when the Session runs on a
  // caller-provided loop; a Cluster applies it to its shared loop.
  std::chrono::microseconds busy_poll{0};
  // Batched socket I/O on the session's own loop (sock::EventLoop::
  // SetIoBatching): what many sessions sharing one loop read and write in an
  // iteration takes one io_uring system call. Same scope as busy_poll.
  bool io_batching = true;
};

struct ClusterOptions {
  std::vector<ServerAddress> servers;
  // Applied to every server's session (its `server` field is replaced).
  SessionOptions session;
  // Auto-eject (libmemcached's SERVER_FAILURE_LIMIT / RETRY_TIMEOUT): after
  // this many consecutive transport failures or timeouts a server leaves the
  // ring for retry_interval, then is tried again. Zero disables ejection.
  int failure_limit = 2;
  std::chrono::milliseconds retry_interval{2000};
};

}  // namespace client

#endif  // CLIENT_OPTIONS_H_
