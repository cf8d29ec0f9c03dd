// Baton: a one-shot wakeup for one blocked caller (Client::Call), on a futex;
// and WakeBatch, which lets an event-loop thread wake many callers with one
// system call.
//
// Why not mutex + condition variable: the woken caller would block again on
// the mutex its waker still holds, and every wakeup would cost a syscall even
// when the caller has not gone to sleep yet.
//
// Why WakeBatch: one read from the server often completes the calls of
// several blocked callers, and on a VM a system call costs a microsecond or
// more. Every sleeping baton waits on one process-wide futex word with its
// own bit (FUTEX_WAIT_BITSET; a thread's bit is its index mod 32), so inside
// a WakeBatch scope PostLater() only marks batons done and collects their
// bits, and the scope's end wakes exactly those sleepers with one
// FUTEX_WAKE_BITSET. Two threads sharing a bit (more than 32 blocked at
// once) only cost a spurious wakeup, never a lost one.
//
// Threads: one thread Waits; one other thread Posts, once. WakeBatch and
// PostLater are for the thread running completion callbacks.
#ifndef CLIENT_BATON_H_
#define CLIENT_BATON_H_

#include <atomic>
#include <cstdint>

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
  // Blocks until posted.
  void Wait();

 private:
  friend class WakeBatch;
  // kInit, kDone, or kSleeping + the waiter's bit index: the waker learns the
  // bit from its exchange and never reads the baton after it (the waiter may
  // return, and its baton go away, as soon as it sees kDone).
  static constexpr int kInit = 0, kDone = 1, kSleeping = 2;
  // Marks the baton done; returns the sleeping waiter's futex bit, or 0.
  uint32_t MarkDone();
  std::atomic<int> state_{kInit};
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
