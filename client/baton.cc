#include "client/baton.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

namespace client {
namespace {

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t), "futex word");

// Bumped before every wake, so a waiter that read it before the baton was
// marked done cannot go to sleep after the wake (FUTEX_WAIT sees the change).
std::atomic<uint32_t> g_wake_word{0};
std::atomic<uint32_t> g_next_thread{0};

int ThreadBitIndex() {
  thread_local int index = static_cast<int>(g_next_thread.fetch_add(1) % 32);
  return index;
}

thread_local int t_batch_depth = 0;
thread_local uint32_t t_collected_bits = 0;

void WakeBits(uint32_t bits) {
  g_wake_word.fetch_add(1, std::memory_order_seq_cst);
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&g_wake_word), FUTEX_WAKE_BITSET_PRIVATE,
          INT_MAX, nullptr, nullptr, bits);
}

}  // namespace

uint32_t Baton::MarkDone() {
  int was = state_.exchange(kDone, std::memory_order_seq_cst);
  return was >= kSleeping ? 1u << (was - kSleeping) : 0;
}

void Baton::Post() {
  uint32_t bit = MarkDone();
  if (bit != 0) WakeBits(bit);
}

void Baton::PostLater() {
  if (t_batch_depth == 0) {
    Post();
    return;
  }
  t_collected_bits |= MarkDone();
}

void Baton::Wait() {
  int expected = kInit;
  const int sleeping = kSleeping + ThreadBitIndex();
  if (!state_.compare_exchange_strong(expected, sleeping, std::memory_order_seq_cst)) {
    return;  // already posted
  }
  const uint32_t bit = 1u << (sleeping - kSleeping);
  for (;;) {
    uint32_t seen = g_wake_word.load(std::memory_order_seq_cst);
    if (state_.load(std::memory_order_seq_cst) == kDone) return;
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&g_wake_word), FUTEX_WAIT_BITSET_PRIVATE,
            seen, nullptr, nullptr, bit);
  }
}

WakeBatch::WakeBatch() { ++t_batch_depth; }

WakeBatch::~WakeBatch() {
  if (--t_batch_depth != 0) return;
  uint32_t bits = t_collected_bits;
  t_collected_bits = 0;
  if (bits != 0) WakeBits(bits);
}

}  // namespace client
