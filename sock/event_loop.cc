#include "sock/event_loop.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <glog/logging.h>

#include <utility>

#include "sock/io_batch.h"

namespace sock {

namespace {

// libevent needs its locking callbacks before the first event_base exists;
// with them, event_active and event_base_loopbreak are safe from any thread.
void InitLibeventThreadsOnce() {
  static std::once_flag once;
  std::call_once(once, [] { CHECK_EQ(evthread_use_pthreads(), 0); });
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  if (ms.count() < 0) ms = std::chrono::milliseconds(0);
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

struct EventLoop::Timer {
  EventLoop* loop;
  TimerId id;
  bool repeat;
  Functor f;
  event* ev = nullptr;
};

EventLoop::EventLoop()
    : thread_id_(std::this_thread::get_id()), io_batch_(std::make_unique<IoBatch>()) {
  InitLibeventThreadsOnce();
  base_ = event_base_new();
  CHECK(base_ != nullptr) << "event_base_new failed";
  wakeup_event_ = event_new(base_, -1, 0, &EventLoop::OnWakeup, this);
  CHECK(wakeup_event_ != nullptr);
}

EventLoop::~EventLoop() {
  // The loop is not running: the destroying thread takes it over, so hooks
  // and the functors they queue run "in the loop".
  thread_id_.store(std::this_thread::get_id(), std::memory_order_release);
  // Hooks queue functors and functors may register hooks (a connect that
  // completes now); a few rounds settle it.
  for (int round = 0; round < 8; ++round) {
    bool busy = !destroy_hooks_.empty();
    auto hooks = std::move(destroy_hooks_);
    destroy_hooks_.clear();
    for (auto& kv : hooks) kv.second();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      busy = busy || !pending_.empty();
    }
    RunPendingFunctors();
    RunIoBatch();
    if (!busy) break;
  }
  if (io_batch_) io_batch_->Clear();
  for (auto& kv : timers_) event_free(kv.second->ev);
  timers_.clear();
  event_free(wakeup_event_);
  {
    // Destroy queued functors (and what they captured) before the base.
    std::vector<Functor> dropped;
    std::lock_guard<std::mutex> lock(mutex_);
    dropped.swap(pending_);
  }
  event_base_free(base_);
}

void EventLoop::Run() {
  thread_id_.store(std::this_thread::get_id(), std::memory_order_release);
  VLOG(1) << "event loop " << this << " running";
  if (busy_poll_.count() > 0) {
    RunPolling();
  } else if (io_batch_ != nullptr) {
    // One iteration at a time, so the batch runs after each one's callbacks
    // (and before the loop waits: nothing queued waits with it).
    while (!quit_.load(std::memory_order_acquire)) {
      RunIoBatch();
      event_base_loop(base_, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
    }
  } else {
    event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY);
  }
  // Functors queued while we were stopping would otherwise only be dropped.
  RunIoBatch();
  RunPendingFunctors();
  RunIoBatch();
  VLOG(1) << "event loop " << this << " stopped";
}

void EventLoop::RunPolling() {
  // Every engine callback adds to busy_nanos_ (BusyScope), so a change in it
  // means the poll found work.
  auto last_work = std::chrono::steady_clock::now();
  while (!quit_.load(std::memory_order_acquire)) {
    const uint64_t before = busy_nanos();
    // ONCE as well: with NONBLOCK alone libevent polls again after running
    // callbacks, and a connection that left its read to the batch is still
    // readable, so it would never return.
    event_base_loop(base_, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    RunIoBatch();
    const auto now = std::chrono::steady_clock::now();
    if (busy_nanos() != before) {
      last_work = now;
    } else if (now - last_work > busy_poll_) {
      // Idle: sleep until an event (even with none registered yet).
      event_base_loop(base_, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
      RunIoBatch();
      last_work = std::chrono::steady_clock::now();
    }
  }
}

void EventLoop::SetIoBatching(bool on) {
  if (on == (io_batch_ != nullptr)) return;
  CHECK(io_batch_ == nullptr || io_batch_->empty()) << "SetIoBatching with I/O queued";
  io_batch_ = on ? std::make_unique<IoBatch>() : nullptr;
}

void EventLoop::RunIoBatch() {
  if (io_batch_ == nullptr || io_batch_->empty()) return;
  BusyScope busy(this);
  io_batch_->Run();
}

void EventLoop::Quit() {
  quit_.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wakeup_pending_ = true;
  }
  // Activating the wakeup event (rather than event_base_loopbreak) also works
  // before Run(): the event stays active until the loop starts and sees quit_.
  event_active(wakeup_event_, EV_READ, 0);
}

uint64_t EventLoop::AddDestroyHook(Functor hook) {
  AssertInLoopThread();
  uint64_t id = next_hook_id_++;
  destroy_hooks_.emplace(id, std::move(hook));
  return id;
}

void EventLoop::RemoveDestroyHook(uint64_t id) {
  AssertInLoopThread();
  destroy_hooks_.erase(id);
}

void EventLoop::AssertInLoopThread() const {
  CHECK(IsInLoopThread()) << "EventLoop " << this
                          << " used outside its thread";
}

void EventLoop::RunInLoop(Functor f) {
  if (IsInLoopThread()) {
    f();
  } else {
    QueueInLoop(std::move(f));
  }
}

void EventLoop::QueueInLoop(Functor f) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.push_back(std::move(f));
    wake = !wakeup_pending_;
    wakeup_pending_ = true;
  }
  if (wake) Wakeup();
}

void EventLoop::Wakeup() { event_active(wakeup_event_, EV_READ, 0); }

void EventLoop::OnWakeup(int /*fd*/, short /*what*/, void* arg) {
  auto* loop = static_cast<EventLoop*>(arg);
  BusyScope busy(loop);
  loop->RunPendingFunctors();
  if (loop->quit_.load(std::memory_order_acquire)) {
    event_base_loopbreak(loop->base_);
  }
}

void EventLoop::RunPendingFunctors() {
  std::vector<Functor> functors;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    functors.swap(pending_);
    wakeup_pending_ = false;
  }
  for (Functor& f : functors) f();
}

