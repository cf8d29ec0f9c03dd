// Client fault: the connection is reset in the middle of a reply (half a
// VALUE block, then RST). Every request in flight must complete with an
// error well within its deadline, none may get another request's bytes, and
// the session must serve the next request on a fresh connection.
// (Killed and SIGSTOPped servers are covered in session_test.cc.)
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "client/session.h"
#include "tests/common/server_process.h"

namespace client {
namespace {

using std::chrono::milliseconds;

// Connection 1: reads the requests, sends half a reply, resets. Later
// connections: answer every "get " with a one-byte value named after the
// connection, so a reply meant for another request would show.
class ResettingServer {
 public:
  explicit ResettingServer(std::string partial) : partial_(std::move(partial)) {
    listen_fd_ = test_common::ListenLoopback(&port_);
    thread_ = std::thread([this] { Run(); });
  }
  ~ResettingServer() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  void Run() {
    for (int n = 1; !stop_; ++n) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      timeval tv{0, 200000};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      std::string in;
      char buf[4096];
      ssize_t r;
      if (n == 1) {
        // Wait for the requests, then half a reply and a reset.
        while (in.find("\r\n") == std::string::npos && (r = read(fd, buf, sizeof(buf))) > 0) {
          in.append(buf, static_cast<size_t>(r));
        }
        ssize_t ignored = write(fd, partial_.data(), partial_.size());
        (void)ignored;
        linger lin{1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
        close(fd);
        continue;
      }
      while (!stop_ && (r = read(fd, buf, sizeof(buf))) != 0) {
        if (r < 0) continue;  // timeout: check stop_
        in.append(buf, static_cast<size_t>(r));
        size_t eol;
        while ((eol = in.find("\r\n")) != std::string::npos) {
          std::string line = in.substr(0, eol);
          in.erase(0, eol + 2);
          std::string key = line.substr(line.find(' ') + 1);
          std::string reply = "VALUE " + key + " 0 " + std::to_string(key.size()) +
                              "\r\n" + key + "\r\nEND\r\n";
          ssize_t ignored = write(fd, reply.data(), reply.size());
          (void)ignored;
        }
      }
      close(fd);
    }
  }

  std::string partial_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(ResetMidReplyTest, InFlightRequestsFailFastAndLaterOnesGetTheirOwnReplies) {
  for (const std::string& partial :
       {std::string("VALUE a 0 10\r\nabc"), std::string("VALUE a 0 1\r\na\r\nEN"),
        std::string("VALUE a 0 1\r\na\r\nEND\r\nVALUE b 0 1\r\n")}) {
    ResettingServer server(partial);
    SessionOptions o;
    o.server.port = server.port();
    o.request_timeout = milliseconds(3000);
    Session s(o);
    ASSERT_TRUE(s.connected()) << s.last_error();
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::future<Result>> pending;
    for (const char* key : {"a", "b", "c"}) pending.push_back(s.Async(Request::Get(key)));
    int failed = 0;
    for (size_t i = 0; i < pending.size(); ++i) {
      Result r = pending[i].get();
      if (r.ok()) {
        // Only "a" may have been answered before the reset, and only with its own value.
        EXPECT_EQ(0u, i) << partial;
        EXPECT_EQ("a", r.value) << partial;
      } else {
        EXPECT_EQ(Status::kConnectionError, r.status) << partial << ": " << r.message;
        ++failed;
      }
    }
    EXPECT_GE(failed, 2) << partial;
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2500))
        << "in-flight requests waited for their deadline";
    // The session reconnects; each later request gets exactly its own value.
    bool served = false;
    for (int attempt = 0; attempt < 50 && !served; ++attempt) {
      Result r = s.Get("key" + std::to_string(attempt));
      if (r.ok()) {
        EXPECT_EQ("key" + std::to_string(attempt), r.value);
        served = true;
      } else {
        std::this_thread::sleep_for(milliseconds(50));
      }
    }
    EXPECT_TRUE(served) << partial;
    for (int i = 0; i < 20 && served; ++i) {
      Result r = s.Get("k" + std::to_string(i));
      ASSERT_TRUE(r.ok()) << r.message;
      EXPECT_EQ("k" + std::to_string(i), r.value);
    }
  }
}

}  // namespace
}  // namespace client
