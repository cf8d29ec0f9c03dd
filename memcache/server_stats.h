// ServerStats: the per-command counters of "stats" (cmd_get, get_hits, ...).
//
// Counters are bumped on every request from every I/O thread, so they must
// not share one lock or one cache line: each thread is given one of kSlots
// cache-line-aligned slots of relaxed atomics (threads beyond kSlots share
// slots, which stays correct because the slots are atomic). Reading sums the
// slots; a snapshot taken while other threads count is approximate, as in
// memcached.
//
// Thread-safety: every method may be called from any thread.
#ifndef MEMCACHE_SERVER_STATS_H_
#define MEMCACHE_SERVER_STATS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace memcache {

enum class Counter : int {
  kCmdGet,
  kCmdSet,
  kCmdFlush,
  kCmdTouch,
  kCmdMeta,
  kGetHits,
  kGetMisses,
  kGetExpired,
  kGetFlushed,
  kDeleteMisses,
  kDeleteHits,
  kIncrMisses,
  kIncrHits,
  kDecrMisses,
  kDecrHits,
  kCasMisses,
  kCasHits,
  kCasBadval,
  kTouchHits,
  kTouchMisses,
  kStoreTooLarge,
  kStoreNoMemory,
  kAuthCmds,
  kAuthErrors,
  kCount,  // number of counters, not a counter
};

class ServerStats {
 public:
  static constexpr int kSlots = 32;
  static constexpr int kCounters = static_cast<int>(Counter::kCount);
  using Snapshot = std::array<uint64_t, kCounters>;

  ServerStats();
  ServerStats(const ServerStats&) = delete;
  ServerStats& operator=(const ServerStats&) = delete;

  void Add(Counter counter, uint64_t n = 1) {
    Slot& slot = slots_[SlotIndex()];
    slot.values[static_cast<int>(counter)].fetch_add(n, std::memory_order_relaxed);
  }

  uint64_t Get(Counter counter) const;
  Snapshot Sum() const;
  // "stats reset": zeroes every counter.
  void Reset();

  // The name memcached's "stats" prints for a counter ("cmd_get").
  static const char* Name(Counter counter);

 private:
  struct alignas(64) Slot {
    std::array<std::atomic<uint64_t>, kCounters> values{};
  };

  // This thread's slot, assigned round-robin on first use.
  static int SlotIndex();

  std::array<Slot, kSlots> slots_;
};

}  // namespace memcache

#endif  // MEMCACHE_SERVER_STATS_H_
