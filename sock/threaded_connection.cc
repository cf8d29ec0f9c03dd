#include "sock/threaded_connection.h"

#include <glog/logging.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>
#include <utility>

#include "sock/server.h"
#include "sock/socket_util.h"

namespace sock {

namespace {

bool WouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

int MillisUntil(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  // Round up so we never wake just before the deadline and spin.
  return left.count() < 0 ? 0 : static_cast<int>(left.count()) + 1;
}

}  // namespace

std::shared_ptr<ThreadedConnection> ThreadedConnection::Create(
    int fd, uint64_t id, std::string peer,
    std::unique_ptr<ConnectionHandler> handler, ConnectionOptions options) {
  return std::shared_ptr<ThreadedConnection>(new ThreadedConnection(
      fd, id, std::move(peer), std::move(handler), std::move(options)));
}

ThreadedConnection::ThreadedConnection(int fd, uint64_t id, std::string peer,
                                       std::unique_ptr<ConnectionHandler> handler,
                                       ConnectionOptions options)
    : Connection(id, std::move(peer)),
      fd_(fd),
      reader_wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      writer_wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      handler_(std::move(handler)),
      options_(std::move(options)) {
  CHECK(handler_ != nullptr);
  PCHECK(reader_wake_fd_ >= 0 && writer_wake_fd_ >= 0) << "eventfd";
  // Both threads block in poll(), never in read/write, so a wake-up fd can
  // always interrupt them.
  SetNonBlocking(fd_, true);
  IgnoreSigPipe();
}

ThreadedConnection::~ThreadedConnection() {
  if (writer_.joinable()) writer_.join();  // only if the reader never ran
  if (reader_.joinable()) {
    if (reader_.get_id() == std::this_thread::get_id()) {
      reader_.detach();  // the last reference died on the reader thread
    } else {
      reader_.join();
    }
  }
  if (!fd_closed_ && fd_ >= 0) ::close(fd_);
  ::close(reader_wake_fd_);
  ::close(writer_wake_fd_);
}

bool ThreadedConnection::Start() {
  CHECK(!reader_.joinable()) << "connection " << id() << " started twice";
  auto self = std::static_pointer_cast<ThreadedConnection>(shared_from_this());
  // The writer first: the reader joins it, so it must exist before the reader.
  // Thread creation can throw; nothing may escape into an event-loop callback.
  try {
    writer_ = std::thread([this] { WriterMain(); });
  } catch (const std::system_error& e) {
    LOG_EVERY_N(ERROR, 100) << "connection " << id() << ": no writer thread: " << e.what();
    return false;
  }
  try {
    reader_ = std::thread([this, self]() mutable { ReaderMain(std::move(self)); });
  } catch (const std::system_error& e) {
    LOG_EVERY_N(ERROR, 100) << "connection " << id() << ": no reader thread: " << e.what();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      abort_ = true;
    }
    writer_cv_.notify_one();
    writer_.join();
    return false;
  }
  return true;
}

void ThreadedConnection::Join() {
  CHECK(!OnReaderThread());
  if (reader_.joinable()) reader_.join();
}

void ThreadedConnection::Signal(int efd) {
  uint64_t one = 1;
  ssize_t n = ::write(efd, &one, sizeof(one));
  (void)n;
}

void ThreadedConnection::ClearSignal(int efd) {
  uint64_t value;
  ssize_t n = ::read(efd, &value, sizeof(value));
  (void)n;
}

// ---- the reader thread ------------------------------------------------------

void ThreadedConnection::ReaderMain(std::shared_ptr<ThreadedConnection> self) {
  reader_id_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  VLOG(1) << "connection " << id() << " open, peer " << peer();
  in_input_ = true;
  handler_->OnOpen(this);
  in_input_ = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.AppendBuffer(&pre_open_);
    opened_ = true;
  }
  writer_cv_.notify_one();
  ServeInput();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    input_done_ = true;  // no more output from OnInput: the writer may finish
  }
  writer_cv_.notify_one();
  WaitForWriter();
  Linger();
  Teardown(std::move(self));
}

