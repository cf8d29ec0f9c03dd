// Clock: where the storage engine gets "now" from, in unix seconds.
//
// The engine only needs second resolution (exptimes, LRU bump intervals,
// flush_all), so SystemClock reads the kernel's coarse realtime clock: a vDSO
// read with no syscall, correct to the second. Tests use FakeClock and move
// time by hand instead of sleeping.
//
// Thread-safety: NowUnix() may be called from any thread; FakeClock's setters
// too (the value is atomic).
#ifndef MEMCACHE_CLOCK_H_
#define MEMCACHE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace memcache {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowUnix() const = 0;
};

class SystemClock : public Clock {
 public:
  int64_t NowUnix() const override;
  // A process-wide instance, used when StoreOptions::clock is null.
  static const SystemClock* Get();
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t now = 1700000000) : now_(now) {}
  int64_t NowUnix() const override {
    return now_.load(std::memory_order_relaxed);
  }
  void Set(int64_t now) { now_.store(now, std::memory_order_relaxed); }
  void Advance(int64_t seconds) {
    now_.fetch_add(seconds, std::memory_order_relaxed);
  }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace memcache

#endif  // MEMCACHE_CLOCK_H_
