#include "tests/sock/test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include <gtest/gtest.h>

namespace sock_test {

EchoLineHandler::~EchoLineHandler() = default;

void EchoLineHandler::OnOpen(sock::Connection* conn) {
  stats_->opened.fetch_add(1);
  if (stats_->keep_connections) {
    std::lock_guard<std::mutex> lock(stats_->mutex);
    stats_->connections.push_back(conn->shared_from_this());
  }
}

void EchoLineHandler::OnInput(sock::Connection* conn, sock::Buffer* input) {
  sock::Buffer out;
  for (;;) {
    size_t nl = input->FindNewline();
    if (nl == sock::Buffer::kNpos) break;
    std::string_view line = input->Peek(nl + 1).substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "quit") {
      input->Clear();
      conn->Send(&out);
      conn->Close();
      return;
    }
    if (line == "chunks") {
      // 1000 referenced pieces: far more chains than one writev takes.
      static const char kPiece[] = "0123456789";
      for (int i = 0; i < 1000; ++i) out.AppendReference(kPiece, 10, nullptr, nullptr);
      out.Append("\r\n");
      input->Drain(nl + 1);
      continue;
    }
    if (line == "abort") {
      input->Clear();
      conn->Abort();
      return;
    }
    out.Append(line);
    out.Append("\r\n");
    input->Drain(nl + 1);
  }
  conn->Send(&out);
  size_t pending = conn->pending_output();
  size_t seen = stats_->max_pending.load();
  while (pending > seen && !stats_->max_pending.compare_exchange_weak(seen, pending)) {
  }
}

void EchoLineHandler::OnClose(sock::Connection* /*conn*/, std::string_view reason) {
  EXPECT_FALSE(closed_) << "OnClose called twice";
  closed_ = true;
  std::lock_guard<std::mutex> lock(stats_->mutex);
  stats_->close_reasons.emplace_back(reason);
  stats_->closed.fetch_add(1);
}

Client::~Client() { Close(); }

bool Client::Connect(uint16_t port, int rcvbuf) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    last_errno_ = errno;
    return false;
  }
  return true;
}

bool Client::SendAll(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      last_errno_ = errno;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string Client::ReadExactly(size_t n, std::chrono::milliseconds timeout) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[64 << 10];
  while (out.size() < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t got = ::recv(fd_, buf, std::min(sizeof(buf), n - out.size()), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      last_errno_ = got < 0 ? errno : 0;
      break;
    }
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

std::string Client::ReadToEof(bool* eof, std::chrono::milliseconds timeout) {
  std::string out;
  *eof = false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[64 << 10];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t got = ::recv(fd_, buf, sizeof(buf), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got == 0) {
      *eof = true;
      break;
    }
    if (got < 0) {
      last_errno_ = errno;
      break;
    }
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

void Client::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

void Client::Reset() {
  linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  Close();
}

void Client::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace sock_test
