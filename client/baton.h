// Baton: a one-shot wakeup for one blocked caller (Client::Call), on a futex
// word; and WakeBatch, which lets an event-loop thread hand out many wakeups
// at once without paying for each one itself.
//
// Why not mutex + condition variable: the woken caller would block again on
// the mutex its waker still holds, and every wakeup would cost a syscall even
// when the caller has not gone to sleep yet.
//
// Why WakeBatch: with many callers blocked on one session, waking them one by
// one makes the loop thread the bottleneck (each futex wake of a thread on
// another CPU is expensive, more so in a VM). Inside a WakeBatch scope,
// PostLater() only collects batons; when the scope ends the loop wakes one of
// them, and each woken caller wakes two more before returning (a binary
// tree), so the wakeups run in parallel on the callers' threads.
//
// Threads: one thread Waits; one other thread Posts, once. WakeBatch and
// PostLater are for the thread running completion callbacks.
#ifndef CLIENT_BATON_H_
#define CLIENT_BATON_H_

#include <atomic>

namespace client {

class Baton {
 public:
  Baton() = default;
  Baton(const Baton&) = delete;
  Baton& operator=(const Baton&) = delete;

  // Wakes the waiter now.
  void Post();
  // Inside a WakeBatch on this thread: wake when the batch ends; else Post().
  void PostLater();
  // Blocks until posted, then wakes the batons chained to this one.
  void Wait();

 private:
  friend class WakeBatch;
  static constexpr int kInit = 0, kSleeping = 1, kDone = 2;
  std::atomic<int> state_{kInit};
  Baton* children_[2] = {nullptr, nullptr};
};

class WakeBatch {
 public:
  WakeBatch();
  ~WakeBatch();  // wakes what PostLater collected (outermost scope only)
  WakeBatch(const WakeBatch&) = delete;
  WakeBatch& operator=(const WakeBatch&) = delete;
};

}  // namespace client

#endif  // CLIENT_BATON_H_
