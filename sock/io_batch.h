// IoBatch: the reads and writes of one event-loop iteration, carried out
// together, in one io_uring_enter each (see sock/uring.h for why).
//
// The event engine's connections do not touch their socket when libevent
// reports it readable, or when they have output to flush: they queue
// themselves here. After the iteration's callbacks, EventLoop runs the
// batch: first every queued read in one submission (then each connection's
// handler, as if it had read by itself), then every queued write, which
// includes the replies those handlers just produced. A batch of one is done
// with a plain readv/writev, which is cheaper than a ring round trip; so is
// everything when io_uring is unavailable.
//
// Threads: the loop thread only.
#ifndef SOCK_IO_BATCH_H_
#define SOCK_IO_BATCH_H_

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "sock/uring.h"

namespace sock {

class EventConnection;

class IoBatch {
 public:
  // Bytes each batched read takes; a connection that fills it reads the
  // rest of what is waiting at once, directly (EventConnection).
  static constexpr size_t kReadSlot = 16 << 10;
  // Operations per submission (a larger batch takes several).
  static constexpr unsigned kRingEntries = 128;
  // Buffer chains one batched write sends; more are written directly.
  static constexpr int kWriteIovecs = 32;

  IoBatch() = default;
  IoBatch(const IoBatch&) = delete;
  IoBatch& operator=(const IoBatch&) = delete;

  void AddRead(std::shared_ptr<EventConnection> conn) { reads_.push_back(std::move(conn)); }
  void AddWrite(std::shared_ptr<EventConnection> conn) { writes_.push_back(std::move(conn)); }
  bool empty() const { return reads_.empty() && writes_.empty(); }

  // Performs everything queued, and what that queues in turn.
  void Run();
  // Forgets what is queued (the loop is going away).
  void Clear();

  // Batched operations so far (for tests and the benchmarks' notes).
  uint64_t batched_ops() const { return batched_ops_; }

 private:
  struct Slot {
    EventConnection* conn = nullptr;
    msghdr msg{};
    iovec iov[kWriteIovecs];
    size_t bytes = 0;  // what a write asked for
  };

  bool RingReady();
  // Takes everything in *queue: a lone connection (or all of them, without
  // a ring) gets direct(conn); otherwise, a ring's worth at a time,
  // queue_one(slot, index) fills a slot and queues its operation (false:
  // nothing to do), one submission runs them, and finish(slot, result)
  // hands each connection its result, in queue order.
  template <typename Direct, typename QueueOne, typename Finish>
  void RunQueued(std::vector<std::shared_ptr<EventConnection>>* queue, Direct direct,
                 QueueOne queue_one, Finish finish);
  void RunReads();
  void RunWrites();
  void PrepareSlots(size_t n);
  // Submits the first `queued` slots' operations; results_ then holds what
  // each returned.
  void SubmitQueued(size_t queued);

  std::vector<std::shared_ptr<EventConnection>> reads_, writes_, running_;
  std::vector<Slot> slots_;
  std::vector<char> read_space_;  // kReadSlot per batched read
  std::vector<int32_t> results_;  // per slot, by completion tag
  Uring ring_;
  bool ring_tried_ = false;
  uint64_t batched_ops_ = 0;
};

}  // namespace sock

#endif  // SOCK_IO_BATCH_H_
