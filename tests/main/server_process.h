// ServerProcess: runs a server binary (ours or memcached) as a child process
// on a free loopback port for a test, and stops it in the destructor.
#ifndef TESTS_MAIN_SERVER_PROCESS_H_
#define TESTS_MAIN_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace testing_util {

// A blocking TCP connection to 127.0.0.1:port with TCP_NODELAY, or -1.
int ConnectTo(uint16_t port);

// A port that was free a moment ago (bind to port 0 on 127.0.0.1, read it back).
uint16_t PickFreePort();

// The directory holding this test binary's sibling build outputs, e.g.
// "build/bin" for "build/tests/main_tests".
std::string BuildBinDir();

class ServerProcess {
 public:
  // `argv` without the port: "-p <port>" is appended. Waits until the server
  // accepts connections (up to 10 s); started() says whether it did.
  explicit ServerProcess(std::vector<std::string> argv);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return started_; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends SIGTERM and waits (up to 5 s, then SIGKILL). Returns the exit status
  // as waitpid reports it.
  int Stop();

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  bool started_ = false;
};

// Our server and the reference memcached 1.6.18, each with `extra` options.
std::vector<std::string> OurServerArgv(std::vector<std::string> extra = {});
std::vector<std::string> MemcachedArgv(std::vector<std::string> extra = {});

// A blocking loopback client connection with timeouts, for byte-level tests.
class RawClient {
 public:
  explicit RawClient(uint16_t port, int timeout_ms = 3000);
  ~RawClient();
  bool connected() const { return fd_ >= 0; }
  bool Send(const std::string& bytes);
  // Reads until `suffix` ends the data read so far, EOF, or the timeout.
  std::string ReadUntil(const std::string& suffix);
  // Reads until EOF or timeout.
  std::string ReadAll();
  void ShutdownWrite();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  int timeout_ms_;
};

}  // namespace testing_util

#endif  // TESTS_MAIN_SERVER_PROCESS_H_
