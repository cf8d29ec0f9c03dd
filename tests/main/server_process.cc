#include "tests/main/server_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace testing_util {

int ConnectTo(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

uint16_t PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string BuildBinDir() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return "build/bin";
  std::string exe(path, static_cast<size_t>(n));
  std::string dir = exe.substr(0, exe.rfind('/'));     // .../build/tests
  return dir.substr(0, dir.rfind('/')) + "/bin";       // .../build/bin
}

std::vector<std::string> OurServerArgv(std::vector<std::string> extra) {
  std::vector<std::string> argv{BuildBinDir() + "/memcache_server", "-l",
                                "127.0.0.1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

std::vector<std::string> MemcachedArgv(std::vector<std::string> extra) {
  std::vector<std::string> argv{"memcached", "-l", "127.0.0.1", "-U", "0"};
  if (geteuid() == 0) {
    argv.push_back("-u");
    argv.push_back("root");
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

ServerProcess::ServerProcess(std::vector<std::string> argv) {
  for (int attempt = 0; attempt < 5 && !started_; ++attempt) {
    port_ = PickFreePort();
    std::vector<std::string> full = argv;
    full.push_back("-p");
    full.push_back(std::to_string(port_));
    std::vector<char*> cargv;
    for (auto& s : full) cargv.push_back(s.data());
    cargv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      execvp(cargv[0], cargv.data());
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;  // exited: port taken or bad binary; maybe try another port
      }
      int fd = ConnectTo(port_);
      if (fd >= 0) {
        close(fd);
        started_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!started_ && pid_ > 0) Stop();
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGCONT);
  kill(pid_, SIGTERM);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (true) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return status;
}

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

}  // namespace testing_util