bool ThreadedConnection::WaitReadable(int timeout_ms, bool* woken) {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {reader_wake_fd_, POLLIN, 0}};
  int r = ::poll(fds, 2, timeout_ms);
  if (r <= 0) return false;  // timeout or EINTR: the caller re-checks
  if (fds[1].revents != 0) {
    ClearSignal(reader_wake_fd_);
    *woken = true;
  }
  return fds[0].revents != 0;
}

void ThreadedConnection::ServeInput() {
  const auto idle = options_.idle_timeout;
  auto last_input = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (abort_ || close_requested_) return;
      if (pending_bytes_.load() > options_.output_high_water) {
        // Back-pressure: stop reading until the writer drains below low water.
        auto resumed = [this] {
          return abort_ || close_requested_ ||
                 pending_bytes_.load() <= options_.output_low_water;
        };
        if (idle.count() > 0) {
          if (!reader_cv_.wait_until(lock, last_input + idle, resumed)) {
            lock.unlock();
            RequestClose("idle timeout");
            return;
          }
        } else {
          reader_cv_.wait(lock, resumed);
        }
        continue;
      }
    }
    int timeout_ms = -1;
    if (idle.count() > 0) {
      if (std::chrono::steady_clock::now() - last_input >= idle) {
        RequestClose("idle timeout");
        return;
      }
      timeout_ms = MillisUntil(last_input + idle);
    }
    bool woken = false;
    if (!WaitReadable(timeout_ms, &woken)) continue;
    long n = input_.ReadFrom(fd_, options_.read_chunk);
    if (n > 0) {
      if (options_.stats != nullptr) {
        options_.stats->bytes_read.fetch_add(n, std::memory_order_relaxed);
      }
      const size_t buffered = input_.size();
      in_input_ = true;
      handler_->OnInput(this, &input_);
      in_input_ = false;
      // Only consumed input counts as activity (see EventConnection::HandleRead).
      if (input_.size() < buffered) last_input = std::chrono::steady_clock::now();
      if (queued_in_input_) {
        queued_in_input_ = false;
        writer_cv_.notify_one();  // one wake-up for the whole batch
      }
    } else if (n == 0) {
      peer_eof_ = true;  // half-close: still deliver what is queued
      RequestClose("peer closed");
      return;
    } else if (errno != EINTR && !WouldBlock(errno)) {
      std::string reason = errno == ECONNRESET ? std::string("reset by peer")
                                               : "read error: " + ErrnoText(errno);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!abort_) close_reason_ = reason;
        abort_ = true;
      }
      Signal(writer_wake_fd_);
      writer_cv_.notify_one();
      return;
    }
  }
}

void ThreadedConnection::WaitForWriter() {
  std::unique_lock<std::mutex> lock(mutex_);
  auto done = [this] { return writer_done_; };
  // A peer that never reads must not keep us here forever: with an idle
  // timeout, give the flush that long before aborting.
  if (options_.idle_timeout.count() > 0 && !abort_) {
    if (reader_cv_.wait_for(lock, options_.idle_timeout, done)) return;
    if (!abort_) close_reason_ = "idle timeout";
    abort_ = true;
    lock.unlock();
    Signal(writer_wake_fd_);
    writer_cv_.notify_one();
    lock.lock();
  }
  reader_cv_.wait(lock, done);
}

void ThreadedConnection::Linger() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (abort_) return;
  }
  if (peer_eof_ || options_.linger_timeout.count() <= 0) return;
  // The writer sent FIN; drain input until the peer's FIN so unread bytes do
  // not turn close() into a reset that destroys replies in flight.
  auto deadline = std::chrono::steady_clock::now() + options_.linger_timeout;
  char scratch[16 << 10];
  for (;;) {
    int timeout_ms = MillisUntil(deadline);
    if (std::chrono::steady_clock::now() >= deadline) return;
    bool woken = false;
    bool readable = WaitReadable(timeout_ms, &woken);
    if (woken) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (abort_) return;
    }
    if (!readable) continue;
    ssize_t n = ::read(fd_, scratch, sizeof(scratch));
    if (n == 0 || (n < 0 && errno != EINTR && !WouldBlock(errno))) return;
  }
}

