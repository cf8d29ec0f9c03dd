// Integration tests of sock::Server over loopback, run on both engines.
#include "sock/server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/sock/test_util.h"

namespace sock {
namespace {

using sock_test::Client;
using sock_test::EchoLineHandler;
using sock_test::EchoStats;
using sock_test::WaitFor;

std::string Lines(const std::string& prefix, int count, const char* end) {
  std::string s;
  for (int i = 0; i < count; ++i) s += prefix + std::to_string(i) + end;
  return s;
}

class ServerTest : public ::testing::TestWithParam<Engine> {
 protected:
  ServerTest() : echo_(std::make_shared<EchoStats>()) {
    options_.port = 0;
    options_.engine = GetParam();
    options_.io_threads = 2;
  }
  ~ServerTest() override {
    if (server_) server_->Stop();
  }

  void StartServer() {
    auto stats = echo_;
    server_ = std::make_unique<Server>(options_, [stats] {
      return std::make_unique<EchoLineHandler>(stats);
    });
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    ASSERT_NE(server_->port(), 0);
  }

  ServerOptions options_;
  std::shared_ptr<EchoStats> echo_;
  std::unique_ptr<Server> server_;
};

TEST_P(ServerTest, EchoesLines) {
  StartServer();
  Client c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.SendAll("hello\r\nworld\n"));
  EXPECT_EQ(c.ReadExactly(14), "hello\r\nworld\r\n");
  ASSERT_TRUE(c.SendAll("quit\r\n"));
  bool eof = false;
  EXPECT_EQ(c.ReadToEof(&eof), "");
  EXPECT_TRUE(eof);
  c.Close();  // ends the server's linger at once
  EXPECT_TRUE(WaitFor([&] { return echo_->closed.load() == 1; }));
  EXPECT_EQ(echo_->opened.load(), 1);
  EXPECT_TRUE(WaitFor([&] { return server_->stats().current_connections == 0; }));
  EXPECT_EQ(server_->stats().total_connections.load(), 1u);
}

// 200 connections, each pipelining 1,000 lines, driven by 4 client threads
// with non-blocking sockets; every echo is checked.
TEST_P(ServerTest, ManyConnectionsPipelined) {
  StartServer();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  constexpr int kLines = 1000;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      struct Conn {
        Client client;
        std::string request, expected, received;
        size_t sent = 0;
      };
      std::vector<std::unique_ptr<Conn>> conns;
      for (int i = 0; i < kPerThread; ++i) {
        auto c = std::make_unique<Conn>();
        if (!c->client.Connect(server_->port())) return;
        fcntl(c->client.fd(), F_SETFL, O_NONBLOCK);
        std::string prefix = "conn " + std::to_string(t * kPerThread + i) + " line ";
        c->request = Lines(prefix, kLines, i % 2 ? "\r\n" : "\n");
        c->expected = Lines(prefix, kLines, "\r\n");
        conns.push_back(std::move(c));
      }
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      size_t done = 0;
      while (done < conns.size() && std::chrono::steady_clock::now() < deadline) {
        std::vector<pollfd> fds;
        for (auto& c : conns) {
          short ev = 0;
          if (c->received.size() < c->expected.size()) ev |= POLLIN;
          if (c->sent < c->request.size()) ev |= POLLOUT;
          fds.push_back({c->client.fd(), ev, 0});
        }
        if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
        for (size_t i = 0; i < conns.size(); ++i) {
          Conn& c = *conns[i];
          if (fds[i].revents & POLLOUT) {
            ssize_t n = ::send(c.client.fd(), c.request.data() + c.sent,
                               c.request.size() - c.sent, MSG_NOSIGNAL);
            if (n > 0) c.sent += static_cast<size_t>(n);
          }
          if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
            char buf[32 << 10];
            ssize_t n = ::recv(c.client.fd(), buf, sizeof(buf), 0);
            if (n > 0) {
              c.received.append(buf, static_cast<size_t>(n));
              if (c.received.size() == c.expected.size()) ++done;
            } else if (n == 0 || errno != EAGAIN) {
              return;  // unexpected close: counted as failure
            }
          }
        }
      }
      for (auto& c : conns) {
        if (c->received == c->expected) ok.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
}

// The peer shuts its write side while replies are pending: every reply must
// still arrive, then EOF.
TEST_P(ServerTest, HalfCloseDeliversPendingReplies) {
  StartServer();
  Client c;
  ASSERT_TRUE(c.Connect(server_->port(), 16 << 10));
  const int kLines = 50000;
  ASSERT_TRUE(c.SendAll(Lines("half close line ", kLines, "\n")));
  c.ShutdownWrite();
  bool eof = false;
  std::string got = c.ReadToEof(&eof, std::chrono::seconds(20));
  EXPECT_TRUE(eof);
  EXPECT_EQ(got, Lines("half close line ", kLines, "\r\n"));
  EXPECT_TRUE(WaitFor([&] { return echo_->closed.load() == 1; }));
}

// A client resets its connection with replies pending; the server survives.
TEST_P(ServerTest, ClientResetDoesNotHurtServer) {
  StartServer();
  for (int i = 0; i < 5; ++i) {
    Client c;
    ASSERT_TRUE(c.Connect(server_->port(), 4 << 10));
    ASSERT_TRUE(c.SendAll(Lines("reset me ", 20000, "\n")));
    c.Reset();
  }
  Client good;
  ASSERT_TRUE(good.Connect(server_->port()));
  ASSERT_TRUE(good.SendAll("still here\n"));
  EXPECT_EQ(good.ReadExactly(12), "still here\r\n");
  good.Close();
  EXPECT_TRUE(WaitFor([&] { return server_->stats().current_connections == 0; }));
  EXPECT_EQ(echo_->closed.load(), 6);
}

// The client sends many MB without reading: the server stops reading once its
// queued output passes the high water mark, so its memory stays bounded; once
// the client reads, everything is echoed.
TEST_P(ServerTest, BackPressureBoundsPendingOutput) {
  options_.output_high_water = 256 << 10;
  options_.output_low_water = 64 << 10;
  options_.read_chunk = 16 << 10;
  StartServer();
  Client c;
  ASSERT_TRUE(c.Connect(server_->port(), 64 << 10));
  fcntl(c.fd(), F_SETFL, O_NONBLOCK);
  const std::string line(99, 'x');
  std::string chunk;
  for (int i = 0; i < 1000; ++i) chunk += line + "\n";  // 100 KB
  const size_t kMaxSend = 256u << 20;
  size_t sent = 0;
  auto last_progress = std::chrono::steady_clock::now();
  while (sent < kMaxSend &&
         std::chrono::steady_clock::now() - last_progress < std::chrono::milliseconds(500)) {
    size_t off = sent % chunk.size();
    ssize_t n = ::send(c.fd(), chunk.data() + off, chunk.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      last_progress = std::chrono::steady_clock::now();
    } else {
      pollfd p{c.fd(), POLLOUT, 0};
      ::poll(&p, 1, 50);
    }
  }
  // The sender got stuck: the server stopped reading.
  EXPECT_LT(sent, kMaxSend);
  EXPECT_LT(server_->stats().bytes_read.load(), sent);
  EXPECT_LE(echo_->max_pending.load(),
            options_.output_high_water + 4 * options_.read_chunk);
  // Now read everything back (the sender finishes its last line first).
  size_t tail = chunk.size() - sent % chunk.size();
  std::string rest = chunk.substr(sent % chunk.size(), tail);
  size_t lines = (sent + tail) / (line.size() + 1);
  size_t expect_bytes = lines * (line.size() + 2);
  size_t got = 0;
  size_t rest_sent = 0;
  bool bad = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  char buf[64 << 10];
  while (got < expect_bytes && std::chrono::steady_clock::now() < deadline) {
    pollfd p{c.fd(), static_cast<short>(POLLIN | (rest_sent < rest.size() ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    if ((p.revents & POLLOUT) && rest_sent < rest.size()) {
      ssize_t n = ::send(c.fd(), rest.data() + rest_sent, rest.size() - rest_sent, MSG_NOSIGNAL);
      if (n > 0) rest_sent += static_cast<size_t>(n);
    }
    if (p.revents & POLLIN) {
      ssize_t n = ::recv(c.fd(), buf, sizeof(buf), 0);
      if (n <= 0) break;
      for (ssize_t i = 0; i < n; ++i) {
        size_t pos = (got + i) % (line.size() + 2);
        char want = pos < line.size() ? 'x' : (pos == line.size() ? '\r' : '\n');
        if (buf[i] != want) bad = true;
      }
      got += static_cast<size_t>(n);
    }
  }
  EXPECT_FALSE(bad);
  EXPECT_EQ(got, expect_bytes);
  EXPECT_LE(echo_->max_pending.load(),
            options_.output_high_water + 4 * options_.read_chunk);
}

TEST_P(ServerTest, IdleTimeoutCloses) {
  options_.idle_timeout = std::chrono::milliseconds(100);
  StartServer();
  Client c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.SendAll("ping\n"));
  EXPECT_EQ(c.ReadExactly(6), "ping\r\n");
  bool eof = false;
  EXPECT_EQ(c.ReadToEof(&eof, std::chrono::seconds(10)), "");
  EXPECT_TRUE(eof);
  c.Close();
  EXPECT_TRUE(WaitFor([&] { return echo_->closed.load() == 1; }));
  std::lock_guard<std::mutex> lock(echo_->mutex);
  EXPECT_EQ(echo_->close_reasons.at(0), "idle timeout");
}

TEST_P(ServerTest, ConnectionLimitRefuses) {
  options_.max_connections = 2;
  StartServer();
  Client a, b;
  ASSERT_TRUE(a.Connect(server_->port()));
  ASSERT_TRUE(b.Connect(server_->port()));
  ASSERT_TRUE(a.SendAll("a\n"));
  ASSERT_TRUE(b.SendAll("b\n"));
  EXPECT_EQ(a.ReadExactly(3), "a\r\n");
  EXPECT_EQ(b.ReadExactly(3), "b\r\n");
  Client refused;
  ASSERT_TRUE(refused.Connect(server_->port()));
  bool eof = false;
  EXPECT_EQ(refused.ReadToEof(&eof), options_.refuse_message);
  EXPECT_TRUE(eof);
  EXPECT_EQ(server_->stats().rejected_connections.load(), 1u);
  // Once one closes, a new connection is served again.
  a.Close();
  ASSERT_TRUE(WaitFor([&] { return server_->stats().current_connections == 1; }));
  Client d;
  ASSERT_TRUE(d.Connect(server_->port()));
  ASSERT_TRUE(d.SendAll("d\n"));
  EXPECT_EQ(d.ReadExactly(3), "d\r\n");
}

TEST_P(ServerTest, ReplyOfManyReferencedPieces) {
  StartServer();
  Client c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.SendAll("chunks\nchunks\nend\n"));
  std::string piece_line;
  for (int i = 0; i < 1000; ++i) piece_line += "0123456789";
  piece_line += "\r\n";
  EXPECT_EQ(c.ReadExactly(2 * piece_line.size() + 5), piece_line + piece_line + "end\r\n");
}

TEST_P(ServerTest, HandlerAbortResets) {
  StartServer();
  Client c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.SendAll("abort\n"));
  bool eof = false;
  c.ReadToEof(&eof);
  EXPECT_FALSE(eof);
  EXPECT_EQ(c.last_errno(), ECONNRESET);
  EXPECT_TRUE(WaitFor([&] { return echo_->closed.load() == 1; }));
}

// Stop() while clients have pipelined requests whose replies are not read
// yet: no reply is lost, each client sees all replies then EOF.
TEST_P(ServerTest, GracefulStopLosesNoReply) {
  options_.stop_grace = std::chrono::seconds(20);
  StartServer();
  constexpr int kClients = 4;
  constexpr int kLines = 20000;
  std::vector<std::unique_ptr<Client>> clients;
  size_t total = 0;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>());
    ASSERT_TRUE(clients.back()->Connect(server_->port(), 8 << 10));
    std::string req = Lines("stop " + std::to_string(i) + " ", kLines, "\n");
    total += req.size();
    ASSERT_TRUE(clients.back()->SendAll(req));
  }
  ASSERT_TRUE(WaitFor([&] { return server_->stats().bytes_read.load() == total; }));
  std::thread stopper([&] { server_->Stop(); });
  for (int i = 0; i < kClients; ++i) {
    bool eof = false;
    std::string got = clients[i]->ReadToEof(&eof, std::chrono::seconds(20));
    EXPECT_TRUE(eof);
    EXPECT_EQ(got, Lines("stop " + std::to_string(i) + " ", kLines, "\r\n"));
    clients[i]->Close();
  }
  stopper.join();
  EXPECT_EQ(echo_->closed.load(), kClients);
  EXPECT_EQ(server_->stats().current_connections.load(), 0u);
}

