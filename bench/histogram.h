// Histogram: an HdrHistogram-style log-linear latency histogram for mcbench.
//
// Values (nanoseconds) below 2 * kSubBuckets are counted exactly; above, each
// power of two is split into kSubBuckets equal buckets, so a bucket is at most
// 1/kSubBuckets (0.8%) of its value wide. Recording is an index computation
// and an increment: cheap enough for every request. Values up to 2^63 fit.
//
// Not thread-safe: one histogram per load thread, merged after the threads
// have stopped.
#ifndef BENCH_HISTOGRAM_H_
#define BENCH_HISTOGRAM_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace bench {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = 1u << kSubBucketBits;  // 128
  // Exponents 1..(63 - kSubBucketBits) above the exact range.
  static constexpr size_t kBuckets = (64 - kSubBucketBits) * kSubBuckets + kSubBuckets;

  Histogram() : counts_(kBuckets, 0) {}

  void Record(uint64_t value) {
    ++counts_[Index(value)];
    ++count_;
    sum_ += value;
    max_ = std::max(max_, value);
    min_ = std::min(min_, value);
  }

  void Merge(const Histogram& other) {
    for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
  }

  uint64_t count() const { return count_; }
  uint64_t max() const { return count_ == 0 ? 0 : max_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  double mean() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }

  // The value at percentile p (0..100): the upper edge of the bucket holding
  // the ceil(p% * count)-th smallest value, clamped to the exact max, as
  // HdrHistogram reports it.
  uint64_t Percentile(double p) const {
    if (count_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * count_));
    rank = std::max<uint64_t>(1, std::min(rank, count_));
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(UpperEdge(i), max_);
    }
    return max_;
  }

  static size_t Index(uint64_t v) {
    if (v < 2 * kSubBuckets) return static_cast<size_t>(v);
    int msb = 63 - __builtin_clzll(v);
    int e = msb - kSubBucketBits;  // >= 1; v >> e is in [kSubBuckets, 2 * kSubBuckets)
    return static_cast<size_t>(e) * kSubBuckets + static_cast<size_t>(v >> e);
  }
  static uint64_t UpperEdge(size_t index) {
    if (index < 2 * kSubBuckets) return index;
    uint64_t e = index / kSubBuckets - 1;
    uint64_t m = index - e * kSubBuckets;
    return ((m + 1) << e) - 1;
  }

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace bench

#endif  // BENCH_HISTOGRAM_H_
