#include "tests/main/hostile_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>

#include "tests/common/server_process.h"

namespace testing_util {

using test_common::ConnectTo;
using test_common::MemcachedArgv;

bool UnderSanitizer() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

long VmRssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      long kb = 0;
      fields >> kb;
      return kb;
    }
  }
  return 0;
}

long RaiseFdLimit(long want) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  rlim_t target = static_cast<rlim_t>(want);
  if (lim.rlim_max != RLIM_INFINITY && target > lim.rlim_max) target = lim.rlim_max;
  if (target > lim.rlim_cur) {
    lim.rlim_cur = target;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  return static_cast<long>(lim.rlim_cur);
}

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

bool SendAll(int fd, const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string ReadFor(int fd, int ms, bool* eof) {
  std::string data;
  if (eof != nullptr) *eof = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      if (eof != nullptr) *eof = true;
      break;
    }
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

std::string ReadQuiet(int fd, int first_ms, int gap_ms, bool* eof) {
  std::string data;
  *eof = false;
  const auto first_deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(first_ms);
  char buf[65536];
  for (;;) {
    long wait = gap_ms;
    if (data.empty()) {
      wait = std::chrono::duration_cast<std::chrono::milliseconds>(
                 first_deadline - std::chrono::steady_clock::now())
                 .count();
      if (wait <= 0) break;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait)) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      *eof = true;
      break;
    }
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

bool WaitForEof(int fd, int ms, std::string* data) {
  bool eof = false;
  std::string got = ReadFor(fd, ms, &eof);
  if (data != nullptr) *data = got;
  return eof;
}

std::string Converse(uint16_t port, const std::vector<std::string>& parts,
                     int settle_ms) {
  int fd = ConnectTo(port);
  if (fd < 0) return "<connect failed>";
  std::string out;
  bool eof = false;
  for (const std::string& part : parts) {
    if (!SendAll(fd, part)) break;
    out += ReadQuiet(fd, settle_ms, 60, &eof);
    if (eof) break;
  }
  // A conversation ending in "version" is complete once its reply is in,
  // however slowly the bytes before it came.
  const std::string version_reply = "VERSION 1.6.18\r\n";
  const std::string& last = parts.empty() ? std::string() : parts.back();
  if (last.size() >= 9 && last.compare(last.size() - 9, 9, "version\r\n") == 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!eof && std::chrono::steady_clock::now() < deadline &&
           (out.size() < version_reply.size() ||
            out.compare(out.size() - version_reply.size(), version_reply.size(),
                        version_reply) != 0)) {
      out += ReadQuiet(fd, 100, 60, &eof);
    }
  }
  if (eof) out += "<eof>";
  close(fd);
  return out;
}

std::vector<std::string> MemcachedAsciiArgv(std::vector<std::string> extra) {
  std::vector<std::string> args{"-B", "ascii"};
  args.insert(args.end(), extra.begin(), extra.end());
  return MemcachedArgv(args);
}

std::string PseudoRandomBytes(uint64_t seed, size_t n) {
  std::string out(n, '\0');
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

}  // namespace testing_util
