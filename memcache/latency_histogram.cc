#include "memcache/latency_histogram.h"

namespace memcache {

uint64_t HistogramSnapshot::count() const {
  uint64_t n = 0;
  for (uint64_t b : buckets) n += b;
  return n;
}

double HistogramSnapshot::UpperBoundSeconds(int i) {
  return 1e-6 * static_cast<double>(uint64_t{1} << i);
}

void LatencyHistogram::AddTo(HistogramSnapshot* snapshot) const {
  for (int i = 0; i < kBuckets; ++i) {
    snapshot->buckets[i] += buckets_[i].load(std::memory_order_relaxed);
  }
  snapshot->sum_nanos += sum_nanos_.load(std::memory_order_relaxed);
}

}  // namespace memcache
