// Session against a real memcached 1.6 started on a free loopback port.
#include "client/session.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sock/event_loop.h"
#include "sock/event_loop_thread.h"
#include "tests/client/server_under_test.h"
#include "tests/common/server_process.h"

namespace client {
namespace {

using std::chrono::milliseconds;
using test_common::ServerProcess;

// Every session test runs against memcached 1.6.18 and against our server.
class SessionTest : public ServerUnderTest {};

INSTANTIATE_TEST_SUITE_P(Servers, SessionTest, ::testing::Values("memcached", "ours"));

TEST_P(SessionTest, EveryClassicOperation) {
  Session s(OptionsFor(server_.port()));
  ASSERT_TRUE(s.connected()) << s.last_error();
  EXPECT_EQ(s.Get("nokey").status, Status::kNotFound);
  ASSERT_TRUE(s.Set("k", "hello", 42, 0).ok());
  Result r = s.Get("k");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value, "hello");
  EXPECT_EQ(r.flags, 42u);
  EXPECT_EQ(s.Add("k", "x").status, Status::kNotStored);
  EXPECT_TRUE(s.Add("k2", "x").ok());
  EXPECT_TRUE(s.Replace("k2", "y", 7).ok());
  EXPECT_EQ(s.Replace("absent", "y").status, Status::kNotStored);
  EXPECT_TRUE(s.Append("k", " world").ok());
  EXPECT_TRUE(s.Prepend("k", ">").ok());
  EXPECT_EQ(s.Get("k").value, ">hello world");
  Result g = s.Gets("k");
  ASSERT_TRUE(g.ok());
  EXPECT_NE(g.cas, 0u);
  EXPECT_EQ(s.Cas("k", "v2", g.cas + 1000).status, Status::kExists);
  EXPECT_TRUE(s.Cas("k", "v2", g.cas, 3).ok());
  EXPECT_EQ(s.Cas("absent", "v", 1).status, Status::kNotFound);
  EXPECT_EQ(s.Get("k").value, "v2");
  EXPECT_TRUE(s.Set("n", "10").ok());
  Result inc = s.Incr("n", 5);
  EXPECT_TRUE(inc.ok());
  EXPECT_EQ(inc.number, 15u);
  EXPECT_EQ(s.Decr("n", 20).number, 0u);
  EXPECT_EQ(s.Incr("absent", 1).status, Status::kNotFound);
  Result bad = s.Incr("k", 1);
  EXPECT_EQ(bad.status, Status::kClientError);
  EXPECT_NE(bad.message.find("non-numeric"), std::string::npos) << bad.message;
  EXPECT_TRUE(s.Touch("k", 100).ok());
  EXPECT_EQ(s.Touch("absent", 100).status, Status::kNotFound);
  Result gat = s.Gat(200, "k");
  EXPECT_TRUE(gat.ok());
  EXPECT_EQ(gat.value, "v2");
  Result gats = s.Gats(200, "k");
  EXPECT_TRUE(gats.ok());
  EXPECT_NE(gats.cas, 0u);
  EXPECT_EQ(s.Gat(10, "absent").status, Status::kNotFound);
  EXPECT_TRUE(s.Delete("k2").ok());
  EXPECT_EQ(s.Delete("k2").status, Status::kNotFound);
  Result v = s.Version();
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.message.rfind("1.", 0), 0u) << v.message;
  Result st = s.Stats();
  ASSERT_TRUE(st.ok());
  bool saw_pid = false;
  for (auto& kv : st.stats) saw_pid |= kv.first == "pid";
  EXPECT_TRUE(saw_pid);
  Result settings = s.Stats("settings");
  EXPECT_TRUE(settings.ok());
  EXPECT_FALSE(settings.stats.empty());
  EXPECT_TRUE(s.Stats("reset").ok());
  EXPECT_EQ(s.Stats("bogus").status, Status::kError);
  EXPECT_TRUE(s.FlushAll().ok());
  EXPECT_EQ(s.Get("n").status, Status::kNotFound);
}

