// LatencyHistogram: a fixed-bucket latency histogram cheap enough to update
// on every request from any thread.
//
// Buckets are powers of two of a microsecond: upper bounds 1us, 2us, 4us ...
// 2^20 us (~1.05 s), then +Inf. Picking a bucket is a ceiling division and a
// bit width, no search and no floating point. Counts are relaxed atomics, so
// concurrent Observe calls never lose updates; a Snapshot read while others
// observe is approximate (a bucket may already count an observation whose
// nanoseconds are not yet in the sum), which is what a scrape can tolerate.
//
// Thread-safety: Observe and AddTo may be called from any thread.
#ifndef MEMCACHE_LATENCY_HISTOGRAM_H_
#define MEMCACHE_LATENCY_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <cstdint>

namespace memcache {

// A plain copy of one or more histograms, summed; buckets are NOT cumulative.
struct HistogramSnapshot {
  static constexpr int kFiniteBuckets = 21;              // 1us .. 2^20 us
  static constexpr int kBuckets = kFiniteBuckets + 1;    // plus +Inf
  std::array<uint64_t, kBuckets> buckets{};
  uint64_t sum_nanos = 0;

  uint64_t count() const;
  // Upper bound of finite bucket i in seconds (1e-6 * 2^i).
  static double UpperBoundSeconds(int i);
};

class LatencyHistogram {
 public:
  static constexpr int kBuckets = HistogramSnapshot::kBuckets;

  LatencyHistogram() = default;
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  // The bucket an observation of `nanos` falls in (the last is +Inf).
  static int BucketFor(uint64_t nanos) {
    // Ceiling, since le is inclusive (written so it cannot overflow).
    const uint64_t micros = nanos / 1000 + (nanos % 1000 != 0 ? 1 : 0);
    if (micros <= 1) return 0;
    const int width = 64 - __builtin_clzll(micros - 1);
    return width < HistogramSnapshot::kFiniteBuckets ? width
                                                     : HistogramSnapshot::kFiniteBuckets;
  }

  void Observe(uint64_t nanos) {
    buckets_[BucketFor(nanos)].fetch_add(1, std::memory_order_relaxed);
    sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
  }

  // Adds this histogram's counts to *snapshot.
  void AddTo(HistogramSnapshot* snapshot) const;

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> sum_nanos_{0};
};

}  // namespace memcache

#endif  // MEMCACHE_LATENCY_HISTOGRAM_H_
