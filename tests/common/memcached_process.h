// MemcachedProcess: a real memcached (the installed 1.6.x binary) run as a
// child process on a loopback port for the length of a test.
//
// Start() forks and execs `memcached -p PORT -l 127.0.0.1 -U 0 -m 64` and
// waits (at most 5 s) until the port accepts connections. The destructor
// kills the process (SIGCONT first, in case a test paused it) and reaps it.
// Used from one test thread.
#ifndef TESTS_COMMON_MEMCACHED_PROCESS_H_
#define TESTS_COMMON_MEMCACHED_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace test_common {

// A loopback TCP port that was free a moment ago (bind port 0, read it back).
uint16_t FindFreePort();

// Whether something accepts TCP connections on 127.0.0.1:port right now.
bool PortAccepts(uint16_t port);

class MemcachedProcess {
 public:
  // port 0: pick a free one. `extra` is appended to the command line.
  explicit MemcachedProcess(uint16_t port = 0, std::vector<std::string> extra = {});
  ~MemcachedProcess();
  MemcachedProcess(const MemcachedProcess&) = delete;
  MemcachedProcess& operator=(const MemcachedProcess&) = delete;

  // Starts the server; false if it did not come up (see error()).
  bool Start();
  // SIGKILL and reap. Idempotent.
  void Kill();
  // SIGSTOP / SIGCONT: the server keeps its socket but stops answering.
  void Pause();
  void Resume();

  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }

  // The server program: "memcached" (from PATH, the default) or a path, e.g.
  // OurServerBinary(). Call before Start.
  void set_binary(std::string binary) { binary_ = std::move(binary); }

 private:
  std::string binary_ = "memcached";
  uint16_t port_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  bool paused_ = false;
  std::string error_;
};

// Our memcache_server next to the running test binary
// (build/tests/x_tests -> build/bin/memcache_server).
std::string OurServerBinary();

}  // namespace test_common

#endif  // TESTS_COMMON_MEMCACHED_PROCESS_H_
