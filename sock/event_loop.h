// EventLoop: one libevent event_base driven by one thread.
//
// The loop belongs to the thread that calls Run() (before Run, to the thread
// that constructed it). Work from other threads is posted with RunInLoop /
// QueueInLoop, which wake the loop. Every object registered on a loop
// (connections, acceptors, timers) is touched only on the loop's thread; they
// assert it with AssertInLoopThread() (muduo's assertInLoopThread).
//
// Thread-safety: Quit, RunInLoop, QueueInLoop, RunAfter, RunEvery, Cancel and
// IsInLoopThread may be called from any thread. Everything else only on the
// loop's thread.
//
// Lifetime: destroy the loop after Run has returned, on any thread. The
// destructor first runs the destroy hooks (connections still registered abort
// themselves, so their OnClose runs on the destroying thread), then runs the
// functors those queued, then drops whatever is still queued.
#ifndef SOCK_EVENT_LOOP_H_
#define SOCK_EVENT_LOOP_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

struct event;
struct event_base;

namespace sock {

class IoBatch;

class EventLoop {
 public:
  using Functor = std::function<void()>;
  using TimerId = uint64_t;  // 0 is never a valid id

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs callbacks until Quit(). The calling thread becomes the loop thread.
  void Run();

  // Busy polling: after a callback ran, keep polling for events without
  // sleeping for up to `window` before blocking in the kernel again. A loop
  // that never sleeps under load is not woken either: the peer's write then
  // costs no wake-up of this thread (an IPI on a VM), and a reply leaves
  // without the scheduler's latency. Burns its core while busy, so use it
  // only when each polling loop has a core of its own. 0 (the default)
  // always blocks. Call before Run().
  void SetBusyPoll(std::chrono::microseconds window) { busy_poll_ = window; }
  // Batched socket I/O (sock/io_batch.h, on by default): connections read
  // and write at the end of each loop iteration, all of them in one
  // io_uring system call each. Off: every read and write is its own system
  // call, made as soon as the connection is ready. Call before any
  // connection is registered.
  void SetIoBatching(bool on);
  // Engine internals: the batch, or null when batching is off.
  IoBatch* io_batch() const { return io_batch_.get(); }
  // Makes Run() return after the current iteration. Thread-safe; a Quit()
  // before Run() makes Run() return at once.
  void Quit();

  // Runs `f` now if called on the loop thread, else queues it.
  void RunInLoop(Functor f);
  // Queues `f` to run on the loop thread after the current callbacks, in
  // FIFO order with other queued functors.
  void QueueInLoop(Functor f);

  // Runs `f` once after `delay` / every `interval` on the loop thread.
  // Returns an id for Cancel. Thread-safe.
  TimerId RunAfter(std::chrono::milliseconds delay, Functor f);
  TimerId RunEvery(std::chrono::milliseconds interval, Functor f);
  // Cancels a timer; harmless if it already ran or was cancelled. When called
  // on the loop thread the timer will not run after Cancel returns.
  void Cancel(TimerId id);

  bool IsInLoopThread() const {
    return thread_id_.load(std::memory_order_acquire) ==
           std::this_thread::get_id();
  }
  void AssertInLoopThread() const;

  // For engine internals (sock/) only; handlers never see libevent.
  event_base* base() const { return base_; }

  // Engine internals: `hook` runs if the loop is destroyed while registered
  // (e.g. a connection still open then aborts itself). Loop thread only.
  uint64_t AddDestroyHook(Functor hook);
  void RemoveDestroyHook(uint64_t id);

  // Time spent running callbacks rather than waiting for events (for the
  // metrics). The engine adds it around its callbacks on the loop thread
  // (one writer, so no read-modify-write); any thread may read.
  void AddBusyNanos(uint64_t nanos) {
    busy_nanos_.store(busy_nanos_.load(std::memory_order_relaxed) + nanos,
                      std::memory_order_relaxed);
  }
  uint64_t busy_nanos() const { return busy_nanos_.load(std::memory_order_relaxed); }

  // Times a callback into AddBusyNanos (engine internals).
  class BusyScope {
   public:
    explicit BusyScope(EventLoop* loop)
        : loop_(loop), start_(std::chrono::steady_clock::now()) {}
    ~BusyScope() {
      loop_->AddBusyNanos(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(
              std::chrono::steady_clock::now() - start_)
              .count()));
    }
    BusyScope(const BusyScope&) = delete;
    BusyScope& operator=(const BusyScope&) = delete;

   private:
    EventLoop* const loop_;
    const std::chrono::steady_clock::time_point start_;
  };

 private:
  struct Timer;
  static void OnWakeup(int fd, short what, void* arg);
  static void OnTimer(int fd, short what, void* arg);
  void Wakeup();
  void RunPendingFunctors();
  void RunPolling();
  void RunIoBatch();
  TimerId AddTimer(std::chrono::milliseconds after, bool repeat, Functor f);
  void AddTimerInLoop(TimerId id, std::chrono::milliseconds after, bool repeat,
                      Functor f);
  void CancelInLoop(TimerId id);

  event_base* base_;
  event* wakeup_event_;
  std::atomic<std::thread::id> thread_id_;
  std::atomic<bool> quit_{false};
  std::atomic<uint64_t> busy_nanos_{0};
  std::chrono::microseconds busy_poll_{0};
  std::unique_ptr<IoBatch> io_batch_;

  std::mutex mutex_;
  std::vector<Functor> pending_;  // guarded by mutex_
  bool wakeup_pending_ = false;   // guarded by mutex_

  std::atomic<TimerId> next_timer_id_{1};
  // Loop thread only.
  std::unordered_map<TimerId, std::unique_ptr<Timer>> timers_;
  std::unordered_map<uint64_t, Functor> destroy_hooks_;
  uint64_t next_hook_id_ = 1;
};

}  // namespace sock

#endif  // SOCK_EVENT_LOOP_H_
