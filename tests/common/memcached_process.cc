#include "tests/common/memcached_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace test_common {

uint16_t FindFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool PortAccepts(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

MemcachedProcess::MemcachedProcess(uint16_t port, std::vector<std::string> extra)
    : port_(port == 0 ? FindFreePort() : port), extra_(std::move(extra)) {}

MemcachedProcess::~MemcachedProcess() { Kill(); }

bool MemcachedProcess::Start() {
  if (pid_ > 0) return true;
  std::vector<std::string> args = {binary_, "-p", std::to_string(port_), "-l",
                                   "127.0.0.1", "-U", "0", "-m", "64"};
  // memcached refuses to run as root without -u; ours has no -u.
  if (geteuid() == 0 && binary_ == "memcached") {
    args.push_back("-u");
    args.push_back("root");
  }
  args.insert(args.end(), extra_.begin(), extra_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    error_ = std::string("fork: ") + strerror(errno);
    return false;
  }
  if (pid == 0) {
    execvp(binary_.c_str(), argv.data());
    _exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "memcached exited with status " + std::to_string(status);
      return false;
    }
    if (PortAccepts(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  error_ = "memcached did not accept on port " + std::to_string(port_);
  Kill();
  return false;
}

void MemcachedProcess::Kill() {
  if (pid_ <= 0) return;
  if (paused_) Resume();
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void MemcachedProcess::Pause() {
  if (pid_ <= 0 || kill(pid_, SIGSTOP) != 0) return;
  paused_ = true;
  // SIGSTOP is delivered asynchronously: wait until the child really stopped,
  // or it may still answer a request sent right after Pause returns.
  int status = 0;
  while (waitpid(pid_, &status, WUNTRACED) < 0 && errno == EINTR) {
  }
}

void MemcachedProcess::Resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
  paused_ = false;
}

std::string OurServerBinary() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  std::string exe = n > 0 ? std::string(path, static_cast<size_t>(n)) : "build/tests/x";
  std::string dir = exe.substr(0, exe.rfind('/'));         // .../build/tests
  return dir.substr(0, dir.rfind('/')) + "/bin/memcache_server";
}

}  // namespace test_common
