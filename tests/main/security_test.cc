// Security defaults of the server binary: it listens on loopback unless told
// otherwise, opens no UDP socket and refuses to be asked for one, "shutdown"
// is refused unless -A enabled it, and -Y turns on memcached's ASCII
// authentication.
#include <gtest/gtest.h>
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/server_process.h"
#include "tests/main/hostile_util.h"

namespace testing_util {
namespace {

using test_common::FindFreePort;
using test_common::MemcachedArgv;
using test_common::ServerProcess;

// Socket inodes of `pid`'s open fds.
std::set<std::string> SocketInodes(pid_t pid) {
  std::set<std::string> inodes;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return inodes;
  while (dirent* e = readdir(d)) {
    char target[256];
    ssize_t n = readlink((dir + "/" + e->d_name).c_str(), target, sizeof(target) - 1);
    if (n <= 0) continue;
    std::string link(target, static_cast<size_t>(n));
    if (link.rfind("socket:[", 0) == 0) inodes.insert(link.substr(8, link.size() - 9));
  }
  closedir(d);
  return inodes;
}

struct ProcNetEntry {
  std::string local;  // "0100007F:2B67"
  std::string state;  // "0A" = LISTEN for tcp
  std::string inode;
};

std::vector<ProcNetEntry> ReadProcNet(const std::string& file) {
  std::vector<ProcNetEntry> entries;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
    f >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
    entries.push_back({local, state, inode});
  }
  return entries;
}

// Runs argv to completion (at most 10 s) and returns its exit status; the
// child's stderr goes to *err.
int RunToExit(std::vector<std::string> argv, std::string* err) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  std::vector<char*> cargv;
  for (auto& s : argv) cargv.push_back(s.data());
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 2);
    close(pipefd[0]);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(pipefd[1]);
  int status = -1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof(buf))) > 0) err->append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  return status;
}

// True once `pid` has exited (a zombie awaiting its parent's waitpid).
bool WaitForExit(pid_t pid, int ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, comm, state;
    in >> pid_field >> comm >> state;
    if (!in || state == "Z" || state == "X") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string Binary() { return test_common::OurServerBinary(); }

TEST(SecurityDefaultsTest, ListensOnLoopbackOnlyByDefault) {
  ServerProcess server({Binary()});  // no -l
  ASSERT_TRUE(server.Start());
  std::set<std::string> mine = SocketInodes(server.pid());
  int listeners = 0;
  for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    for (const ProcNetEntry& e : ReadProcNet(file)) {
      if (e.state != "0A" || mine.count(e.inode) == 0) continue;
      ++listeners;
      EXPECT_EQ("0100007F", e.local.substr(0, e.local.find(':')))
          << file << ": listening on " << e.local;
    }
  }
  EXPECT_EQ(1, listeners);
}

TEST(SecurityDefaultsTest, OpensNoUdpSocket) {
  ServerProcess server({Binary()});
  ASSERT_TRUE(server.Start());
  std::set<std::string> mine = SocketInodes(server.pid());
  EXPECT_FALSE(mine.empty());
  for (const char* file : {"/proc/net/udp", "/proc/net/udp6"}) {
    for (const ProcNetEntry& e : ReadProcNet(file)) {
      EXPECT_EQ(0u, mine.count(e.inode)) << "UDP socket " << e.local;
    }
  }
}

TEST(SecurityDefaultsTest, RefusesToEnableUdp) {
  std::string err;
  int status = RunToExit({Binary(), "-p", std::to_string(FindFreePort()), "-U", "11211"}, &err);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_NE(0, WEXITSTATUS(status));
  EXPECT_NE(std::string::npos, err.find("UDP")) << err;
  // -U 0 (what memcached scripts pass to turn UDP off) is accepted.
  ServerProcess off({Binary(), "-U", "0"});
  EXPECT_TRUE(off.Start());
}

TEST(SecurityDefaultsTest, ShutdownRefusedWithoutA) {
  ServerProcess server({Binary()});
  ASSERT_TRUE(server.Start());
  EXPECT_EQ("ERROR: shutdown not enabled\r\nVERSION 1.6.18\r\n",
            Converse(server.port(), {"shutdown\r\nversion\r\n"}, 500));
  EXPECT_EQ("ERROR: shutdown not enabled\r\n",
            Converse(server.port(), {"shutdown graceful\r\n"}, 500));
  EXPECT_FALSE(WaitForExit(server.pid(), 200));
  EXPECT_EQ("VERSION 1.6.18\r\n", Converse(server.port(), {"version\r\n"}, 500));
}

TEST(SecurityDefaultsTest, ShutdownWithAStopsTheServer) {
  ServerProcess server({Binary(), "-A"});
  ASSERT_TRUE(server.Start());
  Converse(server.port(), {"shutdown\r\n"}, 500);
  EXPECT_TRUE(WaitForExit(server.pid(), 20000));
}

// memcached's t/ascii-auth.t against our binary with -Y, and the same
// conversation with memcached -Y for the exact bytes.
TEST(SecurityDefaultsTest, AsciiAuthFileLikeMemcached) {
  char path[] = "/tmp/memcache_authfile_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string contents = "foo:bar\nbaaaz:quux\n";
  ASSERT_EQ(static_cast<ssize_t>(contents.size()), write(fd, contents.data(), contents.size()));
  close(fd);
  const std::vector<std::string> script = {
      "set foo 0 0 2\r\nhi\r\n",  "get foo\r\n",
      "set foo 0 0 7\r\nfoo bab\r\n", "set foo 0 0 7\r\nfoo bar\r\n",
      "set toast 0 0 2\r\nhi\r\n", "get toast\r\n"};
  const std::string expected =
      "CLIENT_ERROR bad authentication token format\r\n"
      "CLIENT_ERROR unauthenticated\r\n"
      "CLIENT_ERROR authentication failure\r\n"
      "STORED\r\nSTORED\r\nVALUE toast 0 2\r\nhi\r\nEND\r\n";
  ServerProcess ours({Binary(), "-Y", path});
  ASSERT_TRUE(ours.Start());
  EXPECT_EQ(expected, Converse(ours.port(), script, 300));
  // A second connection authenticates with the second entry.
  EXPECT_EQ("STORED\r\nSTORED\r\nVALUE toast2 0 2\r\nho\r\nEND\r\n",
            Converse(ours.port(), {"set foo 0 0 10\r\nbaaaz quux\r\n",
                                   "set toast2 0 0 2\r\nho\r\n", "get toast2\r\n"},
                     300));
  // Without logging in, nothing is readable.
  EXPECT_EQ("CLIENT_ERROR unauthenticated\r\n", Converse(ours.port(), {"get toast\r\n"}, 300));
  ServerProcess ref(MemcachedArgv({"-Y", path}));
  if (ref.Start()) {
    EXPECT_EQ(Converse(ref.port(), script, 300), Converse(ours.port(), script, 300));
    ref.Kill();
  }
  // A missing or malformed file stops the server at start-up.
  std::string err;
  int status = RunToExit({Binary(), "-p", std::to_string(FindFreePort()), "-Y",
                          "/nonexistent/authfile"},
                         &err);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << err;
  unlink(path);
}

}  // namespace
}  // namespace testing_util
