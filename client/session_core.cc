#include "client/session_core.h"

#include <glog/logging.h>

#include <algorithm>
#include <future>
#include <utility>

#include "client/baton.h"
#include "client/reply_assembler.h"
#include "sock/connector.h"

namespace client {
namespace {

// Routes a connection's events to the core, tagged with the connection's
// generation so events of a connection we already gave up on are ignored.
class SessionHandler : public sock::ConnectionHandler {
 public:
  SessionHandler(std::shared_ptr<SessionCore> core, uint64_t generation)
      : core_(std::move(core)), generation_(generation) {}
  void OnInput(sock::Connection*, sock::Buffer* input) override {
    core_->HandleInput(generation_, input);
  }
  void OnClose(sock::Connection*, std::string_view reason) override {
    core_->HandleClose(generation_, reason);
  }

 private:
  std::shared_ptr<SessionCore> core_;
  const uint64_t generation_;
};

// "connect 127.0.0.1:1: Connection refused" -> "Connection refused".
std::string ConnectErrorReason(const std::string& error) {
  if (error.rfind("connect ", 0) == 0) {
    size_t colon = error.find(": ");
    if (colon != std::string::npos) return error.substr(colon + 2);
  }
  return error;
}

}  // namespace

SessionCore::SessionCore(SessionOptions options, sock::EventLoop* loop)
    : options_(std::move(options)),
      address_(options_.server.ToString()),
      loop_(loop),
      backoff_(options_.reconnect_backoff_min) {
  CHECK(loop_ != nullptr);
}

SessionCore::~SessionCore() = default;

SessionCore::State SessionCore::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

std::string SessionCore::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

bool SessionCore::Start(std::string* error) {
  CHECK(!loop_->IsInLoopThread()) << "Start blocks; not on the loop thread";
  auto done = std::make_shared<std::promise<bool>>();
  std::future<bool> connected = done->get_future();
  loop_->RunInLoop([self = shared_from_this(), done] {
    internal::MarkCallbackThread();
    self->ScheduleTick(self->options_.tick);
    self->ConnectNow([done](bool ok) { done->set_value(ok); });
  });
  bool ok = false;
  try {
    ok = connected.get();
  } catch (const std::future_error&) {  // the loop stopped before running it
    ok = false;
  }
  if (!ok && error != nullptr) *error = last_error();
  return ok;
}

void SessionCore::FailFast(Callback& done, Status status, std::string message) {
  if (done) done(Result::Failure(status, std::move(message)));
}

void SessionCore::Submit(const Request& request, Callback done) {
  // Encoding happens here, on the caller's thread and outside the lock.
  thread_local std::string wire;
  wire.clear();
  std::string error;
  if (!EncodeRequest(request, &wire, &error)) {
    FailFast(done, Status::kInvalidArgument, std::move(error));
    return;
  }
  const bool expects_reply = request.expects_reply();
  std::chrono::milliseconds timeout =
      request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
  // The reply slot, built here too: its result buffers are allocated by
  // this thread, which also frees them. Were the loop thread to allocate
  // every caller's results, its malloc arena would grow and shrink with
  // each burst of replies (page faults and TLB flushes: a third of the
  // client's CPU for 16 threads of multi-gets).
  Pending pending;
  if (expects_reply) {
    pending.op = request.op;
    if (timeout.count() > 0) pending.deadline = Clock::now() + timeout;
    PrepareResult(request.op, &pending.result);
    if (!request.keys.empty()) {
      size_t key_bytes = 0;
      for (std::string_view key : request.keys) key_bytes += key.size();
      pending.result.items.ExpectHits(request.keys.size(), key_bytes);
    }
  }
  bool wake = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (state_ == State::kDown || state_ == State::kClosed) {
      std::string reason = last_error_;
      lock.unlock();
      FailFast(done, Status::kConnectionError, std::move(reason));
      return;
    }
    if (expects_reply && outstanding_.load() >= options_.max_outstanding) {
      if (!options_.block_when_full) {
        lock.unlock();
        FailFast(done, Status::kQueueFull, "too many outstanding requests");
        return;
      }
      ++blocked_;
      not_full_.wait(lock, [this] {
        return outstanding_.load() < options_.max_outstanding ||
               state_ == State::kDown || state_ == State::kClosed;
      });
      --blocked_;
      if (state_ == State::kDown || state_ == State::kClosed) {
        std::string reason = last_error_;
        lock.unlock();
        FailFast(done, Status::kConnectionError, std::move(reason));
        return;
      }
    }
    out_.Append(wire);
    if (expects_reply) {
      ++outstanding_;
      pending.done = std::move(done);
      queued_.push_back(std::move(pending));
    }
    if (!drain_scheduled_ && state_ == State::kConnected) {
      drain_scheduled_ = true;
      wake = true;
    }
  }
  if (wake) loop_->QueueInLoop([self = shared_from_this()] { self->Drain(); });
  if (!expects_reply && done) done(Result());
}

