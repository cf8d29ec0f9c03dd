#include "memcache/latency_histogram.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "memcache/command_metrics.h"

namespace memcache {
namespace {

TEST(LatencyHistogramTest, BucketBoundsAreInclusivePowersOfTwoMicroseconds) {
  EXPECT_EQ(LatencyHistogram::BucketFor(0), 0);
  EXPECT_EQ(LatencyHistogram::BucketFor(1), 0);
  EXPECT_EQ(LatencyHistogram::BucketFor(1000), 0);  // le=1us is inclusive
  EXPECT_EQ(LatencyHistogram::BucketFor(1001), 1);
  EXPECT_EQ(LatencyHistogram::BucketFor(2000), 1);
  EXPECT_EQ(LatencyHistogram::BucketFor(2001), 2);
  EXPECT_EQ(LatencyHistogram::BucketFor(4000), 2);
  EXPECT_EQ(LatencyHistogram::BucketFor(1000ull << 20), 20);
  EXPECT_EQ(LatencyHistogram::BucketFor((1000ull << 20) + 1), 21);  // +Inf
  EXPECT_EQ(LatencyHistogram::BucketFor(~0ull), 21);
  // Every bucket's bound holds what BucketFor puts in it.
  for (int i = 0; i < HistogramSnapshot::kFiniteBuckets; ++i) {
    const uint64_t bound_ns = 1000ull << i;
    EXPECT_EQ(LatencyHistogram::BucketFor(bound_ns), i);
    EXPECT_DOUBLE_EQ(HistogramSnapshot::UpperBoundSeconds(i), bound_ns * 1e-9);
  }
}

TEST(LatencyHistogramTest, ObserveFromManyThreads) {
  LatencyHistogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) h.Observe(1500);
    });
  }
  for (auto& t : threads) t.join();
  HistogramSnapshot s;
  h.AddTo(&s);
  EXPECT_EQ(s.count(), 40000u);
  EXPECT_EQ(s.buckets[1], 40000u);
  EXPECT_EQ(s.sum_nanos, 40000u * 1500);
}

TEST(CommandMetricsTest, RecordsTallyOrOk) {
  CommandMetrics m;
  RequestTally& t = CommandMetrics::BeginRequest();
  NoteResult(CommandResult::kHit, 2);
  NoteResult(CommandResult::kMiss);
  m.Record(codec::TextCommand::kGet, t, 3000);
  m.Record(codec::TextCommand::kMetaNoop, CommandMetrics::BeginRequest(), 10);
  CommandMetrics::Snapshot s;
  m.Collect(&s);
  const int get = static_cast<int>(codec::TextCommand::kGet);
  const int mn = static_cast<int>(codec::TextCommand::kMetaNoop);
  EXPECT_EQ(s.counts[get][static_cast<int>(CommandResult::kHit)], 2u);
  EXPECT_EQ(s.counts[get][static_cast<int>(CommandResult::kMiss)], 1u);
  EXPECT_EQ(s.latency[get].count(), 1u);
  EXPECT_EQ(s.counts[mn][static_cast<int>(CommandResult::kOk)], 1u);
  EXPECT_STREQ(CommandMetrics::CommandName(get), "get");
  EXPECT_STREQ(CommandMetrics::CommandName(mn), "mn");
  EXPECT_EQ(CommandMetrics::CommandName(0), nullptr);
  EXPECT_STREQ(CommandMetrics::ResultName(static_cast<int>(CommandResult::kNotStored)),
               "not_stored");
}

}  // namespace
}  // namespace memcache