TEST_P(SessionTest, MetaCommands) {
  Session s(OptionsFor(server_.port()));
  Result set = s.MetaSet("m", "meta-value", "F9 T0");
  ASSERT_TRUE(set.ok()) << set.Describe();
  Result get = s.MetaGet("m", "v f c k");
  ASSERT_TRUE(get.ok()) << get.Describe();
  EXPECT_EQ(get.value, "meta-value");
  EXPECT_EQ(get.flags, 9u);
  EXPECT_NE(get.cas, 0u);
  EXPECT_NE(get.meta_flags.find("km"), std::string::npos) << get.meta_flags;
  Result hd = s.MetaGet("m", "f");
  EXPECT_TRUE(hd.ok());
  EXPECT_TRUE(hd.value.empty());
  EXPECT_EQ(s.MetaGet("nope").status, Status::kNotFound);
  EXPECT_EQ(s.MetaSet("m", "x", "C999999").status, Status::kExists);
  EXPECT_EQ(s.MetaSet("m", "x", "ME").status, Status::kNotStored);  // mode E: add
  EXPECT_TRUE(s.MetaSet("cnt", "5").ok());
  Result ma = s.MetaArithmetic("cnt", "v D10");
  EXPECT_TRUE(ma.ok());
  EXPECT_EQ(ma.number, 15u);
  EXPECT_EQ(s.MetaArithmetic("nocnt", "v").status, Status::kNotFound);
  EXPECT_TRUE(s.MetaDelete("m").ok());
  EXPECT_EQ(s.MetaDelete("m").status, Status::kNotFound);
  EXPECT_TRUE(s.MetaNoop().ok());
  EXPECT_EQ(s.MetaGet("m", "v q").status, Status::kInvalidArgument);
}

TEST_P(SessionTest, InvalidArgumentsFailWithoutSending) {
  Session s(OptionsFor(server_.port()));
  EXPECT_EQ(s.Get("has space").status, Status::kInvalidArgument);
  EXPECT_EQ(s.Get(std::string(251, 'k')).status, Status::kInvalidArgument);
  EXPECT_EQ(s.Get("").status, Status::kInvalidArgument);
  EXPECT_EQ(s.MultiGet({}).status, Status::kInvalidArgument);
  EXPECT_TRUE(s.Set(std::string(250, 'k'), "ok").ok());
}

TEST_P(SessionTest, LargeValueAndServerError) {
  Session s(OptionsFor(server_.port()));
  std::string big(512 * 1024, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(s.Set("big", big).ok());
  EXPECT_EQ(s.Get("big").value, big);
  Result tooBig = s.Set("huge", std::string(2 * 1024 * 1024, 'y'));
  EXPECT_EQ(tooBig.status, Status::kServerError);
  EXPECT_FALSE(tooBig.message.empty());
  EXPECT_TRUE(s.Set("after", "fine").ok());  // still in sync
  EXPECT_EQ(s.Get("after").value, "fine");
}

TEST_P(SessionTest, NoReplyTakesNoSlot) {
  Session s(OptionsFor(server_.port()));
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(s.Call(Request::Set("nr" + std::to_string(i), "v").NoReply()).ok());
  }
  EXPECT_TRUE(s.Call(Request::Delete("nr0").NoReply()).ok());
  EXPECT_TRUE(s.Call(Request::Incr("nr-absent", 1).NoReply()).ok());
  EXPECT_EQ(s.Get("nr0").status, Status::kNotFound);
  EXPECT_EQ(s.Get("nr99").value, "v");
}

TEST_P(SessionTest, AsyncFuturesAndCallbacks) {
  Session s(OptionsFor(server_.port()));
  std::vector<std::future<Result>> futures;
  for (int i = 0; i < 200; ++i) {
    futures.push_back(s.Async(Request::Set("f" + std::to_string(i), std::to_string(i))));
  }
  for (auto& f : futures) EXPECT_TRUE(f.get().ok());
  std::atomic<int> hits{0};
  std::promise<void> all;
  std::atomic<int> left{200};
  for (int i = 0; i < 200; ++i) {
    std::string key = "f" + std::to_string(i);
    s.Submit(Request::Get(key), [&, i](Result&& r) {
      if (r.ok() && r.value == std::to_string(i)) ++hits;
      if (--left == 0) all.set_value();
    });
  }
  all.get_future().wait();
  EXPECT_EQ(hits.load(), 200);
}

