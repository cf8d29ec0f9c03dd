// Batched socket I/O: the raw ring (sock/uring.h) and the event engine's
// per-iteration batch (sock/io_batch.h) with many connections on one loop,
// against the same loop with batching off.
#include "sock/io_batch.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sock/event_connection.h"
#include "sock/event_loop_thread.h"
#include "sock/uring.h"
#include "tests/sock/test_util.h"

namespace sock {
namespace {

using sock_test::EchoLineHandler;
using sock_test::EchoStats;
using sock_test::WaitFor;

msghdr OneBuffer(iovec* iov, void* data, size_t n) {
  iov->iov_base = data;
  iov->iov_len = n;
  msghdr msg;
  std::memset(&msg, 0, sizeof(msg));
  msg.msg_iov = iov;
  msg.msg_iovlen = 1;
  return msg;
}

TEST(UringTest, SendsAndReceivesInOneSubmissionEach) {
  Uring ring;
  std::string error;
  if (!ring.Init(8, &error)) GTEST_SKIP() << "no io_uring here: " << error;
  int a[2], b[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
  char one[] = "first", two[] = "second!";
  iovec iov[2];
  msghdr m0 = OneBuffer(&iov[0], one, 5), m1 = OneBuffer(&iov[1], two, 7);
  ring.QueueSendMsg(a[0], &m0, 10);
  ring.QueueSendMsg(b[0], &m1, 11);
  std::vector<std::pair<uint64_t, int32_t>> done;
  ring.SubmitAndWait([&](uint64_t tag, int32_t res) { done.emplace_back(tag, res); });
  ASSERT_EQ(done.size(), 2u);
  for (auto& d : done) EXPECT_EQ(d.second, d.first == 10 ? 5 : 7);

  char r0[16] = {}, r1[16] = {}, r2[16] = {};
  int c[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, c), 0);  // nothing to read
  iovec riov[3];
  msghdr q0 = OneBuffer(&riov[0], r0, sizeof(r0)), q1 = OneBuffer(&riov[1], r1, sizeof(r1)),
         q2 = OneBuffer(&riov[2], r2, sizeof(r2));
  ring.QueueRecvMsg(a[1], &q0, 0);
  ring.QueueRecvMsg(b[1], &q1, 1);
  ring.QueueRecvMsg(c[1], &q2, 2);
  int32_t res[3] = {0, 0, 0};
  ring.SubmitAndWait([&](uint64_t tag, int32_t r) { res[tag] = r; });
  EXPECT_EQ(res[0], 5);
  EXPECT_EQ(std::string(r0, 5), "first");
  EXPECT_EQ(res[1], 7);
  EXPECT_EQ(std::string(r1, 7), "second!");
  // A read that would block completes at once instead of waiting.
  EXPECT_EQ(res[2], -EAGAIN);

  ::close(c[0]);  // the peer's close reads as end of file
  ring.QueueRecvMsg(c[1], &q2, 2);
  ring.SubmitAndWait([&](uint64_t, int32_t r) { res[2] = r; });
  EXPECT_EQ(res[2], 0);
  for (int fd : {a[0], a[1], b[0], b[1], c[1]}) ::close(fd);
}

// The far ends of `n` connections on one loop, served by EchoLineHandler.
class LoopPeers {
 public:
  LoopPeers(int n, bool batching) : stats_(std::make_shared<EchoStats>()) {
    thread_ = std::make_unique<EventLoopThread>("batch-test", std::chrono::microseconds(0),
                                                batching);
    loop_ = thread_->Start();
    for (int i = 0; i < n; ++i) {
      int sv[2];
      EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
      fcntl(sv[1], F_SETFL, O_NONBLOCK);
      peers_.push_back(sv[0]);
      auto conn = EventConnection::Create(loop_, sv[1], i, "pair",
                                          std::make_unique<EchoLineHandler>(stats_),
                                          ConnectionOptions());
      loop_->RunInLoop([conn] { conn->Start(); });
    }
    EXPECT_TRUE(WaitFor([&] { return stats_->opened.load() == n; }));
  }
  ~LoopPeers() {
    for (int fd : peers_) ::close(fd);
    thread_->Stop();
  }

  int peer(int i) const { return peers_[i]; }
  int size() const { return static_cast<int>(peers_.size()); }
  EchoStats& stats() { return *stats_; }
  uint64_t batched_ops() {
    std::promise<uint64_t> ops;
    loop_->RunInLoop([&] {
      ops.set_value(loop_->io_batch() ? loop_->io_batch()->batched_ops() : 0);
    });
    return ops.get_future().get();
  }

