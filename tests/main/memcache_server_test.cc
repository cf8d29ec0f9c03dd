// End-to-end: MemcacheServer on a free loopback port, on both engines,
// driven over real sockets.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "memcache/memcache_server.h"

namespace memcache {
namespace {

// A blocking test client with a receive timeout, so a broken server fails
// the test instead of hanging it.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Client() { close(fd_); }

  bool connected() const { return connected_; }

  void Send(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  // Reads until `n` bytes arrived (or EOF / timeout).
  std::string ReadBytes(size_t n) {
    std::string out;
    char buf[65536];
    while (out.size() < n) {
      ssize_t r = ::recv(fd_, buf, std::min(sizeof(buf), n - out.size()), 0);
      if (r <= 0) break;
      out.append(buf, static_cast<size_t>(r));
    }
    return out;
  }

  // Reads until the reply ends with `suffix`.
  std::string ReadUntil(const std::string& suffix) {
    std::string out;
    char c;
    while (out.size() < suffix.size() ||
           out.compare(out.size() - suffix.size(), suffix.size(), suffix) != 0) {
      ssize_t r = ::recv(fd_, &c, 1, 0);
      if (r <= 0) break;
      out.push_back(c);
    }
    return out;
  }

  std::string Call(const std::string& request, size_t reply_len) {
    Send(request);
    return ReadBytes(reply_len);
  }

  // True once the server has closed the connection.
  bool ClosedByPeer() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// Every test runs on each engine, and on the event engine with busy polling.
struct ServerVariant {
  sock::Engine engine;
  std::chrono::microseconds busy_poll;
};

class MemcacheServerTest : public ::testing::TestWithParam<ServerVariant> {
 protected:
  void StartServer(bool enable_shutdown = false) {
    MemcacheServerOptions options;
    options.server.port = 0;
    options.server.engine = GetParam().engine;
    options.server.busy_poll = GetParam().busy_poll;
    options.server.io_threads = 2;
    options.enable_shutdown = enable_shutdown;
    options.sweep_interval = std::chrono::milliseconds(50);
    server_ = std::make_unique<MemcacheServer>(options);
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  std::unique_ptr<MemcacheServer> server_;
};

TEST_P(MemcacheServerTest, SetGetOverSocket) {
  StartServer();
  Client c(server_->port());
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.Call("set foo 5 0 3\r\nbar\r\n", 8), "STORED\r\n");
  const std::string hit = "VALUE foo 5 3\r\nbar\r\nEND\r\n";
  EXPECT_EQ(c.Call("get foo\r\n", hit.size()), hit);
  EXPECT_EQ(c.Call("version\r\n", 16), "VERSION 1.6.18\r\n");
  EXPECT_EQ(c.Call("mg foo v f\r\n", 14), "VA 3 f5\r\nbar\r\n");
}

TEST_P(MemcacheServerTest, PipelinedRequestsAnswerInOrder) {
  StartServer();
  Client c(server_->port());
  std::string request, expected;
  for (int i = 0; i < 200; ++i) {
    std::string k = "k" + std::to_string(i);
    request += "set " + k + " 0 0 1\r\nx\r\nget " + k + "\r\n";
    expected += "STORED\r\nVALUE " + k + " 0 1\r\nx\r\nEND\r\n";
  }
  request += "mg k7 q v\r\nmg missing q v\r\nmn\r\n";
  expected += "VA 1\r\nx\r\nMN\r\n";
  EXPECT_EQ(c.Call(request, expected.size()), expected);
}

TEST_P(MemcacheServerTest, LargeValuesRoundTrip) {
  StartServer();
  Client c(server_->port());
  std::string value(900 * 1024, 'v');
  for (size_t i = 0; i < value.size(); i += 13) value[i] = 'a' + (i % 26);
  EXPECT_EQ(c.Call("set big 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n", 8),
            "STORED\r\n");
  // Ask several times in one write so replies reference the same item.
  std::string one = "VALUE big 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  std::string expected = one + one + one + "END\r\n";
  EXPECT_EQ(c.Call("get big big big\r\n", expected.size()), expected);
}

TEST_P(MemcacheServerTest, QuitClosesConnection) {
  StartServer();
  Client c(server_->port());
  c.Send("quit\r\n");
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_P(MemcacheServerTest, StatsCountConnections) {
  StartServer();
  Client a(server_->port());
  Client b(server_->port());
  EXPECT_EQ(b.Call("get x\r\n", 5), "END\r\n");
  a.Send("stats\r\n");
  std::string stats = a.ReadUntil("END\r\n");
  EXPECT_NE(stats.find("STAT curr_connections 2\r\n"), std::string::npos) << stats;
  EXPECT_NE(stats.find("STAT cmd_get 1\r\n"), std::string::npos);
  EXPECT_NE(stats.find("STAT get_misses 1\r\n"), std::string::npos);
}

TEST_P(MemcacheServerTest, ShutdownDisabled) {
  StartServer(false);
  Client c(server_->port());
  EXPECT_EQ(c.Call("shutdown\r\n", 29), "ERROR: shutdown not enabled\r\n");
}

TEST_P(MemcacheServerTest, ShutdownCommandWakesWaiter) {
  StartServer(true);
  std::atomic<bool> woke{false};
  std::thread waiter([this, &woke] {
    server_->WaitForShutdown();
    woke = true;
  });
  Client c(server_->port());
  c.Send("shutdown\r\n");
  EXPECT_TRUE(c.ClosedByPeer());
  waiter.join();
  EXPECT_TRUE(woke);
}

TEST_P(MemcacheServerTest, ConcurrentClients) {
  StartServer();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t, &failures] {
      Client c(server_->port());
      for (int i = 0; i < 100; ++i) {
        std::string k = "t" + std::to_string(t) + "_" + std::to_string(i);
        std::string v = std::to_string(i * 7);
        std::string set = "set " + k + " 0 0 " + std::to_string(v.size()) + "\r\n" + v + "\r\n";
        if (c.Call(set, 8) != "STORED\r\n") ++failures;
        std::string hit = "VALUE " + k + " 0 " + std::to_string(v.size()) + "\r\n" + v +
                          "\r\nEND\r\n";
        if (c.Call("get " + k + "\r\n", hit.size()) != hit) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_P(MemcacheServerTest, PortInUseFailsCleanly) {
  StartServer();
  MemcacheServerOptions options;
  options.server.port = server_->port();
  options.server.engine = GetParam().engine;
  MemcacheServer second(options);
  std::string error;
  EXPECT_FALSE(second.Start(&error));
  EXPECT_FALSE(error.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Engines, MemcacheServerTest,
    ::testing::Values(ServerVariant{sock::Engine::kEvent, {}},
                      ServerVariant{sock::Engine::kThreaded, {}},
                      ServerVariant{sock::Engine::kEvent, std::chrono::microseconds(50)}),
    [](const ::testing::TestParamInfo<ServerVariant>& info) {
      return std::string(sock::EngineName(info.param.engine)) +
             (info.param.busy_poll.count() > 0 ? "_busy_poll" : "");
    });

}  // namespace
}  // namespace memcache