void ThreadedConnection::Teardown(std::shared_ptr<ThreadedConnection> self) {
  writer_.join();
  std::string reason;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (abort_) SetLingerZero(fd_);
    ::close(fd_);
    fd_closed_ = true;
    queue_.Clear();
    pre_open_.Clear();
    pending_bytes_.store(0);
    reason = close_reason_.empty() ? "closed" : close_reason_;
  }
  open_.store(false);
  input_.Clear();
  VLOG(1) << "connection " << id() << " closed: " << reason;
  handler_->OnClose(this, reason);
  if (options_.on_closed) options_.on_closed(self);
}

// ---- the writer thread ------------------------------------------------------

void ThreadedConnection::WriterMain() {
  Buffer batch;
  bool graceful = true;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      writer_cv_.wait(lock, [this] {
        return abort_ || !queue_.empty() || input_done_;
      });
      if (abort_) {
        graceful = false;
        break;
      }
      if (queue_.empty()) break;  // input done and everything written
      batch.AppendBuffer(&queue_);
    }
    if (!WriteBatch(&batch)) {
      graceful = false;
      break;
    }
  }
  batch.Clear();
  if (graceful) ::shutdown(fd_, SHUT_WR);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    writer_done_ = true;
  }
  reader_cv_.notify_all();
  Signal(reader_wake_fd_);
}

bool ThreadedConnection::WriteBatch(Buffer* batch) {
  while (!batch->empty()) {
    long n = batch->WriteTo(fd_);
    if (n > 0) {
      if (options_.stats != nullptr) {
        options_.stats->bytes_written.fetch_add(n, std::memory_order_relaxed);
      }
      size_t before = pending_bytes_.fetch_sub(n);
      if (before > options_.output_low_water &&
          before - n <= options_.output_low_water) {
        std::lock_guard<std::mutex> lock(mutex_);  // no lost wake-up
        reader_cv_.notify_all();
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && WouldBlock(errno)) {
      pollfd fds[2] = {{fd_, POLLOUT, 0}, {writer_wake_fd_, POLLIN, 0}};
      if (::poll(fds, 2, -1) > 0 && fds[1].revents != 0) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (abort_) return false;
      }
      continue;
    }
    std::string reason = "write error: " + ErrnoText(errno);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!abort_) close_reason_ = reason;
      abort_ = true;
    }
    reader_cv_.notify_all();
    Signal(reader_wake_fd_);
    return false;
  }
  return true;
}

// ---- any thread -------------------------------------------------------------

void ThreadedConnection::Send(std::string_view data) {
  if (data.empty()) return;
  bool batched = OnReaderThread() && in_input_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (abort_ || writer_done_) return;
    (opened_ || batched ? queue_ : pre_open_).Append(data);
    pending_bytes_.fetch_add(data.size());
  }
  if (batched) {
    queued_in_input_ = true;
  } else {
    writer_cv_.notify_one();
  }
}

void ThreadedConnection::Send(Buffer* data) {
  if (data->empty()) return;
  bool batched = OnReaderThread() && in_input_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (abort_ || writer_done_) {
      data->Clear();
      return;
    }
    pending_bytes_.fetch_add(data->size());
    (opened_ || batched ? queue_ : pre_open_).AppendBuffer(data);
  }
  if (batched) {
    queued_in_input_ = true;
  } else {
    writer_cv_.notify_one();
  }
}

void ThreadedConnection::RequestClose(const char* reason) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (close_requested_ || abort_) return;
    close_requested_ = true;
    close_reason_ = reason;
  }
  reader_cv_.notify_all();
  writer_cv_.notify_one();
}

void ThreadedConnection::Close() {
  RequestClose("closed");
  if (!OnReaderThread()) Signal(reader_wake_fd_);
}

void ThreadedConnection::Abort() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (abort_ || fd_closed_) return;
    abort_ = true;
    close_reason_ = "aborted";
  }
  Signal(reader_wake_fd_);
  Signal(writer_wake_fd_);
  reader_cv_.notify_all();
  writer_cv_.notify_one();
}

bool ThreadedConnection::connected() const { return open_.load(); }

size_t ThreadedConnection::pending_output() const { return pending_bytes_.load(); }

}  // namespace sock
