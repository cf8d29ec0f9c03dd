// RawClient: a blocking loopback connection with read timeouts, for tests
// that look at the exact bytes a server sends. Used from one thread.
#ifndef TESTS_COMMON_RAW_CLIENT_H_
#define TESTS_COMMON_RAW_CLIENT_H_

#include <cstdint>
#include <string>

namespace test_common {

class RawClient {
 public:
  explicit RawClient(uint16_t port, int timeout_ms = 3000);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

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

}  // namespace test_common

#endif  // TESTS_COMMON_RAW_CLIENT_H_
