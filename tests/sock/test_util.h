// Helpers for the sock/ tests: a line-echo ConnectionHandler written directly
// on the Connection interface (tests/sock links only libsock, not codec/), and
// a small blocking client socket with poll timeouts.
#ifndef TESTS_SOCK_TEST_UTIL_H_
#define TESTS_SOCK_TEST_UTIL_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sock/buffer.h"
#include "sock/connection.h"

namespace sock_test {

// Counters shared by every EchoLineHandler of one test.
struct EchoStats {
  std::atomic<int> opened{0};
  std::atomic<int> closed{0};
  std::atomic<size_t> max_pending{0};  // largest pending_output seen
  std::mutex mutex;
  std::vector<std::string> close_reasons;
  std::vector<sock::ConnectionPtr> connections;  // filled if keep_connections
  bool keep_connections = false;
};

// Echoes each "\n"-terminated line back with "\r\n" (after stripping "\r").
// "quit" closes gracefully, "abort" aborts, "chunks" answers with 1,000
// referenced 10-byte pieces and "\r\n".
class EchoLineHandler : public sock::ConnectionHandler {
 public:
  explicit EchoLineHandler(std::shared_ptr<EchoStats> stats)
      : stats_(std::move(stats)) {}
  ~EchoLineHandler() override;

  void OnOpen(sock::Connection* conn) override;
  void OnInput(sock::Connection* conn, sock::Buffer* input) override;
  void OnClose(sock::Connection* conn, std::string_view reason) override;

 private:
  std::shared_ptr<EchoStats> stats_;
  bool closed_ = false;
};

// A blocking TCP client on 127.0.0.1 with bounded waits.
class Client {
 public:
  Client() = default;
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // rcvbuf > 0 sets SO_RCVBUF before connecting.
  bool Connect(uint16_t port, int rcvbuf = 0);
  bool SendAll(const std::string& data);
  // Reads until `n` bytes have arrived (or EOF / error / timeout).
  std::string ReadExactly(size_t n, std::chrono::milliseconds timeout =
                                        std::chrono::seconds(10));
  // Reads until EOF; *eof says whether EOF was seen (vs timeout / error).
  std::string ReadToEof(bool* eof, std::chrono::milliseconds timeout =
                                       std::chrono::seconds(10));
  void ShutdownWrite();
  // Closes with a reset (SO_LINGER 0).
  void Reset();
  void Close();
  int fd() const { return fd_; }
  int last_errno() const { return last_errno_; }

 private:
  int fd_ = -1;
  int last_errno_ = 0;
};

// Waits (bounded) until pred() holds; returns its final value.
template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace sock_test

#endif  // TESTS_SOCK_TEST_UTIL_H_