void SessionCore::Drain() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    drain_scheduled_ = false;
    if (state_ != State::kConnected || !connected_) return;
    send_buf_ = std::move(out_);  // swaps evbuffers: no copy
    batch_.swap(queued_);
  }
  if (send_buf_.empty() && batch_.empty()) return;
  Clock::time_point now = Clock::now();
  if (inflight_.empty()) last_progress_ = now;
  for (Pending& p : batch_) inflight_.push_back(std::move(p));
  batch_.clear();
  if (!send_buf_.empty()) conn_->Send(&send_buf_);
  last_activity_ = now;
  if (!inflight_.empty()) WakeTick();
}

void SessionCore::WakeTick() {
  if (!tick_idle_) return;
  // Deadlines to watch again: back to the full tick rate.
  loop_->Cancel(tick_timer_);
  ScheduleTick(options_.tick);
}

void SessionCore::ScheduleTick(std::chrono::milliseconds delay) {
  std::weak_ptr<SessionCore> weak = shared_from_this();
  tick_timer_ = loop_->RunAfter(delay, [weak] {
    if (auto core = weak.lock()) core->OnTick();
  });
  tick_idle_ = delay > options_.tick;
}

// Idle (connected, nothing in flight) nothing can time out and only the
// heartbeat is due, so the loop is not woken every tick: with busy polling
// each wake-up would also spin for the poll window.
std::chrono::milliseconds SessionCore::NextTickDelay(Clock::time_point now) const {
  using std::chrono::milliseconds;
  if (!connected_ || !inflight_.empty()) return options_.tick;
  milliseconds idle(1000);
  if (options_.heartbeat_interval.count() > 0) {
    idle = std::min(idle, options_.heartbeat_interval -
                              std::chrono::duration_cast<milliseconds>(now - last_activity_));
  }
  return std::max(idle, options_.tick);
}

void SessionCore::OnTick() {
  tick_timer_ = 0;  // it just fired; WakeTick must not arm a second one
  tick_idle_ = false;
  if (closed_) return;
  Tick();
  if (!closed_) ScheduleTick(NextTickDelay(Clock::now()));
}

void SessionCore::Deliver(Callback& done, Result&& result) {
  Callback callback = std::move(done);
  done = nullptr;
  outstanding_.fetch_sub(1);
  if (blocked_.load() > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    not_full_.notify_all();
  }
  if (callback) callback(std::move(result));
}

void SessionCore::HandleInput(uint64_t generation, sock::Buffer* input) {
  if (generation != generation_ || !connected_) {
    input->Clear();
    return;
  }
  Clock::time_point now = Clock::now();
  last_progress_ = last_activity_ = now;
  WakeBatch wakes;  // blocked callers completed by this read wake together
  while (!input->empty()) {
    if (inflight_.empty()) {
      MarkDown("unexpected data from server");
      return;
    }
    Pending& p = inflight_.front();
    codec_.set_context(p.op == Op::kStats ? codec::ReplyContext::kStats
                                          : codec::ReplyContext::kGeneric);
    sock::DecodeResult r = codec_.Decode(input, &reply_);
    if (r.status == sock::DecodeStatus::kNeedMore) break;
    if (r.status == sock::DecodeStatus::kError) {
      MarkDown("protocol error: " + std::string(reply_.text) + " in reply '" +
               std::string(reply_.line.substr(0, 80)) + "'");
      return;
    }
    ApplyOutcome outcome = ApplyReply(p.op, reply_, &p.result);
    if (outcome == ApplyOutcome::kMismatch) {
      MarkDown(std::string("unexpected reply ") + codec::ReplyTypeName(reply_.type) +
               " to " + OpName(p.op));
      return;
    }
    input->Drain(r.consumed);
    if (outcome == ApplyOutcome::kDone) {
      backoff_ = options_.reconnect_backoff_min;  // this connection works
      if (!p.abandoned && !p.internal) {
        Deliver(p.done, std::move(p.result));
        // The callback may have shut the session down.
        if (generation != generation_) return;
      }
      inflight_.pop_front();
    }
  }
}

void SessionCore::HandleClose(uint64_t generation, std::string_view reason) {
  if (generation != generation_ || !connected_) return;
  MarkDown("connection to " + address_ + " closed: " + std::string(reason));
}

void SessionCore::ConnectNow(std::function<void(bool)> on_result) {
  reconnect_timer_ = 0;
  if (closed_) {
    if (on_result) on_result(false);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = State::kConnecting;
  }
  sock::ConnectOptions co;
  co.host = options_.server.host;
  co.port = options_.server.port;
  co.timeout = options_.connect_timeout;
  co.engine = sock::Engine::kEvent;
  co.loop = loop_;
  // Asynchronous, so a server that does not answer the handshake never
  // stalls the other sessions sharing this loop.
  std::weak_ptr<SessionCore> weak = shared_from_this();
  sock::ConnectAsync(
      co, std::make_unique<SessionHandler>(shared_from_this(), generation_),
      [weak, on_result](sock::ConnectionPtr conn, const std::string& error) {
        auto self = weak.lock();
        bool ok = false;
        if (self != nullptr) {
          ok = self->FinishConnect(std::move(conn), error);
        } else if (conn != nullptr) {
          conn->Abort();
        }
        if (on_result) on_result(ok);
      });
}