// Sends from other threads race with the connection closing.
TEST_P(ServerTest, CrossThreadSendRacesClose) {
  echo_->keep_connections = true;
  StartServer();
  for (int round = 0; round < 20; ++round) {
    Client c;
    ASSERT_TRUE(c.Connect(server_->port()));
    ASSERT_TRUE(WaitFor([&] {
      std::lock_guard<std::mutex> lock(echo_->mutex);
      return echo_->connections.size() == static_cast<size_t>(round + 1);
    }));
    ConnectionPtr conn;
    {
      std::lock_guard<std::mutex> lock(echo_->mutex);
      conn = echo_->connections.back();
    }
    std::atomic<bool> go{true};
    std::thread sender([&] {
      for (int i = 0; go.load() && i < 100000; ++i) conn->Send("push\r\n");
    });
    EXPECT_EQ(c.ReadExactly(6), "push\r\n");
    if (round % 2) c.Reset(); else c.Close();
    if (round % 3 == 0) conn->Close();
    if (round % 3 == 1) conn->Abort();
    go.store(false);
    sender.join();
  }
  EXPECT_TRUE(WaitFor([&] { return echo_->closed.load() == 20; }));
  std::lock_guard<std::mutex> lock(echo_->mutex);
  for (auto& c : echo_->connections) EXPECT_FALSE(c->connected());
  echo_->connections.clear();
}

TEST_P(ServerTest, StartFailsWhenPortInUse) {
  StartServer();
  ServerOptions o = options_;
  o.port = server_->port();
  Server second(o, [] { return std::unique_ptr<ConnectionHandler>(); });
  std::string error;
  EXPECT_FALSE(second.Start(&error));
  EXPECT_NE(error.find("Address already in use"), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(Engines, ServerTest,
                         ::testing::Values(Engine::kEvent, Engine::kThreaded),
                         [](const ::testing::TestParamInfo<Engine>& info) {
                           return std::string(EngineName(info.param));
                         });

TEST(EngineTest, ParseAndName) {
  Engine e;
  EXPECT_TRUE(ParseEngine("event", &e));
  EXPECT_EQ(e, Engine::kEvent);
  EXPECT_TRUE(ParseEngine("threaded", &e));
  EXPECT_EQ(e, Engine::kThreaded);
  EXPECT_FALSE(ParseEngine("fibers", &e));
  EXPECT_STREQ(EngineName(Engine::kThreaded), "threaded");
}

}  // namespace
}  // namespace sock