 private:
  std::shared_ptr<EchoStats> stats_;
  std::unique_ptr<EventLoopThread> thread_;
  EventLoop* loop_ = nullptr;
  std::vector<int> peers_;
};

bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads exactly `n` bytes from a blocking socket, with a bounded wait.
std::string ReadN(int fd, size_t n) {
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string out;
  char buf[16 << 10];
  while (out.size() < n) {
    ssize_t got = ::read(fd, buf, std::min(sizeof(buf), n - out.size()));
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

class IoBatchTest : public ::testing::TestWithParam<bool> {};

// Every connection has requests waiting before the loop looks: the loop
// reads them all in one batch and writes all the echoes in another.
TEST_P(IoBatchTest, EchoesManyConnectionsInOrder) {
  const bool batching = GetParam();
  LoopPeers peers(40, batching);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::string> expect(peers.size());
    for (int i = 0; i < peers.size(); ++i) {
      std::string lines;
      for (int k = 0; k <= i % 5; ++k) {
        std::string line = "r" + std::to_string(round) + "c" + std::to_string(i) + "k" +
                           std::to_string(k);
        lines += line + "\n";
        expect[i] += line + "\r\n";
      }
      ASSERT_TRUE(WriteAll(peers.peer(i), lines));
    }
    for (int i = 0; i < peers.size(); ++i) {
      ASSERT_EQ(ReadN(peers.peer(i), expect[i].size()), expect[i]) << "connection " << i;
    }
  }
  if (batching && peers.batched_ops() == 0) {
    // Either io_uring is unavailable here (logged) or nothing overlapped.
    Uring probe;
    std::string error;
    EXPECT_FALSE(probe.Init(8, &error)) << "io_uring works but nothing was batched";
  }
  if (!batching) {
    EXPECT_EQ(peers.batched_ops(), 0u);
  }
}

// Replies of more chains than one batched write carries, and more bytes than
// a batch's read slot, on many connections at once.
TEST_P(IoBatchTest, LargeRepliesAndLargeRequests) {
  LoopPeers peers(16, GetParam());
  const std::string chunks_reply = std::string(10000, ' ') + "\r\n";
  std::string big(100000, 'x');  // a 100 kB line: several reads' worth
  for (int i = 0; i < peers.size(); ++i) {
    ASSERT_TRUE(WriteAll(peers.peer(i), "chunks\n"));
  }
  for (int i = 0; i < peers.size(); ++i) {
    std::string got = ReadN(peers.peer(i), chunks_reply.size());
    ASSERT_EQ(got.size(), chunks_reply.size());
    for (size_t k = 0; k < 10000; ++k) ASSERT_EQ(got[k], "0123456789"[k % 10]) << k;
    ASSERT_EQ(got.substr(10000), "\r\n");
  }
  std::vector<std::thread> writers;
  for (int i = 0; i < peers.size(); ++i) {
    writers.emplace_back([&, i] { WriteAll(peers.peer(i), big + "\n"); });
  }
  for (int i = 0; i < peers.size(); ++i) {
    EXPECT_EQ(ReadN(peers.peer(i), big.size() + 2), big + "\r\n") << "connection " << i;
  }
  for (auto& t : writers) t.join();
}

// Closes seen by a batched read (end of file) and closes a handler asks for
// (quit) finish like unbatched ones.
TEST_P(IoBatchTest, ClosesInsideABatch) {
  LoopPeers peers(20, GetParam());
  for (int i = 0; i < peers.size(); i += 2) {
    ASSERT_TRUE(WriteAll(peers.peer(i), "bye\nquit\n"));
  }
  for (int i = 1; i < peers.size(); i += 2) ::shutdown(peers.peer(i), SHUT_WR);
  for (int i = 0; i < peers.size(); i += 2) {
    EXPECT_EQ(ReadN(peers.peer(i), 5), "bye\r\n");
    ::shutdown(peers.peer(i), SHUT_WR);  // ends the server's linger
  }
  EXPECT_TRUE(WaitFor([&] { return peers.stats().closed.load() == peers.size(); }));
}

INSTANTIATE_TEST_SUITE_P(Batching, IoBatchTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "batched" : "unbatched";
                         });

}  // namespace
}  // namespace sock
