#include "tests/common/server_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

namespace test_common {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kStartTimeout = std::chrono::seconds(10);
// Generous: a loaded machine running a sanitizer build can take seconds to
// flush and exit, and a SIGKILL there would fail the graceful-stop tests.
constexpr auto kStopTimeout = std::chrono::seconds(15);
constexpr auto kPollInterval = std::chrono::milliseconds(10);
constexpr int kStartAttempts = 5;

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

}  // namespace

int ListenLoopback(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

uint16_t FindFreePort() {
  uint16_t port = 0;
  int fd = ListenLoopback(&port);
  if (fd < 0) return 0;
  close(fd);
  return port;
}

int ConnectTo(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = Loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

std::string BuildBinDir() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return "build/bin";
  std::string exe(path, static_cast<size_t>(n));
  std::string dir = exe.substr(0, exe.rfind('/'));  // .../build/tests
  return dir.substr(0, dir.rfind('/')) + "/bin";    // .../build/bin
}

std::string OurServerBinary() { return BuildBinDir() + "/memcache_server"; }

std::vector<std::string> OurServerArgv(std::vector<std::string> extra) {
  std::vector<std::string> argv{OurServerBinary(), "-l", "127.0.0.1"};
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

ServerProcess::ServerProcess(std::vector<std::string> argv, uint16_t port)
    : argv_(std::move(argv)), fixed_port_(port != 0), port_(port) {}

ServerProcess::~ServerProcess() {
  // Our server leaves through its real shutdown path (where sanitizer builds
  // check it for leaks); memcached would act on SIGTERM only at its next
  // one-second clock tick, and how it stops is none of our business.
  if (!argv_.empty() && argv_[0] == OurServerBinary()) {
    Stop();
  } else {
    Kill();
  }
}

bool ServerProcess::Start() {
  if (pid_ > 0) return true;
  for (int attempt = 0; attempt < (fixed_port_ ? 1 : kStartAttempts); ++attempt) {
    if (!fixed_port_) port_ = FindFreePort();
    if (Launch()) return true;
  }
  return false;
}

bool ServerProcess::Launch() {
  // Everything the child needs is built before fork: after it, in a
  // multi-threaded test, only async-signal-safe calls are allowed.
  std::vector<std::string> args = argv_;
  args.push_back("-p");
  args.push_back(std::to_string(port_));
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    error_ = std::string("fork: ") + strerror(errno);
    return false;
  }
  if (pid == 0) {
    execvp(cargv[0], cargv.data());
    _exit(127);
  }
  pid_ = pid;
  const auto deadline = Clock::now() + kStartTimeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = args[0] + " exited with status " + std::to_string(status);
      return false;
    }
    int fd = ConnectTo(port_);
    if (fd >= 0) {
      close(fd);
      return true;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  error_ = args[0] + " did not accept on port " + std::to_string(port_);
  Kill();
  return false;
}

int ServerProcess::Stop() { return Reap(/*hard=*/false); }

int ServerProcess::Kill() { return Reap(/*hard=*/true); }

int ServerProcess::Reap(bool hard) {
  if (pid_ <= 0) return -1;
  // A stopped process leaves SIGTERM pending: continue it first.
  kill(pid_, SIGCONT);
  int status = 0;
  bool exited = false;
  if (!hard) {
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + kStopTimeout;
    while (!exited && Clock::now() < deadline) {
      exited = waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) std::this_thread::sleep_for(kPollInterval);
    }
  }
  if (!exited) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  return status;
}

void ServerProcess::Pause() {
  if (pid_ <= 0 || kill(pid_, SIGSTOP) != 0) return;
  // SIGSTOP is delivered asynchronously: wait until the child really stopped,
  // or it may still answer a request sent right after Pause returns.
  int status = 0;
  while (waitpid(pid_, &status, WUNTRACED) < 0 && errno == EINTR) {
  }
}

void ServerProcess::Resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

}  // namespace test_common