EventLoop::TimerId EventLoop::RunAfter(std::chrono::milliseconds delay,
                                       Functor f) {
  return AddTimer(delay, false, std::move(f));
}

EventLoop::TimerId EventLoop::RunEvery(std::chrono::milliseconds interval,
                                       Functor f) {
  return AddTimer(interval, true, std::move(f));
}

EventLoop::TimerId EventLoop::AddTimer(std::chrono::milliseconds after,
                                       bool repeat, Functor f) {
  TimerId id = next_timer_id_.fetch_add(1, std::memory_order_relaxed);
  if (IsInLoopThread()) {
    AddTimerInLoop(id, after, repeat, std::move(f));
  } else {
    // std::function needs a copyable closure; the functor is shared only
    // until it is moved into the timer.
    auto holder = std::make_shared<Functor>(std::move(f));
    QueueInLoop([this, id, after, repeat, holder] {
      AddTimerInLoop(id, after, repeat, std::move(*holder));
    });
  }
  return id;
}

void EventLoop::AddTimerInLoop(TimerId id, std::chrono::milliseconds after,
                               bool repeat, Functor f) {
  auto timer = std::make_unique<Timer>();
  timer->loop = this;
  timer->id = id;
  timer->repeat = repeat;
  timer->f = std::move(f);
  timer->ev = event_new(base_, -1, repeat ? EV_PERSIST : 0,
                        &EventLoop::OnTimer, timer.get());
  CHECK(timer->ev != nullptr);
  timeval tv = ToTimeval(after);
  event_add(timer->ev, &tv);
  timers_[id] = std::move(timer);
}

void EventLoop::Cancel(TimerId id) {
  if (IsInLoopThread()) {
    CancelInLoop(id);
  } else {
    QueueInLoop([this, id] { CancelInLoop(id); });
  }
}

void EventLoop::CancelInLoop(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  event_free(it->second->ev);  // event_free also deletes it
  timers_.erase(it);
}

void EventLoop::OnTimer(int /*fd*/, short /*what*/, void* arg) {
  auto* timer = static_cast<Timer*>(arg);
  EventLoop* loop = timer->loop;
  BusyScope busy(loop);
  if (!timer->repeat) {
    // Take the functor out first: it may add or cancel timers (even itself).
    Functor f = std::move(timer->f);
    loop->CancelInLoop(timer->id);
    f();
    return;
  }
  // A repeating functor may cancel its own timer while it runs.
  Functor f = timer->f;
  f();
}

}  // namespace sock
