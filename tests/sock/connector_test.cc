#include "sock/connector.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sock/event_loop_thread.h"
#include "sock/server.h"
#include "tests/sock/test_util.h"

namespace sock {
namespace {

using sock_test::EchoLineHandler;
using sock_test::EchoStats;
using sock_test::WaitFor;

// Collects what the server sends; sends a greeting from OnOpen.
struct Collected {
  std::mutex mutex;
  std::string data;
  std::atomic<int> opened{0};
  std::atomic<int> closed{0};
  std::string Get() {
    std::lock_guard<std::mutex> lock(mutex);
    return data;
  }
};

class CollectingHandler : public ConnectionHandler {
 public:
  explicit CollectingHandler(std::shared_ptr<Collected> c) : c_(std::move(c)) {}
  void OnOpen(Connection* conn) override {
    c_->opened++;
    conn->Send("hello\n");
  }
  void OnInput(Connection*, Buffer* input) override {
    std::lock_guard<std::mutex> lock(c_->mutex);
    c_->data += input->ToString();
    input->Clear();
  }
  void OnClose(Connection*, std::string_view) override { c_->closed++; }

 private:
  std::shared_ptr<Collected> c_;
};

// A port nobody listens on (bound, never listened, then closed).
uint16_t UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A listener that never accepts, with the smallest queue: once the queue is
// full the kernel drops SYNs and a connect hangs until its timeout.
struct FullQueueListener {
  FullQueueListener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd, 0), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~FullQueueListener() { ::close(fd); }
  int fd;
  uint16_t port;
};

// Collects the outcome of a ConnectAsync.
struct AsyncResult {
  std::mutex mutex;
  std::atomic<int> calls{0};
  ConnectionPtr conn;
  std::string error;
  ConnectCallback Callback() {
    return [this](ConnectionPtr c, const std::string& e) {
      std::lock_guard<std::mutex> lock(mutex);
      conn = std::move(c);
      error = e;
      calls++;
    };
  }
};

class ConnectorTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override { loop_ = loop_thread_.Start(); }
  ConnectOptions Options(uint16_t port) {
    ConnectOptions o;
    o.port = port;
    o.engine = GetParam();
    o.loop = loop_;
    return o;
  }
  EventLoopThread loop_thread_{"client"};
  EventLoop* loop_ = nullptr;
};

TEST_P(ConnectorTest, RefusedReportsError) {
  std::string error;
  auto c = std::make_shared<Collected>();
  ConnectionPtr conn = Connect(Options(UnusedPort()),
                               std::make_unique<CollectingHandler>(c), &error);
  EXPECT_EQ(conn, nullptr);
  EXPECT_NE(error.find("Connection refused"), std::string::npos) << error;
  EXPECT_EQ(c->opened.load(), 0);
}

TEST_P(ConnectorTest, TimesOutWhenListenQueueIsFull) {
  FullQueueListener listener;
  std::vector<ConnectionPtr> held;
  std::string error;
  bool timed_out = false;
  for (int i = 0; i < 16 && !timed_out; ++i) {
    ConnectOptions o = Options(listener.port);
    o.timeout = std::chrono::milliseconds(100);
    auto conn = Connect(o, std::make_unique<CollectingHandler>(
                               std::make_shared<Collected>()), &error);
    if (conn) {
      held.push_back(conn);
    } else {
      timed_out = error.find("timed out") != std::string::npos;
    }
  }
  EXPECT_TRUE(timed_out) << error;
  for (auto& c : held) c->Abort();
  for (auto& c : held) EXPECT_TRUE(WaitFor([&] { return !c->connected(); }));
}

TEST_P(ConnectorTest, TalksToServer) {
  auto echo = std::make_shared<EchoStats>();
  ServerOptions so;
  so.engine = GetParam();
  Server server(so, [echo] { return std::make_unique<EchoLineHandler>(echo); });
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;

  auto c = std::make_shared<Collected>();
  ConnectionPtr conn = Connect(Options(server.port()),
                               std::make_unique<CollectingHandler>(c), &error);
  ASSERT_NE(conn, nullptr) << error;
  EXPECT_TRUE(conn->connected());
  conn->Send("a\n");
  Buffer b;
  b.Append("b\r\n");
  conn->Send(&b);
  EXPECT_TRUE(WaitFor([&] { return c->Get() == "hello\r\na\r\nb\r\n"; })) << c->Get();
  conn->Close();
  EXPECT_TRUE(WaitFor([&] { return c->closed.load() == 1; }));
  EXPECT_FALSE(conn->connected());
  EXPECT_EQ(c->opened.load(), 1);
  EXPECT_TRUE(WaitFor([&] { return echo->closed.load() == 1; }));
  conn.reset();
  server.Stop();
}

TEST_P(ConnectorTest, ServerCloseReachesClient) {
  auto echo = std::make_shared<EchoStats>();
  ServerOptions so;
  so.engine = GetParam();
  Server server(so, [echo] { return std::make_unique<EchoLineHandler>(echo); });
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto c = std::make_shared<Collected>();
  ConnectionPtr conn = Connect(Options(server.port()),
                               std::make_unique<CollectingHandler>(c), &error);
  ASSERT_NE(conn, nullptr) << error;
  conn->Send("bye\nquit\n");
  EXPECT_TRUE(WaitFor([&] { return c->closed.load() == 1; }));
  EXPECT_EQ(c->Get(), "hello\r\nbye\r\n");
  EXPECT_FALSE(conn->connected());
  server.Stop();
}

