// Graceful stop under load: several clients pipeline thousands of requests
// while the server is stopped (in process with Stop(), and as a binary with
// SIGTERM / SIGINT).
//
// What "loses no reply" means here: the server answers every request it has
// read, in order, then closes; a client sees a complete, in-order prefix of
// its replies (never a torn one) followed by EOF. Requests still in flight
// in the kernel when the server stopped reading are not answered, and cannot
// be: the server never saw them. In process we check the stronger form:
// the number of requests the server executed equals the number of replies
// the clients received. The binary must exit 0.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "memcache/command_metrics.h"
#include "memcache/memcache_server.h"
#include "tests/common/raw_client.h"
#include "tests/common/server_process.h"

namespace memcache {
namespace {

using test_common::RawClient;

// One connection, a writer thread pipelining "set k v" / "get k" pairs and a
// reader thread checking every reply byte against what it must be.
class PipelineClient {
 public:
  PipelineClient(uint16_t port, int id) : conn_(port, 10000), id_(id) {}
  ~PipelineClient() { Join(); }

  bool connected() const { return conn_.connected(); }
  void Start() {
    writer_ = std::thread([this] { WriteLoop(); });
    reader_ = std::thread([this] { ReadLoop(); });
  }
  void Join() {
    if (writer_.joinable()) writer_.join();
    if (reader_.joinable()) reader_.join();
  }

  uint64_t replies() const { return replies_.load(); }
  uint64_t requests_sent() const { return sent_.load(); }
  bool clean_eof() const { return clean_eof_; }
  const std::string& error() const { return error_; }

 private:
  static constexpr uint64_t kMaxRequests = 2000000;  // a bound, never reached

  std::string Key(uint64_t pair) const {
    return "c" + std::to_string(id_) + "_" + std::to_string(pair);
  }
  std::string Value(uint64_t pair) const { return "v" + std::to_string(pair * 7); }
  std::string Request(uint64_t n) const {
    const uint64_t pair = n / 2;
    if (n % 2 == 0) {
      return "set " + Key(pair) + " 0 0 " + std::to_string(Value(pair).size()) +
             "\r\n" + Value(pair) + "\r\n";
    }
    return "get " + Key(pair) + "\r\n";
  }
  std::string Reply(uint64_t n) const {
    const uint64_t pair = n / 2;
    if (n % 2 == 0) return "STORED\r\n";
    return "VALUE " + Key(pair) + " 0 " + std::to_string(Value(pair).size()) +
           "\r\n" + Value(pair) + "\r\nEND\r\n";
  }

  void WriteLoop() {
    uint64_t n = 0;
    while (n < kMaxRequests && !stop_writing_.load()) {
      std::string chunk;
      const uint64_t first = n;
      for (int i = 0; i < 64; ++i) chunk += Request(n++);
      size_t off = 0;
      while (off < chunk.size()) {
        ssize_t w = send(conn_.fd(), chunk.data() + off, chunk.size() - off,
                         MSG_NOSIGNAL);
        if (w <= 0) {
          // The server is gone; requests of this chunk were not all sent.
          shutdown(conn_.fd(), SHUT_WR);
          return;
        }
        off += static_cast<size_t>(w);
      }
      sent_.store(first + 64);
    }
    shutdown(conn_.fd(), SHUT_WR);
  }

  void ReadLoop() {
    std::string pending;
    uint64_t next = 0;
    std::string expected = Reply(0);
    char buf[65536];
    while (true) {
      pollfd p{conn_.fd(), POLLIN, 0};
      if (poll(&p, 1, 10000) <= 0) {
        error_ = "timed out waiting for replies or EOF";
        break;
      }
      ssize_t r = recv(conn_.fd(), buf, sizeof(buf), 0);
      if (r == 0) {
        clean_eof_ = true;
        if (!pending.empty()) {
          error_ = "torn reply at EOF: '" + pending.substr(0, 80) + "'";
        }
        break;
      }
      if (r < 0) {
        error_ = std::string("recv: ") + strerror(errno);
        break;
      }
      pending.append(buf, static_cast<size_t>(r));
      size_t used = 0;
      while (pending.size() - used >= expected.size()) {
        if (pending.compare(used, expected.size(), expected) != 0) {
          error_ = "reply " + std::to_string(next) + " is '" +
                   pending.substr(used, expected.size()) + "', expected '" +
                   expected + "'";
          break;
        }
        used += expected.size();
        expected = Reply(++next);
      }
      pending.erase(0, used);
      replies_.store(next);
      if (!error_.empty()) break;
    }
    stop_writing_.store(true);
  }

