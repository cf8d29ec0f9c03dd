#include "memcache/prometheus_writer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace memcache {
namespace {

TEST(PrometheusWriterTest, FamiliesAndSamples) {
  PrometheusWriter w;
  w.Family("a_total", "counter", "Things.\nWith a \\ newline.");
  w.Sample("a_total", {{"k", "v\"q\\\n"}}, uint64_t{7});
  w.Family("g", "gauge", "A gauge.");
  w.Sample("g", 0.25);
  EXPECT_EQ(w.text(),
            "# HELP a_total Things.\\nWith a \\\\ newline.\n"
            "# TYPE a_total counter\n"
            "a_total{k=\"v\\\"q\\\\\\n\"} 7\n"
            "# HELP g A gauge.\n"
            "# TYPE g gauge\n"
            "g 0.25\n");
}

TEST(PrometheusWriterTest, HistogramIsCumulativeWithInf) {
  HistogramSnapshot s;
  s.buckets[0] = 2;
  s.buckets[3] = 1;
  s.buckets[HistogramSnapshot::kFiniteBuckets] = 4;  // +Inf
  s.sum_nanos = 1500000000;
  PrometheusWriter w;
  w.Family("d_seconds", "histogram", "D.");
  w.Histogram("d_seconds", {{"command", "get"}}, s);
  const std::string& t = w.text();
  EXPECT_NE(t.find("d_seconds_bucket{command=\"get\",le=\"1e-06\"} 2\n"), std::string::npos);
  EXPECT_NE(t.find("d_seconds_bucket{command=\"get\",le=\"8e-06\"} 3\n"), std::string::npos);
  EXPECT_NE(t.find("d_seconds_bucket{command=\"get\",le=\"1.048576\"} 3\n"),
            std::string::npos);
  EXPECT_NE(t.find("d_seconds_bucket{command=\"get\",le=\"+Inf\"} 7\n"), std::string::npos);
  EXPECT_NE(t.find("d_seconds_sum{command=\"get\"} 1.5\n"), std::string::npos);
  EXPECT_NE(t.find("d_seconds_count{command=\"get\"} 7\n"), std::string::npos);
}

TEST(PrometheusWriterTest, NamesAndNumbers) {
  EXPECT_TRUE(PrometheusWriter::ValidMetricName("memcached_x:y_total"));
  EXPECT_FALSE(PrometheusWriter::ValidMetricName("1x"));
  EXPECT_FALSE(PrometheusWriter::ValidMetricName("a-b"));
  EXPECT_TRUE(PrometheusWriter::ValidLabelName("command"));
  EXPECT_FALSE(PrometheusWriter::ValidLabelName("__reserved"));
  EXPECT_FALSE(PrometheusWriter::ValidLabelName("a:b"));
  EXPECT_EQ(PrometheusWriter::FormatDouble(INFINITY), "+Inf");
  EXPECT_EQ(PrometheusWriter::FormatDouble(NAN), "NaN");
  EXPECT_EQ(PrometheusWriter::FormatDouble(3.0), "3");
  EXPECT_EQ(PrometheusWriter::FormatDouble(0.001), "0.001");
}

}  // namespace
}  // namespace memcache
