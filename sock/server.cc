#include "sock/server.h"

#include <glog/logging.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sock/acceptor.h"
#include "sock/connection_options.h"
#include "sock/event_connection.h"
#include "sock/event_loop.h"
#include "sock/event_loop_thread.h"
#include "sock/socket_util.h"
#include "sock/threaded_connection.h"

namespace sock {

bool ParseEngine(const std::string& name, Engine* engine) {
  if (name == "event") {
    *engine = Engine::kEvent;
    return true;
  }
  if (name == "threaded") {
    *engine = Engine::kThreaded;
    return true;
  }
  return false;
}

const char* EngineName(Engine engine) {
  return engine == Engine::kEvent ? "event" : "threaded";
}

namespace {

// Runs `f` on `loop` and waits for it (the caller is not the loop thread).
void RunAndWait(EventLoop* loop, std::function<void()> f) {
  std::promise<void> done;
  std::future<void> waited = done.get_future();
  loop->RunInLoop([&] {
    f();
    done.set_value();
  });
  waited.wait();
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, HandlerFactory factory)
      : options_(std::move(options)), factory_(std::move(factory)) {}
  ~Impl() { Stop(); }

  bool Start(std::string* error);
  void Stop();

  uint16_t port() const { return port_.load(); }
  const ServerOptions& options() const { return options_; }
  const ServerStats& stats() const { return stats_; }
  std::vector<uint64_t> LoopBusyNanos() const {
    std::vector<uint64_t> busy;
    for (const auto& t : io_threads_) busy.push_back(t->loop()->busy_nanos());
    return busy;
  }

 private:
  void OnNewConnection(int fd);  // acceptor thread
  void Refuse(int fd);
  void OnClosed(const ConnectionPtr& conn);  // any connection thread
  void ReapZombies();
  std::vector<ConnectionPtr> Snapshot();
  // Waits until every connection has closed or `timeout` passes.
  bool WaitForNoConnections(std::chrono::milliseconds timeout);

  const ServerOptions options_;
  const HandlerFactory factory_;
  ServerStats stats_;
  ConnectionOptions connection_options_;
  std::atomic<uint16_t> port_{0};
  bool running_ = false;  // controlling thread only

  std::unique_ptr<EventLoopThread> accept_thread_;
  std::unique_ptr<Acceptor> acceptor_;  // accept loop thread
  std::vector<std::unique_ptr<EventLoopThread>> io_threads_;
  size_t next_loop_ = 0;  // accept loop thread
  EventLoop::TimerId reap_timer_ = 0;
  std::atomic<uint64_t> next_id_{1};

  std::mutex mutex_;
  std::condition_variable closed_cv_;
  std::unordered_map<uint64_t, ConnectionPtr> connections_;       // guarded
  std::vector<std::shared_ptr<ThreadedConnection>> zombies_;       // guarded
};

bool Server::Impl::Start(std::string* error) {
  std::string ignored;
  if (error == nullptr) error = &ignored;
  if (running_) {
    *error = "server already running";
    return false;
  }
  if (!factory_) {
    *error = "server has no handler factory";
    return false;
  }
  IgnoreSigPipe();
  int fd = CreateListenSocket(options_.address, options_.port, options_.backlog,
                              error);
  if (fd < 0) return false;
  port_.store(LocalPort(fd));

  connection_options_.output_high_water = options_.output_high_water;
  connection_options_.output_low_water = options_.output_low_water;
  connection_options_.read_chunk = options_.read_chunk;
  connection_options_.idle_timeout = options_.idle_timeout;
  connection_options_.stats = &stats_;
  connection_options_.on_closed = [this](const ConnectionPtr& c) { OnClosed(c); };

  if (options_.engine == Engine::kEvent) {
    int n = options_.io_threads > 0 ? options_.io_threads : 1;
    for (int i = 0; i < n; ++i) {
      io_threads_.push_back(
          std::make_unique<EventLoopThread>("io" + std::to_string(i),
                                            options_.busy_poll, options_.io_batching));
      io_threads_.back()->Start();
    }
  }
  accept_thread_ = std::make_unique<EventLoopThread>("acceptor");
  EventLoop* accept_loop = accept_thread_->Start();
  RunAndWait(accept_loop, [this, accept_loop, fd] {
    acceptor_ = std::make_unique<Acceptor>(
        accept_loop, fd, [this](int conn_fd) { OnNewConnection(conn_fd); });
    acceptor_->Listen();
  });
  if (options_.engine == Engine::kThreaded) {
    // Join the threads of closed connections now and then.
    reap_timer_ = accept_loop->RunEvery(std::chrono::milliseconds(200),
                                        [this] { ReapZombies(); });
  }
  running_ = true;
  LOG(INFO) << "listening on " << options_.address << ":" << port() << " ("
            << EngineName(options_.engine) << " engine"
            << (options_.engine == Engine::kEvent
                    ? ", " + std::to_string(io_threads_.size()) + " io threads"
                    : std::string())
            << ", max " << options_.max_connections << " connections)";
  return true;
}

void Server::Impl::OnNewConnection(int fd) {
  if (stats_.current_connections.load() >=
      static_cast<uint64_t>(options_.max_connections)) {
    Refuse(fd);
    return;
  }
  stats_.current_connections.fetch_add(1);
  stats_.total_connections.fetch_add(1);
  SetTcpNoDelay(fd, true);
  uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<ConnectionHandler> handler = factory_();
  CHECK(handler != nullptr) << "handler factory returned null";
  if (options_.engine == Engine::kEvent) {
    EventLoop* loop = io_threads_[next_loop_++ % io_threads_.size()]->loop();
    auto conn = EventConnection::Create(loop, fd, id, PeerName(fd),
                                        std::move(handler), connection_options_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      connections_[id] = conn;
    }
    loop->QueueInLoop([conn] { conn->Start(); });
  } else {
    auto conn = ThreadedConnection::Create(fd, id, PeerName(fd),
                                           std::move(handler), connection_options_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      connections_[id] = conn;
    }
    if (!conn->Start()) {
      std::lock_guard<std::mutex> lock(mutex_);
      connections_.erase(id);
      stats_.current_connections.fetch_sub(1);
      closed_cv_.notify_all();
    }
  }
}

void Server::Impl::Refuse(int fd) {
  stats_.rejected_connections.fetch_add(1);
  LOG_EVERY_N(WARNING, 100) << "refusing connection from " << PeerName(fd)
                            << ": max_connections " << options_.max_connections
                            << " reached";
  const std::string& msg = options_.refuse_message;
  if (!msg.empty()) ::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
  // Unread input would turn close() into a reset that can destroy the message.
  char scratch[4096];
  while (::recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) > 0) {
  }
  ::close(fd);
}