  RawClient conn_;
  const int id_;
  std::thread writer_;
  std::thread reader_;
  std::atomic<uint64_t> replies_{0};
  std::atomic<uint64_t> sent_{0};
  std::atomic<bool> stop_writing_{false};
  bool clean_eof_ = false;  // reader thread until joined
  std::string error_;       // reader thread until joined
};

constexpr int kClients = 4;
constexpr uint64_t kRepliesBeforeStop = 3000;

// Starts the clients and waits until each has had kRepliesBeforeStop replies.
std::vector<std::unique_ptr<PipelineClient>> StartClients(uint16_t port) {
  std::vector<std::unique_ptr<PipelineClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<PipelineClient>(port, i));
    EXPECT_TRUE(clients.back()->connected());
  }
  for (auto& c : clients) c->Start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (auto& c : clients) {
    while (c->replies() < kRepliesBeforeStop &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_GE(c->replies(), kRepliesBeforeStop);
  }
  return clients;
}

uint64_t CheckClients(std::vector<std::unique_ptr<PipelineClient>>* clients) {
  uint64_t replies = 0;
  for (auto& c : *clients) {
    c->Join();
    EXPECT_EQ(c->error(), "");
    EXPECT_TRUE(c->clean_eof());
    EXPECT_GE(c->replies(), kRepliesBeforeStop);
    EXPECT_LE(c->replies(), c->requests_sent() + 64);
    replies += c->replies();
  }
  return replies;
}

class GracefulStopTest : public ::testing::TestWithParam<sock::Engine> {};

TEST_P(GracefulStopTest, InProcessStopAnswersEverythingItRead) {
  MemcacheServerOptions options;
  options.server.engine = GetParam();
  options.server.io_threads = 2;
  MemcacheServer server(options);
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto clients = StartClients(server.port());
  server.Stop();  // what SIGTERM leads to in main()
  const uint64_t replies = CheckClients(&clients);

  CommandMetrics::Snapshot snap;
  server.command_metrics().Collect(&snap);
  uint64_t executed = 0;
  for (const auto& per_command : snap.counts) {
    for (uint64_t n : per_command) executed += n;
  }
  EXPECT_EQ(executed, replies) << "requests executed vs replies received";
}

INSTANTIATE_TEST_SUITE_P(Engines, GracefulStopTest,
                         ::testing::Values(sock::Engine::kEvent, sock::Engine::kThreaded),
                         [](const auto& info) {
                           return std::string(sock::EngineName(info.param));
                         });

// The binary: a stop signal mid-stream, replies then EOF, exit status 0.
void SignalMidStream(int sig) {
  test_common::ServerProcess server(test_common::OurServerArgv({"-t", "2"}));
  ASSERT_TRUE(server.Start());
  auto clients = StartClients(server.port());
  ASSERT_EQ(kill(server.pid(), sig), 0);
  CheckClients(&clients);
  const int status = server.Stop();  // reaps the exited process
  EXPECT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(GracefulStopBinaryTest, SigtermMidStreamLosesNoReply) { SignalMidStream(SIGTERM); }

TEST(GracefulStopBinaryTest, SigintMidStreamLosesNoReply) { SignalMidStream(SIGINT); }

TEST(GracefulStopBinaryTest, Sigusr1StopsGracefullyAsInMemcached) {
  SignalMidStream(SIGUSR1);
}

TEST(GracefulStopBinaryTest, ShutdownCommandExitsZero) {
  test_common::ServerProcess server(test_common::OurServerArgv({"-A", "-t", "1"}));
  ASSERT_TRUE(server.Start());
  RawClient c(server.port());
  c.Send("shutdown\r\n");
  c.ShutdownWrite();
  c.ReadAll();  // EOF once the server is down
  bool exited = false;
  for (int i = 0; i < 500 && !exited; ++i) {  // up to 5 s
    // WNOWAIT: leave the zombie for ServerProcess::Stop to reap.
    siginfo_t info{};
    waitid(P_PID, static_cast<id_t>(server.pid()), &info, WEXITED | WNOHANG | WNOWAIT);
    exited = info.si_pid == server.pid();
    if (!exited) usleep(10000);
  }
  EXPECT_TRUE(exited) << "still running 5 s after shutdown";
  const int status = server.Stop();
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(GracefulStopBinaryTest, SigpipeIsIgnored) {
  test_common::ServerProcess server(test_common::OurServerArgv({"-t", "1"}));
  ASSERT_TRUE(server.Start());
  {
    // Store a big value, ask for it many times and reset the connection
    // without reading: the server's writes hit a dead socket (EPIPE).
    RawClient c(server.port());
    const std::string value(256 << 10, 'x');
    c.Send("set big 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n");
    c.ReadUntil("STORED\r\n");
    std::string gets;
    for (int i = 0; i < 200; ++i) gets += "get big\r\n";
    c.Send(gets);
    linger l{1, 0};  // close with RST
    setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  }
  // Still alive and serving.
  RawClient again(server.port());
  ASSERT_TRUE(again.connected());
  again.Send("version\r\n");
  EXPECT_EQ(again.ReadUntil("\r\n"), "VERSION 1.6.18\r\n");
  again.ShutdownWrite();
  again.ReadAll();
  const int status = server.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace memcache