// Destroying a client loop with a connection still open aborts it (OnClose
// runs once) instead of leaking it.
TEST(ConnectorLoopTest, DestroyingLoopFailsPendingAsyncConnect) {
  FullQueueListener listener;
  std::vector<std::unique_ptr<AsyncResult>> results;
  {
    EventLoopThread loop_thread("doomed");
    ConnectOptions o;
    o.port = listener.port;
    o.timeout = std::chrono::seconds(60);
    o.loop = loop_thread.Start();
    for (int i = 0; i < 4; ++i) {
      results.push_back(std::make_unique<AsyncResult>());
      ConnectAsync(o, std::make_unique<CollectingHandler>(std::make_shared<Collected>()),
                   results.back()->Callback());
    }
    // Let them start; the later ones are stuck in the handshake.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  int destroyed = 0;
  for (auto& r : results) {
    EXPECT_EQ(r->calls.load(), 1);
    std::lock_guard<std::mutex> lock(r->mutex);
    if (r->error.find("event loop destroyed") != std::string::npos) ++destroyed;
    if (r->conn) {
      EXPECT_FALSE(r->conn->connected());
    }
  }
  EXPECT_GE(destroyed, 1);
}

TEST(ConnectorLoopTest, DestroyingLoopClosesItsConnections) {
  auto echo = std::make_shared<EchoStats>();
  Server server(ServerOptions(),
                [echo] { return std::make_unique<EchoLineHandler>(echo); });
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto c = std::make_shared<Collected>();
  ConnectionPtr conn;
  {
    EventLoopThread loop_thread("doomed");
    ConnectOptions o;
    o.port = server.port();
    o.loop = loop_thread.Start();
    conn = Connect(o, std::make_unique<CollectingHandler>(c), &error);
    ASSERT_NE(conn, nullptr) << error;
    EXPECT_TRUE(WaitFor([&] { return c->Get() == "hello\r\n"; }));
  }
  EXPECT_EQ(c->closed.load(), 1);
  EXPECT_FALSE(conn->connected());
  conn->Send("ignored\n");  // harmless after close
  conn.reset();
  EXPECT_TRUE(WaitFor([&] { return echo->closed.load() == 1; }));
}

TEST_P(ConnectorTest, AsyncConnectsAndTalks) {
  auto echo = std::make_shared<EchoStats>();
  ServerOptions so;
  so.engine = GetParam();
  Server server(so, [echo] { return std::make_unique<EchoLineHandler>(echo); });
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto c = std::make_shared<Collected>();
  AsyncResult r;
  ConnectAsync(Options(server.port()), std::make_unique<CollectingHandler>(c),
               r.Callback());
  ASSERT_TRUE(WaitFor([&] { return r.calls.load() == 1; }));
  ConnectionPtr conn;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    ASSERT_NE(r.conn, nullptr) << r.error;
    EXPECT_EQ(r.error, "");
    conn = r.conn;
  }
  conn->Send("async\n");
  EXPECT_TRUE(WaitFor([&] { return c->Get() == "hello\r\nasync\r\n"; })) << c->Get();
  conn->Close();
  EXPECT_TRUE(WaitFor([&] { return c->closed.load() == 1; }));
  server.Stop();
}

TEST_P(ConnectorTest, AsyncRefusedAndTimeout) {
  AsyncResult refused;
  ConnectAsync(Options(UnusedPort()),
               std::make_unique<CollectingHandler>(std::make_shared<Collected>()),
               refused.Callback());
  ASSERT_TRUE(WaitFor([&] { return refused.calls.load() == 1; }));
  {
    std::lock_guard<std::mutex> lock(refused.mutex);
    EXPECT_EQ(refused.conn, nullptr);
    EXPECT_NE(refused.error.find("Connection refused"), std::string::npos)
        << refused.error;
  }
  FullQueueListener listener;
  std::vector<std::unique_ptr<AsyncResult>> results;
  bool timed_out = false;
  for (int i = 0; i < 16 && !timed_out; ++i) {
    results.push_back(std::make_unique<AsyncResult>());
    AsyncResult& r = *results.back();
    ConnectOptions o = Options(listener.port);
    o.timeout = std::chrono::milliseconds(100);
    ConnectAsync(o, std::make_unique<CollectingHandler>(std::make_shared<Collected>()),
                 r.Callback());
    ASSERT_TRUE(WaitFor([&] { return r.calls.load() == 1; }));
    std::lock_guard<std::mutex> lock(r.mutex);
    timed_out = r.error.find("timed out") != std::string::npos;
  }
  EXPECT_TRUE(timed_out);
  for (auto& r : results) {
    std::lock_guard<std::mutex> lock(r->mutex);
    if (r->conn) r->conn->Abort();
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, ConnectorTest,
                         ::testing::Values(Engine::kEvent, Engine::kThreaded),
                         [](const ::testing::TestParamInfo<Engine>& info) {
                           return std::string(EngineName(info.param));
                         });

}  // namespace
}  // namespace sock