void Server::Impl::OnClosed(const ConnectionPtr& conn) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (connections_.erase(conn->id()) == 0) return;
  if (options_.engine == Engine::kThreaded) {
    zombies_.push_back(std::static_pointer_cast<ThreadedConnection>(conn));
  }
  stats_.current_connections.fetch_sub(1);
  closed_cv_.notify_all();
}

void Server::Impl::ReapZombies() {
  std::vector<std::shared_ptr<ThreadedConnection>> zombies;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    zombies.swap(zombies_);
  }
  // Their reader threads are at most finishing on_closed; join them here.
  for (auto& z : zombies) z->Join();
}

std::vector<ConnectionPtr> Server::Impl::Snapshot() {
  std::vector<ConnectionPtr> all;
  std::lock_guard<std::mutex> lock(mutex_);
  all.reserve(connections_.size());
  for (auto& kv : connections_) all.push_back(kv.second);
  return all;
}

bool Server::Impl::WaitForNoConnections(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return closed_cv_.wait_for(lock, timeout, [this] { return connections_.empty(); });
}

void Server::Impl::Stop() {
  if (!running_) return;
  running_ = false;
  LOG(INFO) << "stopping server on port " << port() << ", "
            << stats_.current_connections.load() << " connections open";
  EventLoop* accept_loop = accept_thread_->loop();
  RunAndWait(accept_loop, [this, accept_loop] {
    acceptor_->Stop();
    if (reap_timer_ != 0) accept_loop->Cancel(reap_timer_);
  });

  // Graceful: each connection flushes what is queued, then closes.
  for (auto& c : Snapshot()) c->Close();
  if (!WaitForNoConnections(options_.stop_grace)) {
    std::vector<ConnectionPtr> left = Snapshot();
    LOG(WARNING) << left.size() << " connections still open after stop_grace; "
                 << "aborting them";
    for (auto& c : left) c->Abort();
    if (!WaitForNoConnections(std::chrono::seconds(10))) {
      LOG(ERROR) << "connections did not close after abort";
    }
  }

  for (auto& t : io_threads_) t->Stop();  // runs the connections' last functors
  io_threads_.clear();
  RunAndWait(accept_loop, [this] { acceptor_.reset(); });
  accept_thread_->Stop();
  accept_thread_.reset();
  ReapZombies();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.clear();
  }
  LOG(INFO) << "server stopped";
}

// ---- Server -----------------------------------------------------------------

Server::Server(ServerOptions options, HandlerFactory factory)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(factory))) {}

Server::~Server() = default;

bool Server::Start(std::string* error) { return impl_->Start(error); }
void Server::Stop() { impl_->Stop(); }
uint16_t Server::port() const { return impl_->port(); }
const ServerOptions& Server::options() const { return impl_->options(); }
const ServerStats& Server::stats() const { return impl_->stats(); }
std::vector<uint64_t> Server::LoopBusyNanos() const { return impl_->LoopBusyNanos(); }

}  // namespace sock