TEST_P(SessionTest, ThirtyTwoThreadsPipeliningGetTheirOwnResults) {
  Session s(OptionsFor(server_.port()));
  constexpr int kThreads = 32;
  constexpr int kOps = 300;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        std::string key = "t" + std::to_string(t) + ":" + std::to_string(i % 10);
        std::string value = std::to_string(t * 100000 + i);
        if (!s.Set(key, value, static_cast<uint32_t>(t)).ok()) ++wrong;
        Result r = s.Get(key);
        if (!r.ok() || r.value != value || r.flags != static_cast<uint32_t>(t)) ++wrong;
        if (i % 50 == 0) {
          Result inc = s.Incr("counter", 1);
          if (inc.status != Status::kOk && inc.status != Status::kNotFound) ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_P(SessionTest, QueueFullFailsFast) {
  SessionOptions o = OptionsFor(server_.port());
  o.max_outstanding = 4;
  Session s(o);
  std::vector<std::future<Result>> fs;
  for (int i = 0; i < 2000; ++i) fs.push_back(s.Async(Request::Get("q")));
  int full = 0;
  for (auto& f : fs) {
    Result r = f.get();
    if (r.status == Status::kQueueFull) ++full;
    else EXPECT_EQ(r.status, Status::kNotFound);
  }
  EXPECT_GT(full, 0);
  EXPECT_EQ(s.Get("q").status, Status::kNotFound);
}

TEST_P(SessionTest, BlockingQueueWaitsForRoom) {
  SessionOptions o = OptionsFor(server_.port());
  o.max_outstanding = 2;
  o.block_when_full = true;
  Session s(o);
  std::vector<std::future<Result>> fs;
  for (int i = 0; i < 500; ++i) fs.push_back(s.Async(Request::Set("b", "v")));
  for (auto& f : fs) EXPECT_TRUE(f.get().ok());
}

TEST(SessionDownTest, CannotConnectReportsReason) {
  SessionOptions o;
  o.server.port = test_common::FindFreePort();
  o.reconnect = false;
  Session s(o);
  EXPECT_FALSE(s.connected());
  EXPECT_EQ(s.last_error(), "cannot connect to 127.0.0.1:" +
                                std::to_string(o.server.port) + ": Connection refused");
  Result r = s.Get("k");
  EXPECT_EQ(r.status, Status::kConnectionError);
  EXPECT_NE(r.message.find("Connection refused"), std::string::npos);
}

// A listener that never accepts, with the smallest queue: once the queue is
// full the kernel drops SYNs and a connect to it hangs until its timeout.
class BlackholeListener {
 public:
  BlackholeListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 0), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    // Fill the accept queue so later handshakes stall.
    for (int i = 0; i < 4; ++i) {
      int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
      fillers_.push_back(c);
    }
  }
  ~BlackholeListener() {
    for (int c : fillers_) ::close(c);
    ::close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  int fd_;
  uint16_t port_;
  std::vector<int> fillers_;
};

TEST_P(SessionTest, HangingConnectDoesNotStallOtherSessionsOnTheLoop) {
  BlackholeListener blackhole;
  sock::EventLoopThread loop_thread("shared");
  sock::EventLoop* loop = loop_thread.Start();
  std::atomic<bool> hanging_returned{false};
  std::thread hanging([&] {
    SessionOptions o;
    o.server.port = blackhole.port();
    o.connect_timeout = milliseconds(1500);
    o.reconnect = false;
    Session s(o, loop);
    hanging_returned = true;
    EXPECT_FALSE(s.connected());
  });
  std::this_thread::sleep_for(milliseconds(50));  // let its connect start
  {
    Session healthy(OptionsFor(server_.port()), loop);
    ASSERT_TRUE(healthy.connected()) << healthy.last_error();
    EXPECT_TRUE(healthy.Set("shared-loop", "ok").ok());
    EXPECT_EQ(healthy.Get("shared-loop").value, "ok");
    // Served while the other session's handshake is still pending.
    EXPECT_FALSE(hanging_returned.load());
  }
  hanging.join();
  loop_thread.Stop();
}

TEST_P(SessionTest, DeadlineTimesOutAndLaterRepliesStayAligned) {
  SessionOptions o = OptionsFor(server_.port());
  o.heartbeat_timeout = milliseconds(5000);
  Session s(o);
  ASSERT_TRUE(s.Set("d", "value").ok());
  server_.Pause();
  auto started = std::chrono::steady_clock::now();
  Result r = s.Call(Request::Get("d").WithTimeout(milliseconds(100)));
  EXPECT_EQ(r.status, Status::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  auto late = s.Async(Request::Set("d", "second"));
  server_.Resume();
  // The abandoned get's reply arrives first and must be dropped, not given
  // to the set.
  EXPECT_TRUE(late.get().ok());
  EXPECT_EQ(s.Get("d").value, "second");
}

TEST_P(SessionTest, IdleSessionStillTimesOutItsNextRequest) {
  // An idle session slows its tick down; the next request must bring it back.
  SessionOptions o = OptionsFor(server_.port());
  o.heartbeat_timeout = milliseconds(5000);
  Session s(o);
  ASSERT_TRUE(s.Set("i", "value").ok());
  std::this_thread::sleep_for(milliseconds(50));
  server_.Pause();
  auto started = std::chrono::steady_clock::now();
  Result r = s.Call(Request::Get("i").WithTimeout(milliseconds(100)));
  EXPECT_EQ(r.status, Status::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(900));
  server_.Resume();
  EXPECT_EQ(s.Get("i").value, "value");
}

TEST_P(SessionTest, HeartbeatDetectsStoppedServer) {
  SessionOptions o = OptionsFor(server_.port());
  o.heartbeat_interval = milliseconds(50);
  o.heartbeat_timeout = milliseconds(200);
  o.request_timeout = milliseconds(0);  // only the heartbeat can fail it
  o.reconnect_backoff_min = milliseconds(20);
  o.reconnect_backoff_max = milliseconds(100);
  Session s(o);
  ASSERT_TRUE(s.Set("h", "1").ok());
  server_.Pause();
  auto pending = s.Async(Request::Get("h"));
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  Result r = pending.get();
  EXPECT_EQ(r.status, Status::kConnectionError);
  EXPECT_NE(r.message.find("no reply"), std::string::npos) << r.message;
  // Idle and stopped: the heartbeat alone must notice.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool saw_down = false;
  while (std::chrono::steady_clock::now() < deadline && !saw_down) {
    std::this_thread::sleep_for(milliseconds(20));
    saw_down = !s.connected() && s.last_error().find("no reply") != std::string::npos;
  }
  EXPECT_TRUE(saw_down);
  server_.Resume();
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  Result ok;
  do {
    std::this_thread::sleep_for(milliseconds(20));
    ok = s.Get("h");
  } while (!ok.ok() && std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(ok.ok()) << ok.Describe();
}

TEST_P(SessionTest, KilledServerFailsFastAndSessionRecoversOnRestart) {
  SessionOptions o = OptionsFor(server_.port());
  o.reconnect_backoff_min = milliseconds(10);
  o.reconnect_backoff_max = milliseconds(50);
  Session s(o);
  ASSERT_TRUE(s.Set("r", "1").ok());
  uint16_t port = server_.port();
  server_.Kill();
  auto started = std::chrono::steady_clock::now();
  Result r;
  for (int i = 0; i < 100 && r.status != Status::kConnectionError; ++i) r = s.Get("r");
  EXPECT_EQ(r.status, Status::kConnectionError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(s.Get("r").status, Status::kConnectionError);

  ServerProcess again(ServerArgv(), port);
  ASSERT_TRUE(again.Start()) << again.error();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  Result ok;
  do {
    std::this_thread::sleep_for(milliseconds(10));
    ok = s.Set("r", "2");
  } while (!ok.ok() && std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(ok.ok()) << ok.Describe();
  EXPECT_EQ(s.Get("r").value, "2");
}

TEST_P(SessionTest, CloseFailsPendingAndLaterRequests) {
  Session s(OptionsFor(server_.port()));
  server_.Pause();
  auto pending = s.Async(Request::Get("x"));
  s.Close();
  EXPECT_EQ(pending.get().status, Status::kConnectionError);
  EXPECT_EQ(s.Get("x").status, Status::kConnectionError);
  server_.Resume();
}

// A one-connection fake server that answers the first request with `reply`.
class FakeServer {
 public:
  explicit FakeServer(std::string reply) : reply_(std::move(reply)) {
    listen_fd_ = test_common::ListenLoopback(&port_);
    thread_ = std::thread([this] {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      char buf[1024];
      if (read(fd, buf, sizeof(buf)) > 0) {
        ssize_t ignored = write(fd, reply_.data(), reply_.size());
        (void)ignored;
      }
      while (read(fd, buf, sizeof(buf)) > 0) {
      }
      close(fd);
    });
  }
  ~FakeServer() {
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  std::string reply_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(SessionProtocolTest, GarbageReplyDropsTheConnection) {
  FakeServer server("BOGUS REPLY\r\n");
  SessionOptions o;
  o.server.port = server.port();
  o.reconnect = false;
  Session s(o);
  ASSERT_TRUE(s.connected());
  Result r = s.Get("k");
  EXPECT_EQ(r.status, Status::kConnectionError);
  EXPECT_NE(r.message.find("protocol error"), std::string::npos) << r.message;
  EXPECT_FALSE(s.connected());
}

TEST(SessionProtocolTest, ReplyOfTheWrongKindDropsTheConnection) {
  FakeServer server("STORED\r\n");
  SessionOptions o;
  o.server.port = server.port();
  o.reconnect = false;
  Session s(o);
  Result r = s.Get("k");
  EXPECT_EQ(r.status, Status::kConnectionError);
  EXPECT_NE(r.message.find("unexpected reply STORED to get"), std::string::npos)
      << r.message;
}

}  // namespace
}  // namespace client
