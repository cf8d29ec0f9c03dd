#include "sock/event_connection.h"

#include <event2/event.h>
#include <glog/logging.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "sock/event_loop.h"
#include "sock/io_batch.h"
#include "sock/server.h"
#include "sock/socket_util.h"

namespace sock {

namespace {

bool WouldBlock(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

}  // namespace

std::shared_ptr<EventConnection> EventConnection::Create(
    EventLoop* loop, int fd, uint64_t id, std::string peer,
    std::unique_ptr<ConnectionHandler> handler, ConnectionOptions options) {
  return std::shared_ptr<EventConnection>(
      new EventConnection(loop, fd, id, std::move(peer), std::move(handler),
                          std::move(options)));
}

EventConnection::EventConnection(EventLoop* loop, int fd, uint64_t id,
                                 std::string peer,
                                 std::unique_ptr<ConnectionHandler> handler,
                                 ConnectionOptions options)
    : Connection(id, std::move(peer)),
      loop_(loop),
      fd_(fd),
      handler_(std::move(handler)),
      options_(std::move(options)) {
  CHECK(loop_ != nullptr);
  CHECK(handler_ != nullptr);
  IgnoreSigPipe();
}

EventConnection::~EventConnection() {
  // Normally CloseNow released everything on the loop thread. A connection
  // that was never started (or whose loop stopped first) still holds them.
  if (read_event_ != nullptr) event_free(read_event_);
  if (write_event_ != nullptr) event_free(write_event_);
  if (timer_event_ != nullptr) event_free(timer_event_);
  if (fd_ >= 0) ::close(fd_);
}

void EventConnection::Start() {
  loop_->AssertInLoopThread();
  CHECK(state_.load() == State::kNew) << "connection " << id() << " started twice";
  self_ = std::static_pointer_cast<EventConnection>(shared_from_this());
  event_base* base = loop_->base();
  read_event_ = event_new(base, fd_, EV_READ | EV_PERSIST,
                          &EventConnection::OnReadable, this);
  write_event_ = event_new(base, fd_, EV_WRITE | EV_PERSIST,
                           &EventConnection::OnWritable, this);
  timer_event_ = event_new(base, -1, 0, &EventConnection::OnTimer, this);
  CHECK(read_event_ && write_event_ && timer_event_);
  state_.store(State::kOpen);
  // If the loop dies first, close rather than leak (or touch a freed base).
  destroy_hook_ = loop_->AddDestroyHook([this] { AbortNow("event loop destroyed"); });
  last_input_ = std::chrono::steady_clock::now();
  if (options_.idle_timeout.count() > 0) ArmTimer(options_.idle_timeout);
  UpdateReadInterest();
  VLOG(1) << "connection " << id() << " open, peer " << peer();
  in_callback_ = true;
  handler_->OnOpen(this);
  in_callback_ = false;
  AfterCallback();
}

// ---- libevent trampolines -------------------------------------------------

// Each trampoline counts its time as the loop's busy time (the loop outlives
// the callback; the connection may close inside it).
void EventConnection::OnReadable(int, short, void* arg) {
  auto* conn = static_cast<EventConnection*>(arg);
  IoBatch* batch = conn->batch();
  if (batch != nullptr && conn->state_.load(std::memory_order_relaxed) == State::kOpen) {
    // Read with the other connections ready in this iteration.
    if (!conn->read_queued_) {
      conn->read_queued_ = true;
      batch->AddRead(conn->self_);
    }
    return;
  }
  EventLoop::BusyScope busy(conn->loop_);
  conn->HandleRead();
}

void EventConnection::OnWritable(int, short, void* arg) {
  auto* conn = static_cast<EventConnection*>(arg);
  EventLoop::BusyScope busy(conn->loop_);
  conn->HandleWrite();
}

void EventConnection::OnTimer(int, short, void* arg) {
  auto* conn = static_cast<EventConnection*>(arg);
  EventLoop::BusyScope busy(conn->loop_);
  conn->HandleTimer();
}

// ---- reading ----------------------------------------------------------------

void EventConnection::HandleRead() {
  DCHECK(loop_->IsInLoopThread());
  if (state_.load(std::memory_order_relaxed) == State::kLingering) {
    HandleLingerRead();
    return;
  }
  long n = input_.ReadFrom(fd_, options_.read_chunk);
  AfterRead(n, n < 0 ? errno : 0);
}

void EventConnection::AfterRead(long n, int err) {
  if (n > 0) {
    if (options_.stats != nullptr) {
      options_.stats->bytes_read.fetch_add(n, std::memory_order_relaxed);
    }
    const size_t buffered = input_.size();
    in_callback_ = true;
    handler_->OnInput(this, &input_);
    in_callback_ = false;
    // Idle means no request completed (memcached's last_cmd_time), not no
    // byte arrived: a client trickling a command that never ends (slowloris)
    // must still time out. Input the handler consumed is activity.
    if (options_.idle_timeout.count() > 0 && input_.size() < buffered) {
      last_input_ = std::chrono::steady_clock::now();
    }
    AfterCallback();
  } else if (n == 0) {
    // Half-close: the peer may still read, so deliver what is queued first.
    peer_eof_ = true;
    input_.Clear();
    RequestClose("peer closed");
  } else if (!WouldBlock(err)) {
    CloseNow(err == ECONNRESET ? "reset by peer" : "read error: " + ErrnoText(err));
  }
}

IoBatch* EventConnection::batch() const { return loop_->io_batch(); }

bool EventConnection::ReadQueued(bool direct) {
  read_queued_ = false;
  State s = state_.load(std::memory_order_relaxed);
  if (s == State::kLingering) {
    HandleLingerRead();
    return false;
  }
  if (s != State::kOpen || !reading_) return false;  // closed or paused since
  if (direct) {
    HandleRead();
    return false;
  }
  return true;
}

void EventConnection::FinishBatchedRead(const char* data, long res, size_t asked) {
  // An earlier connection's handler in this batch may have closed us.
  if (state_.load(std::memory_order_relaxed) != State::kOpen) return;
  if (res <= 0) {
    AfterRead(res == 0 ? 0 : -1, static_cast<int>(-res));
    return;
  }
  input_.Append(data, static_cast<size_t>(res));
  long n = res;
  if (static_cast<size_t>(res) == asked) {
    // More may be waiting (a large value): take it now, zero-copy, rather
    // than a batch slot per loop iteration. EOF or an error shows up again
    // on the next read.
    long more = input_.ReadFrom(fd_, options_.read_chunk);
    if (more > 0) n += more;
  }
  AfterRead(n, 0);
}

void EventConnection::HandleLingerRead() {
  char scratch[16 << 10];
  ssize_t n = ::read(fd_, scratch, sizeof(scratch));
  if (n > 0 || (n < 0 && WouldBlock(errno))) return;  // discard, keep waiting
  CloseNow(close_reason_);
}

void EventConnection::UpdateReadInterest() {
  State s = state_.load(std::memory_order_relaxed);
  bool want = s == State::kLingering ||
              (s == State::kOpen && !read_paused_ && !close_requested_ &&
               !peer_eof_);
  if (want == reading_) return;
  if (want) {
    event_add(read_event_, nullptr);
  } else {
    event_del(read_event_);
  }
  reading_ = want;
}

// ---- writing ----------------------------------------------------------------

void EventConnection::Send(std::string_view data) {
  // Closed connections never touch loop_ (it may be gone already).
  if (data.empty() || state_.load(std::memory_order_acquire) == State::kClosed) {
    return;
  }
  if (loop_->IsInLoopThread()) {
    State s = state_.load(std::memory_order_relaxed);
    if (s == State::kLingering || s == State::kClosed) return;
    output_.Append(data);
    if (s == State::kOpen && !in_callback_) {
      Flush();
    } else {
      output_bytes_.store(output_.size(), std::memory_order_relaxed);
    }
    return;
  }
  bool post;
  {
    std::lock_guard<std::mutex> lock(cross_mutex_);
    if (state_.load() == State::kClosed) return;
    cross_output_.Append(data);
    cross_bytes_.fetch_add(data.size(), std::memory_order_relaxed);
    post = !cross_flush_posted_;
    cross_flush_posted_ = true;
  }
  if (post) PostCrossThreadFlush();
}

void EventConnection::Send(Buffer* data) {
  if (state_.load(std::memory_order_acquire) == State::kClosed) data->Clear();
  if (data->empty()) return;
  if (loop_->IsInLoopThread()) {
    State s = state_.load(std::memory_order_relaxed);
    if (s == State::kLingering || s == State::kClosed) {
      data->Clear();
      return;
    }
    output_.AppendBuffer(data);
    if (s == State::kOpen && !in_callback_) {
      Flush();
    } else {
      output_bytes_.store(output_.size(), std::memory_order_relaxed);
    }
    return;
  }
  bool post;
  {
    std::lock_guard<std::mutex> lock(cross_mutex_);
    if (state_.load() == State::kClosed) {
      data->Clear();
      return;
    }
    cross_bytes_.fetch_add(data->size(), std::memory_order_relaxed);
    cross_output_.AppendBuffer(data);
    post = !cross_flush_posted_;
    cross_flush_posted_ = true;
  }
  if (post) PostCrossThreadFlush();
}

void EventConnection::PostCrossThreadFlush() {
  auto self = std::static_pointer_cast<EventConnection>(shared_from_this());
  loop_->QueueInLoop([self] { self->TakeCrossThreadOutput(); });
}

void EventConnection::TakeCrossThreadOutput() {
  {
    std::lock_guard<std::mutex> lock(cross_mutex_);
    output_.AppendBuffer(&cross_output_);
    cross_bytes_.store(0, std::memory_order_relaxed);
    cross_flush_posted_ = false;
  }
  State s = state_.load(std::memory_order_relaxed);
  if (s == State::kOpen) {
    Flush();
  } else if (s != State::kNew) {
    output_.Clear();
  }
}

void EventConnection::Flush() {
  if (state_.load(std::memory_order_relaxed) != State::kOpen) return;
  IoBatch* io_batch = batch();
  if (io_batch == nullptr) {
    FlushNow();
    return;
  }
  // Written with the other connections' output at the end of this loop
  // iteration (or, outside an iteration, before the loop next waits).
  if (!output_.empty() && !writing_ && !write_queued_) {
    write_queued_ = true;
    io_batch->AddWrite(self_);
  }
  AfterOutputChange();
}

void EventConnection::FlushNow() {
  if (state_.load(std::memory_order_relaxed) != State::kOpen) return;
  if (!output_.empty() && !writing_) {
    long n = WriteSome();
    if (n < 0 && !WouldBlock(errno)) {
      CloseNow("write error: " + ErrnoText(errno));
      return;
    }
    if (!output_.empty()) WaitForRoom();
  }
  AfterOutputChange();
}

void EventConnection::WaitForRoom() {
  event_add(write_event_, nullptr);
  writing_ = true;
}

long EventConnection::WriteSome() {
  // One gather write takes at most 128 chains (libevent's iovec limit); a
  // reply made of many referenced pieces needs a few, so keep writing until
  // the output is empty or the socket is full rather than waiting a loop turn.
  long total = 0;
  long n = 0;
  for (int round = 0; round < 16 && !output_.empty(); ++round) {
    n = output_.WriteTo(fd_);
    if (n <= 0) break;
    total += n;
  }
  CountWritten(total);
  return total > 0 ? total : n;
}

int EventConnection::WriteQueued(iovec* iov, int max, size_t* bytes) {
  write_queued_ = false;
  if (iov == nullptr) {
    FlushNow();
    return 0;
  }
  if (state_.load(std::memory_order_relaxed) != State::kOpen || writing_ ||
      output_.empty()) {
    return 0;
  }
  return output_.PeekChains(iov, max, bytes);
}

void EventConnection::FinishBatchedWrite(long res, size_t asked) {
  if (state_.load(std::memory_order_relaxed) != State::kOpen) return;
  if (res < 0 && !WouldBlock(static_cast<int>(-res))) {
    CloseNow("write error: " + ErrnoText(static_cast<int>(-res)));
    return;
  }
  if (res > 0) {
    output_.Drain(static_cast<size_t>(res));
    CountWritten(res);
  }
  if (res > 0 && static_cast<size_t>(res) == asked) {
    // The socket took everything asked: the rest, if any (more chains than
    // one batched write carries), goes as an unbatched flush would.
    FlushNow();
    return;
  }
  if (!output_.empty() && !writing_) WaitForRoom();  // the socket is full
  AfterOutputChange();
}

void EventConnection::CountWritten(long n) {
  if (n > 0 && options_.stats != nullptr) {
    options_.stats->bytes_written.fetch_add(n, std::memory_order_relaxed);
  }
}

void EventConnection::HandleWrite() {
  DCHECK(loop_->IsInLoopThread());
  if (state_.load(std::memory_order_relaxed) != State::kOpen) return;
  long n = WriteSome();
  if (n < 0 && !WouldBlock(errno)) {
    CloseNow("write error: " + ErrnoText(errno));
    return;
  }
  if (output_.empty() && writing_) {
    event_del(write_event_);
    writing_ = false;
  }
  AfterOutputChange();
}

void EventConnection::AfterOutputChange() {
  size_t pending = output_.size();
  output_bytes_.store(pending, std::memory_order_relaxed);
  if (!read_paused_ && pending > options_.output_high_water) {
    read_paused_ = true;
    VLOG(2) << "connection " << id() << " paused reading, " << pending
            << " bytes queued";
    UpdateReadInterest();
  } else if (read_paused_ && pending <= options_.output_low_water) {
    read_paused_ = false;
    UpdateReadInterest();
  }
  if (pending == 0 && close_requested_) FinishClose();
}

// ---- closing ----------------------------------------------------------------

void EventConnection::AfterCallback() {
  if (abort_requested_) {
    AbortNow("aborted");
    return;
  }
  Flush();
}

void EventConnection::Close() {
  if (state_.load(std::memory_order_acquire) == State::kClosed) return;
  if (loop_->IsInLoopThread()) {
    RequestClose("closed");
    return;
  }
  auto self = std::static_pointer_cast<EventConnection>(shared_from_this());
  loop_->QueueInLoop([self] { self->RequestClose("closed"); });
}

void EventConnection::Abort() {
  auto abort_in_loop = [](EventConnection* c) {
    State s = c->state_.load(std::memory_order_relaxed);
    if (s == State::kClosed) return;
    if (c->in_callback_ || s == State::kNew) {
      c->abort_requested_ = true;  // carried out once the callback returns
    } else {
      c->AbortNow("aborted");
    }
  };
  if (state_.load(std::memory_order_acquire) == State::kClosed) return;
  if (loop_->IsInLoopThread()) {
    abort_in_loop(this);
    return;
  }
  auto self = std::static_pointer_cast<EventConnection>(shared_from_this());
  loop_->QueueInLoop([self, abort_in_loop] { abort_in_loop(self.get()); });
}

void EventConnection::RequestClose(const char* reason) {
  State s = state_.load(std::memory_order_relaxed);
  if (s == State::kLingering || s == State::kClosed) return;
  if (!close_requested_) {
    close_requested_ = true;
    close_reason_ = reason;
  }
  if (s != State::kOpen) return;  // Start() finishes the job
  UpdateReadInterest();
  if (!in_callback_) Flush();
}

void EventConnection::FinishClose() {
  if (peer_eof_ || options_.linger_timeout.count() <= 0) {
    CloseNow(close_reason_);
    return;
  }
  // We close first: send FIN now and keep draining input until the peer's
  // FIN, so unread bytes never make the kernel reset the connection (which
  // would discard replies still in flight).
  ::shutdown(fd_, SHUT_WR);
  state_.store(State::kLingering);
  input_.Clear();
  read_paused_ = false;
  UpdateReadInterest();
  ArmTimer(options_.linger_timeout);
}

void EventConnection::AbortNow(const char* reason) {
  if (state_.load(std::memory_order_relaxed) == State::kClosed) return;
  SetLingerZero(fd_);
  output_.Clear();
  CloseNow(reason);
}

void EventConnection::CloseNow(const std::string& reason) {
  if (state_.load(std::memory_order_relaxed) == State::kClosed) return;
  DCHECK(!in_callback_);
  state_.store(State::kClosed);
  if (destroy_hook_ != 0) loop_->RemoveDestroyHook(destroy_hook_);
  destroy_hook_ = 0;
  event_free(read_event_);
  event_free(write_event_);
  event_free(timer_event_);
  read_event_ = write_event_ = timer_event_ = nullptr;
  reading_ = writing_ = false;
  ::close(fd_);
  fd_ = -1;
  input_.Clear();
  output_.Clear();
  output_bytes_.store(0, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(cross_mutex_);
    cross_output_.Clear();
    cross_bytes_.store(0, std::memory_order_relaxed);
  }
  VLOG(1) << "connection " << id() << " closed: " << reason;
  handler_->OnClose(this, reason);
  std::shared_ptr<EventConnection> self = std::move(self_);
  if (options_.on_closed) options_.on_closed(self);
  // Our callers are still on the stack; drop the last reference only on the
  // next loop iteration.
  loop_->QueueInLoop([self] {});
}

// ---- timers -----------------------------------------------------------------

void EventConnection::ArmTimer(std::chrono::milliseconds after) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(after.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((after.count() % 1000) * 1000);
  event_add(timer_event_, &tv);
}

void EventConnection::HandleTimer() {
  State s = state_.load(std::memory_order_relaxed);
  if (s == State::kLingering) {
    CloseNow(close_reason_);
    return;
  }
  if (s != State::kOpen || options_.idle_timeout.count() <= 0) return;
  auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - last_input_);
  if (idle < options_.idle_timeout) {
    ArmTimer(options_.idle_timeout - idle);
    return;
  }
  if (close_requested_) {
    // Already closing but the peer does not take our output: give up.
    CloseNow("idle timeout");
    return;
  }
  RequestClose("idle timeout");
  if (state_.load(std::memory_order_relaxed) == State::kOpen) {
    ArmTimer(options_.idle_timeout);
  }
}

// ---- state ------------------------------------------------------------------

bool EventConnection::connected() const {
  State s = state_.load(std::memory_order_acquire);
  return s == State::kNew || s == State::kOpen;
}

size_t EventConnection::pending_output() const {
  return output_bytes_.load(std::memory_order_relaxed) +
         cross_bytes_.load(std::memory_order_relaxed);
}

}  // namespace sock
