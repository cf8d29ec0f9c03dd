// ServerProcess: a server binary (ours, or the installed memcached 1.6 as a
// reference) run as a child process on a loopback port for one test.
//
// Start() forks and execs `argv` plus "-p <port>" and waits (at most 10 s)
// until the port accepts connections. The destructor ends a server that is
// still running: ours as Stop() does, any other program as Kill() does.
// Used from one test thread.
#ifndef TESTS_COMMON_SERVER_PROCESS_H_
#define TESTS_COMMON_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace test_common {

// A blocking listening socket on 127.0.0.1 at a free port (stored in
// *port), for fake servers in tests; -1 on failure.
int ListenLoopback(uint16_t* port);

// A loopback TCP port that was free a moment ago (bind port 0, read it back).
uint16_t FindFreePort();

// A blocking TCP connection to 127.0.0.1:port with TCP_NODELAY, or -1.
int ConnectTo(uint16_t port);

// The folder of this test binary's sibling build outputs: "<build>/bin" for
// "<build>/tests/main_tests".
std::string BuildBinDir();
// Our memcache_server in BuildBinDir().
std::string OurServerBinary();

// Command lines without "-p": our server and the reference memcached, both on
// 127.0.0.1 only, each followed by `extra`. memcached also gets "-U 0" (no
// UDP) and, when we run as root, "-u root" (it refuses to run as root without).
std::vector<std::string> OurServerArgv(std::vector<std::string> extra = {});
std::vector<std::string> MemcachedArgv(std::vector<std::string> extra = {});

class ServerProcess {
 public:
  // `argv`: the program (looked up in PATH) and its options, without "-p".
  // port 0: Start picks a free one, and another if the server exits at once
  // (the port may have been taken in between).
  explicit ServerProcess(std::vector<std::string> argv, uint16_t port = 0);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server; false if it did not come up (see error()).
  bool Start();
  // SIGTERM (after SIGCONT, in case it is paused), then SIGKILL if it has not
  // exited within 15 s. Returns the status waitpid reports, -1 if not running.
  int Stop();
  // SIGKILL and reap; returns the status as Stop does.
  int Kill();
  // SIGSTOP / SIGCONT: the server keeps its socket but stops answering.
  void Pause();
  void Resume();

  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }

 private:
  // One fork/exec on port_ and the wait for it to accept.
  bool Launch();
  int Reap(bool hard);

  std::vector<std::string> argv_;
  const bool fixed_port_;
  uint16_t port_;
  pid_t pid_ = -1;
  std::string error_;
};

}  // namespace test_common

#endif  // TESTS_COMMON_SERVER_PROCESS_H_
