#include "tests/common/raw_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "tests/common/server_process.h"

namespace test_common {

RawClient::RawClient(uint16_t port, int timeout_ms)
    : fd_(ConnectTo(port)), timeout_ms_(timeout_ms) {}

RawClient::~RawClient() {
  if (fd_ >= 0) close(fd_);
}

bool RawClient::Send(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string RawClient::ReadUntil(const std::string& suffix) {
  std::string data;
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  char buf[65536];
  while (data.size() < suffix.size() ||
         data.compare(data.size() - suffix.size(), suffix.size(), suffix) != 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

std::string RawClient::ReadAll() { return ReadUntil(std::string(1, '\0') + "\xff<eof>"); }

void RawClient::ShutdownWrite() { shutdown(fd_, SHUT_WR); }

}  // namespace test_common
