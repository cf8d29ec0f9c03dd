#include "client/baton.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <vector>

namespace client {
namespace {

static_assert(sizeof(std::atomic<int>) == sizeof(int), "futex word");

thread_local int t_batch_depth = 0;
thread_local std::vector<Baton*> t_collected;  // keeps its capacity per thread

void FutexWake(std::atomic<int>* word) {
  syscall(SYS_futex, reinterpret_cast<int*>(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

void FutexWait(std::atomic<int>* word, int expected) {
  syscall(SYS_futex, reinterpret_cast<int*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr,
          nullptr, 0);
}

}  // namespace

// The waker may touch the word after the waiter has seen kDone and returned;
// a stray FUTEX_WAKE on a still-mapped stack address is harmless, since
// futex waiters always recheck their condition.
void Baton::Post() {
  if (state_.exchange(kDone, std::memory_order_acq_rel) == kSleeping) FutexWake(&state_);
}

void Baton::PostLater() {
  if (t_batch_depth == 0) {
    Post();
    return;
  }
  t_collected.push_back(this);
}

void Baton::Wait() {
  int expected = kInit;
  if (state_.compare_exchange_strong(expected, kSleeping, std::memory_order_acq_rel)) {
    while (state_.load(std::memory_order_acquire) != kDone) FutexWait(&state_, kSleeping);
  }
  // children_ were set before our Post (released by its exchange).
  Baton* children[2] = {children_[0], children_[1]};
  for (Baton* child : children) {
    if (child != nullptr) child->Post();
  }
}

WakeBatch::WakeBatch() { ++t_batch_depth; }

WakeBatch::~WakeBatch() {
  if (--t_batch_depth != 0) return;
  std::vector<Baton*>& v = t_collected;
  if (v.empty()) return;
  for (size_t i = 0; i < v.size(); ++i) {
    size_t left = 2 * i + 1, right = 2 * i + 2;
    v[i]->children_[0] = left < v.size() ? v[left] : nullptr;
    v[i]->children_[1] = right < v.size() ? v[right] : nullptr;
  }
  Baton* root = v[0];
  v.clear();
  root->Post();
}

}  // namespace client
