#include "sock/uring.h"

#include <linux/io_uring.h>
#include <glog/logging.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "sock/socket_util.h"

namespace sock {
namespace {

template <typename T>
T* At(void* base, uint32_t offset) {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

unsigned LoadAcquire(const unsigned* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void StoreRelease(unsigned* p, unsigned v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

}  // namespace

namespace {

// Maps one of the ring's regions; null (with *error) on failure.
void* MapRegion(int fd, size_t len, off_t offset, std::string* error) {
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
  if (p != MAP_FAILED) return p;
  *error = "io_uring mmap: " + ErrnoText(errno);
  return nullptr;
}

}  // namespace

Uring::~Uring() {
  if (sqes_ != nullptr) munmap(sqes_, sqes_len_);
  if (cq_map_ != nullptr && cq_map_ != sq_map_) munmap(cq_map_, cq_map_len_);
  if (sq_map_ != nullptr) munmap(sq_map_, sq_map_len_);
  if (fd_ >= 0) ::close(fd_);
}

bool Uring::Init(unsigned entries, std::string* error) {
  io_uring_params p;
  std::memset(&p, 0, sizeof(p));
  int fd = static_cast<int>(syscall(SYS_io_uring_setup, entries, &p));
  if (fd < 0) {
    *error = "io_uring_setup: " + ErrnoText(errno);
    return false;
  }
  fd_ = fd;
  sq_entries_ = p.sq_entries;
  sq_map_len_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cq_map_len_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  const bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single && cq_map_len_ > sq_map_len_) sq_map_len_ = cq_map_len_;
  void* sq = MapRegion(fd, sq_map_len_, IORING_OFF_SQ_RING, error);
  if (sq == nullptr) return false;
  sq_map_ = sq;
  void* cq = single ? sq : MapRegion(fd, cq_map_len_, IORING_OFF_CQ_RING, error);
  if (cq == nullptr) return false;
  cq_map_ = cq;
  sqes_len_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = MapRegion(fd, sqes_len_, IORING_OFF_SQES, error);
  if (sqes == nullptr) return false;
  sqes_ = static_cast<io_uring_sqe*>(sqes);
  sq_tail_ = At<unsigned>(sq, p.sq_off.tail);
  sq_mask_ = At<unsigned>(sq, p.sq_off.ring_mask);
  sq_array_ = At<unsigned>(sq, p.sq_off.array);
  cq_head_ = At<unsigned>(cq, p.cq_off.head);
  cq_tail_ = At<unsigned>(cq, p.cq_off.tail);
  cq_mask_ = At<unsigned>(cq, p.cq_off.ring_mask);
  cqes_ = At<io_uring_cqe>(cq, p.cq_off.cqes);

  // SubmitAndWait waits for every operation, so an operation that would
  // block must complete with -EAGAIN rather than wait for readiness. Kernels
  // that honour MSG_DONTWAIT this way say so here; older ones would leave
  // this probe pending, and we do not use them.
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    *error = "socketpair: " + ErrnoText(errno);
    return false;
  }
  char byte;
  iovec iov{&byte, 1};
  msghdr msg;
  std::memset(&msg, 0, sizeof(msg));
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  QueueRecvMsg(sv[0], &msg, 1);
  queued_ = 0;  // submitted by hand: Enter would wait for it, maybe forever
  int submitted = static_cast<int>(syscall(SYS_io_uring_enter, fd_, 1, 0, 0, nullptr, 0));
  uint64_t tag = 0;
  int32_t res = 0;
  bool immediate = submitted == 1 && PopCompletion(&tag, &res) && res == -EAGAIN;
  if (!immediate && submitted == 1) {
    // Pending on readiness: complete it so the ring is clean, then give up.
    (void)!::write(sv[1], "x", 1);
    while (!PopCompletion(&tag, &res)) {
      syscall(SYS_io_uring_enter, fd_, 0, 1, IORING_ENTER_GETEVENTS, nullptr, 0);
    }
  }
  ::close(sv[0]);
  ::close(sv[1]);
  if (!immediate) {
    *error = "io_uring does not complete MSG_DONTWAIT operations at once";
    return false;
  }
  return true;
}

io_uring_sqe* Uring::NextSqe() {
  const unsigned tail = *sq_tail_;
  const unsigned index = tail & *sq_mask_;
  sq_array_[index] = index;
  io_uring_sqe* sqe = &sqes_[index];
  std::memset(sqe, 0, sizeof(*sqe));
  ++queued_;
  return sqe;
}

void Uring::QueueMsg(uint8_t opcode, int fd, msghdr* msg, uint32_t flags, uint64_t tag) {
  io_uring_sqe* sqe = NextSqe();
  sqe->opcode = opcode;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<uint64_t>(msg);
  sqe->len = 1;
  sqe->msg_flags = flags;
  sqe->user_data = tag;
  StoreRelease(sq_tail_, *sq_tail_ + 1);
}

void Uring::QueueRecvMsg(int fd, msghdr* msg, uint64_t tag) {
  QueueMsg(IORING_OP_RECVMSG, fd, msg, MSG_DONTWAIT, tag);
}

void Uring::QueueSendMsg(int fd, msghdr* msg, uint64_t tag) {
  QueueMsg(IORING_OP_SENDMSG, fd, msg, MSG_DONTWAIT | MSG_NOSIGNAL, tag);
}

void Uring::Enter(unsigned submit) {
  for (int attempt = 0;; ++attempt) {
    long r = syscall(SYS_io_uring_enter, fd_, submit, 1, IORING_ENTER_GETEVENTS, nullptr, 0);
    if (r >= 0) {
      // The kernel may take only part of the batch: hand in the rest.
      submit -= static_cast<unsigned>(r);
      if (submit == 0) return;
    } else if (errno != EINTR && errno != EAGAIN && errno != EBUSY) {
      PLOG(FATAL) << "io_uring_enter";
    }
    CHECK_LT(attempt, 100000) << "io_uring_enter makes no progress";
    if (r <= 0) sched_yield();
  }
}

bool Uring::PopCompletion(uint64_t* tag, int32_t* res) {
  const unsigned head = *cq_head_;
  if (head == LoadAcquire(cq_tail_)) return false;
  const io_uring_cqe& cqe = cqes_[head & *cq_mask_];
  *tag = cqe.user_data;
  *res = cqe.res;
  StoreRelease(cq_head_, head + 1);
  return true;
}

}  // namespace sock
