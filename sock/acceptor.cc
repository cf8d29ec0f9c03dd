#include "sock/acceptor.h"

#include <event2/event.h>
#include <fcntl.h>
#include <glog/logging.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "sock/event_loop.h"
#include "sock/socket_util.h"

namespace sock {

namespace {
// Accept at most this many per wakeup so one busy listener cannot starve the
// acceptor loop's other work.
constexpr int kMaxAcceptsPerEvent = 64;
}  // namespace

Acceptor::Acceptor(EventLoop* loop, int listen_fd, NewConnectionCallback callback)
    : loop_(loop),
      listen_fd_(listen_fd),
      spare_fd_(::open("/dev/null", O_RDONLY | O_CLOEXEC)),
      callback_(std::move(callback)) {}

Acceptor::~Acceptor() {
  Stop();
  if (spare_fd_ >= 0) ::close(spare_fd_);
}

void Acceptor::Listen() {
  loop_->AssertInLoopThread();
  CHECK(event_ == nullptr);
  event_ = event_new(loop_->base(), listen_fd_, EV_READ | EV_PERSIST,
                     &Acceptor::OnAcceptable, this);
  CHECK(event_ != nullptr);
  event_add(event_, nullptr);
}

void Acceptor::Stop() {
  if (event_ != nullptr) {
    loop_->AssertInLoopThread();
    event_free(event_);
    event_ = nullptr;
  }
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void Acceptor::OnAcceptable(int, short, void* arg) {
  static_cast<Acceptor*>(arg)->HandleAccept();
}

void Acceptor::HandleAccept() {
  for (int i = 0; i < kMaxAcceptsPerEvent && listen_fd_ >= 0; ++i) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      callback_(fd);
      continue;
    }
    int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK) return;
    if (err == EINTR || err == ECONNABORTED) continue;
    if ((err == EMFILE || err == ENFILE) && spare_fd_ >= 0) {
      // Out of fds: the pending connection would keep the listener readable
      // forever. Free the spare, accept and drop it, take the spare back.
      LOG_EVERY_N(WARNING, 100) << "accept: " << ErrnoText(err)
                                << "; dropping a connection";
      ::close(spare_fd_);
      int dropped = ::accept(listen_fd_, nullptr, nullptr);
      if (dropped >= 0) ::close(dropped);
      spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      continue;
    }
    LOG_EVERY_N(WARNING, 100) << "accept: " << ErrnoText(err);
    return;
  }
}

}  // namespace sock
