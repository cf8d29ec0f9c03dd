// Uring: the smallest io_uring we need, on the raw system calls (no
// liburing): one submission ring and one completion ring, filled and reaped
// by one thread.
//
// Why: on virtual machines a system call's entry and exit cost a microsecond
// or more (doc/benchmarks.md), often more than the socket work inside it.
// One io_uring_enter carries the reads or writes of many connections, so a
// loop iteration that serves 30 connections makes 2 kernel entries instead
// of 60. The socket operations themselves are unchanged: a recvmsg/sendmsg
// with MSG_DONTWAIT on a ready socket completes inside the enter call, and
// one that would block completes at once with -EAGAIN instead of waiting.
//
// Threads: one thread uses a Uring at a time (its event loop's).
#ifndef SOCK_URING_H_
#define SOCK_URING_H_

#include <cstddef>
#include <cstdint>
#include <string>

struct io_uring_sqe;
struct io_uring_cqe;
struct msghdr;

namespace sock {

class Uring {
 public:
  Uring() = default;
  ~Uring();
  Uring(const Uring&) = delete;
  Uring& operator=(const Uring&) = delete;

  // Sets up a ring of `entries` submission slots; false (with *error) when
  // the kernel has no io_uring or forbids it (seccomp, io_uring_disabled).
  bool Init(unsigned entries, std::string* error);
  bool ready() const { return fd_ >= 0; }
  unsigned capacity() const { return sq_entries_; }

  // Queue one operation; `tag` comes back with its completion. At most
  // capacity() operations may be queued between calls to SubmitAndWait.
  void QueueRecvMsg(int fd, msghdr* msg, uint64_t tag);
  void QueueSendMsg(int fd, msghdr* msg, uint64_t tag);

  // Submits everything queued and waits for all of it to complete (each
  // operation is non-blocking, so this returns without sleeping), then calls
  // done(tag, result) per completion: bytes, or -errno.
  template <typename Done>
  void SubmitAndWait(Done&& done) {
    const unsigned n = queued_;
    queued_ = 0;
    if (n == 0) return;
    Enter(n);
    unsigned seen = 0;
    while (seen < n) {
      uint64_t tag;
      int32_t res;
      if (!PopCompletion(&tag, &res)) {
        Enter(0);  // not posted yet: wait for the rest
        continue;
      }
      ++seen;
      done(tag, res);
    }
  }

 private:
  io_uring_sqe* NextSqe();
  void QueueMsg(uint8_t opcode, int fd, msghdr* msg, uint32_t flags, uint64_t tag);
  // io_uring_enter submitting `submit` queued entries and waiting until at
  // least one completion is ready. Retries what the kernel may refuse for a
  // moment (EINTR, EAGAIN, EBUSY); any other failure is a bug here and fatal,
  // since operations already taken could not be completed.
  void Enter(unsigned submit);
  bool PopCompletion(uint64_t* tag, int32_t* res);

  int fd_ = -1;
  unsigned sq_entries_ = 0;
  unsigned queued_ = 0;
  // Mapped rings.
  void* sq_map_ = nullptr;
  size_t sq_map_len_ = 0;
  void* cq_map_ = nullptr;  // == sq_map_ with IORING_FEAT_SINGLE_MMAP
  size_t cq_map_len_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  size_t sqes_len_ = 0;
  unsigned* sq_tail_ = nullptr;
  unsigned* sq_mask_ = nullptr;
  unsigned* sq_array_ = nullptr;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned* cq_mask_ = nullptr;
  io_uring_cqe* cqes_ = nullptr;
};

}  // namespace sock

#endif  // SOCK_URING_H_
