#include "sock/connector.h"

#include <event2/event.h>
#include <glog/logging.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <utility>

#include "sock/connection_options.h"
#include "sock/event_connection.h"
#include "sock/event_loop.h"
#include "sock/socket_util.h"
#include "sock/threaded_connection.h"

namespace sock {

namespace {

// Client connection ids count down from the top so they never collide with a
// server's ids in one process's logs.
std::atomic<uint64_t> next_client_id{~uint64_t{0} >> 1};

std::string Target(const ConnectOptions& o) {
  return o.host + ":" + std::to_string(o.port);
}

// Wraps a connected fd in a connection of the chosen engine and starts it.
// For the event engine on its own loop thread, OnOpen has run on return.
ConnectionPtr MakeConnection(const ConnectOptions& options, int fd,
                             std::unique_ptr<ConnectionHandler> handler) {
  SetTcpNoDelay(fd, options.tcp_nodelay);
  ConnectionOptions copts;
  copts.output_high_water = options.output_high_water;
  copts.output_low_water = options.output_low_water;
  copts.read_chunk = options.read_chunk;
  copts.idle_timeout = options.idle_timeout;
  copts.stats = options.stats;
  uint64_t id = next_client_id.fetch_sub(1, std::memory_order_relaxed);
  std::string peer = PeerName(fd);
  if (options.engine == Engine::kEvent) {
    auto conn = EventConnection::Create(options.loop, fd, id, std::move(peer),
                                        std::move(handler), std::move(copts));
    options.loop->RunInLoop([conn] { conn->Start(); });
    return conn;
  }
  auto conn = ThreadedConnection::Create(fd, id, std::move(peer),
                                         std::move(handler), std::move(copts));
  if (!conn->Start()) return nullptr;  // destroying it closes the fd
  return conn;
}

// One non-blocking connect in progress on a loop. Owns itself: deleted by
// Finish, which runs exactly once (handshake done, timeout, or loop destroyed).
class PendingConnect {
 public:
  PendingConnect(ConnectOptions options, std::unique_ptr<ConnectionHandler> handler,
                 ConnectCallback done)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        done_(std::move(done)) {}

  void Begin() {
    EventLoop* loop = options_.loop;
    loop->AssertInLoopThread();
    sockaddr_storage addr{};
    socklen_t len = 0;
    std::string error;
    if (!ResolveTcp(options_.host, options_.port, &addr, &len, &error)) {
      Finish(error);
      return;
    }
    fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      Finish("socket: " + ErrnoText(errno));
      return;
    }
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0) {
      Finish("");
      return;
    }
    if (errno != EINPROGRESS) {
      Finish("connect " + Target(options_) + ": " + ErrnoText(errno));
      return;
    }
    event_ = event_new(loop->base(), fd_, EV_WRITE, &PendingConnect::OnEvent, this);
    CHECK(event_ != nullptr);
    auto ms = options_.timeout.count() > 0 ? options_.timeout.count() : 0;
    timeval tv{static_cast<time_t>(ms / 1000),
               static_cast<suseconds_t>((ms % 1000) * 1000)};
    event_add(event_, options_.timeout.count() > 0 ? &tv : nullptr);
    hook_ = loop->AddDestroyHook([this] {
      hook_ = 0;
      Finish("connect " + Target(options_) + ": event loop destroyed");
    });
  }

 private:
  static void OnEvent(int /*fd*/, short what, void* arg) {
    auto* self = static_cast<PendingConnect*>(arg);
    if (what & EV_TIMEOUT) {
      self->Finish("connect " + Target(self->options_) + ": timed out");
      return;
    }
    int so_error = 0;
    socklen_t len = sizeof(so_error);
    ::getsockopt(self->fd_, SOL_SOCKET, SO_ERROR, &so_error, &len);
    self->Finish(so_error == 0 ? std::string()
                               : "connect " + Target(self->options_) + ": " +
                                     ErrnoText(so_error));
  }

  void Finish(const std::string& error) {
    if (event_ != nullptr) event_free(event_);
    event_ = nullptr;
    if (hook_ != 0) options_.loop->RemoveDestroyHook(hook_);
    hook_ = 0;
    ConnectCallback done = std::move(done_);
    ConnectionPtr conn;
    std::string result = error;
    if (error.empty()) {
      conn = MakeConnection(options_, fd_, std::move(handler_));
      if (conn == nullptr) result = "connect " + Target(options_) + ": cannot start threads";
    } else if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = -1;
    delete this;
    if (done) done(std::move(conn), result);
  }

  ConnectOptions options_;
  std::unique_ptr<ConnectionHandler> handler_;
  ConnectCallback done_;
  int fd_ = -1;
  event* event_ = nullptr;
  uint64_t hook_ = 0;
};

}  // namespace

ConnectionPtr Connect(const ConnectOptions& options,
                      std::unique_ptr<ConnectionHandler> handler,
                      std::string* error) {
  std::string ignored;
  if (error == nullptr) error = &ignored;
  if (handler == nullptr) {
    *error = "Connect: null handler";
    return nullptr;
  }
  if (options.engine == Engine::kEvent && options.loop == nullptr) {
    *error = "Connect: the event engine needs an EventLoop";
    return nullptr;
  }
  IgnoreSigPipe();
  int fd = ConnectTcp(options.host, options.port, options.timeout, error);
  if (fd < 0) return nullptr;
  ConnectionPtr conn = MakeConnection(options, fd, std::move(handler));
  if (conn == nullptr) *error = "connect " + Target(options) + ": cannot start threads";
  return conn;
}

void ConnectAsync(const ConnectOptions& options,
                  std::unique_ptr<ConnectionHandler> handler,
                  ConnectCallback done) {
  CHECK(options.loop != nullptr) << "ConnectAsync needs options.loop";
  CHECK(handler != nullptr);
  IgnoreSigPipe();
  auto* pending = new PendingConnect(options, std::move(handler), std::move(done));
  // Always queued, so `done` never runs inside ConnectAsync itself.
  options.loop->QueueInLoop([pending] { pending->Begin(); });
}

}  // namespace sock