bool SessionCore::FinishConnect(sock::ConnectionPtr conn, const std::string& error) {
  if (conn == nullptr) {
    MarkDown("cannot connect to " + address_ + ": " + ConnectErrorReason(error));
    return false;
  }
  if (closed_) {
    conn->Abort();
    return false;
  }
  VLOG(1) << "connected to " << address_;
  conn_ = std::move(conn);
  connected_ = true;
  codec_.Reset();
  last_activity_ = last_progress_ = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = State::kConnected;
    last_error_.clear();
  }
  Drain();
  return true;
}

void SessionCore::ScheduleReconnect() {
  std::weak_ptr<SessionCore> weak = shared_from_this();
  reconnect_timer_ = loop_->RunAfter(backoff_, [weak] {
    if (auto core = weak.lock()) core->ConnectNow(nullptr);
  });
  backoff_ = std::min(backoff_ * 2, options_.reconnect_backoff_max);
}

void SessionCore::MarkDown(const std::string& reason) {
  ++generation_;
  connected_ = false;
  if (conn_ != nullptr) {
    sock::ConnectionPtr conn = std::move(conn_);
    conn->Abort();
  }
  codec_.Reset();
  RingQueue<Pending> inflight;
  std::swap(inflight, inflight_);
  std::vector<Pending> queued;
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = closed_ ? State::kClosed : State::kDown;
    last_error_ = reason;
    queued.swap(queued_);
    out_.Clear();
    drain_scheduled_ = false;
    not_full_.notify_all();
  }
  if (!closed_) {
    LOG_EVERY_N(WARNING, 20) << "memcached " << address_ << ": " << reason;
  }
  auto fail = [&](Pending&& p) {
    if (!p.abandoned && !p.internal) {
      Deliver(p.done, Result::Failure(Status::kConnectionError, reason));
    }
  };
  inflight.DrainTo(fail);
  for (Pending& p : queued) fail(std::move(p));
  if (!closed_ && options_.reconnect) ScheduleReconnect();
  // Requests submitted while reconnecting have deadlines too.
  if (!closed_) WakeTick();
}

void SessionCore::SendHeartbeat(Clock::time_point now) {
  Pending p;
  p.op = Op::kMetaNoop;
  p.internal = true;
  inflight_.push_back(std::move(p));
  conn_->Send(std::string_view("mn\r\n"));
  last_activity_ = last_progress_ = now;
}

void SessionCore::Tick() {
  if (closed_) return;
  Clock::time_point now = Clock::now();
  const uint64_t generation = generation_;
  for (size_t i = 0; i < inflight_.size(); ++i) {
    Pending& p = inflight_[i];
    if (p.abandoned || now < p.deadline) continue;
    p.abandoned = true;
    if (p.internal) continue;
    Deliver(p.done, Result::Failure(Status::kTimeout, "request timed out"));
    if (generation != generation_ || closed_) return;  // the callback shut down
  }
  // Requests still queued (waiting for a connection) time out too; their
  // bytes stay in the outbound buffer, so they stay as abandoned slots.
  std::vector<Callback> expired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Pending& p : queued_) {
      if (p.abandoned || now < p.deadline) continue;
      p.abandoned = true;
      expired.push_back(std::move(p.done));
    }
  }
  for (Callback& cb : expired) {
    Deliver(cb, Result::Failure(Status::kTimeout, "request timed out"));
  }
  if (generation != generation_ || closed_ || !connected_) return;
  if (options_.heartbeat_interval.count() <= 0) return;
  if (!inflight_.empty()) {
    if (now - last_progress_ >= options_.heartbeat_timeout) {
      MarkDown("no reply from " + address_ + " for " +
               std::to_string(options_.heartbeat_timeout.count()) + " ms");
    }
  } else if (now - last_activity_ >= options_.heartbeat_interval) {
    SendHeartbeat(now);
  }
}

void SessionCore::Shutdown() {
  if (loop_->IsInLoopThread()) {
    ShutdownInLoop();
    return;
  }
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  loop_->RunInLoop([self = shared_from_this(), done] {
    self->ShutdownInLoop();
    done->set_value();
  });
  finished.wait();  // also returns if the loop dropped the functor
}

void SessionCore::ShutdownInLoop() {
  if (closed_) return;
  closed_ = true;
  if (tick_timer_ != 0) loop_->Cancel(tick_timer_);
  if (reconnect_timer_ != 0) loop_->Cancel(reconnect_timer_);
  tick_timer_ = reconnect_timer_ = 0;
  MarkDown("session closed");
}

}  // namespace client
