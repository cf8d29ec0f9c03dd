// Smoke tests of the load generator (bench/mcbench.cc): short runs against a
// spawned memcache_server, checked for counts only (benchmarks are not tests:
// no timing assertions). Also the log-linear histogram it reports from.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "bench/histogram.h"
#include "tests/common/server_process.h"

namespace {

using test_common::BuildBinDir;
using test_common::OurServerArgv;
using test_common::ServerProcess;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The integer after "key": in the JSON line of command `cmd`.
long long Field(const std::string& json, const std::string& cmd, const std::string& key) {
  size_t at = json.find("\"" + cmd + "\": {");
  if (at == std::string::npos) return -1;
  at = json.find("\"" + key + "\": ", at);
  if (at == std::string::npos) return -1;
  return std::atoll(json.c_str() + at + key.size() + 4);
}

class McbenchSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = BuildBinDir() + "/mcbench";
    if (access(binary_.c_str(), X_OK) != 0) GTEST_SKIP() << binary_ << " not built";
    json_ = "/tmp/mcbench_smoke_" + std::to_string(getpid()) + ".json";
  }
  void TearDown() override { std::remove(json_.c_str()); }

  // Runs mcbench against `port`; returns its exit status.
  int Run(uint16_t port, const std::string& args) {
    std::string cmd = binary_ + " --quiet --server 127.0.0.1:" + std::to_string(port) +
                      " --json " + json_ + " " + args + " 2>&1";
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  std::string binary_;
  std::string json_;
};

TEST_F(McbenchSmokeTest, RequestsModeCountsEveryRequest) {
  ServerProcess server(OurServerArgv({"-t", "1"}));
  ASSERT_TRUE(server.Start());
  // 2 connections x 110 requests, ratio 1:10: exactly 20 sets and 200 gets.
  ASSERT_EQ(0, Run(server.port(), "--connections 2 --pipeline 4 --requests 110 --ratio 1:10 "
                                  "--keys 10 --key_pattern sequential"));
  std::string json = ReadFile(json_);
  EXPECT_EQ(20, Field(json, "set", "ops")) << json;
  EXPECT_EQ(200, Field(json, "get", "ops")) << json;
  EXPECT_EQ(220, Field(json, "total", "ops")) << json;
  EXPECT_EQ(0, Field(json, "total", "errors")) << json;
}

TEST_F(McbenchSmokeTest, MetaProtocolPrefillThenAllHits) {
  ServerProcess server(OurServerArgv({"-t", "1"}));
  ASSERT_TRUE(server.Start());
  ASSERT_EQ(0, Run(server.port(), "--protocol meta --connections 1 --pipeline 8 "
                                  "--requests 50 --ratio 1:0 --keys 50 --key_pattern sequential"));
  ASSERT_EQ(0, Run(server.port(), "--protocol meta --connections 2 --requests 100 --ratio 0:1 "
                                  "--keys 50 --key_pattern gaussian"));
  std::string json = ReadFile(json_);
  EXPECT_EQ(200, Field(json, "get", "hits")) << json;
  EXPECT_EQ(0, Field(json, "get", "misses")) << json;
}

TEST_F(McbenchSmokeTest, MultiGetCountsKeysAsHitsAndMisses) {
  ServerProcess server(OurServerArgv({"-t", "1"}));
  ASSERT_TRUE(server.Start());
  // Keys 0..29 stored; multi-gets of 6 over keys 0..59 sequentially: each
  // of the 20 requests asks for 6 keys, 60 hits-or-misses per pass.
  ASSERT_EQ(0, Run(server.port(), "--connections 1 --requests 30 --ratio 1:0 --keys 30 "
                                  "--key_pattern sequential"));
  ASSERT_EQ(0, Run(server.port(), "--connections 1 --requests 20 --ratio 0:1 --multiget 6 "
                                  "--keys 60 --key_pattern sequential"));
  std::string json = ReadFile(json_);
  EXPECT_EQ(20, Field(json, "get", "ops")) << json;
  EXPECT_EQ(60, Field(json, "get", "hits")) << json;
  EXPECT_EQ(60, Field(json, "get", "misses")) << json;
  EXPECT_EQ(0, Field(json, "get", "errors")) << json;
  EXPECT_NE(json.find("\"multiget\": 6"), std::string::npos) << json;
  // Meta has no multi-key get: refused up front.
  EXPECT_EQ(2, Run(server.port(), "--protocol meta --requests 1 --multiget 4"));
}

TEST_F(McbenchSmokeTest, OneSecondDurationRun) {
  ServerProcess server(OurServerArgv({"-t", "1"}));
  ASSERT_TRUE(server.Start());
  ASSERT_EQ(0, Run(server.port(), "--threads 2 --connections 4 --pipeline 2 --duration 1 "
                                  "--warmup 0.2 --value_size 100"));
  std::string json = ReadFile(json_);
  EXPECT_GT(Field(json, "total", "ops"), 0) << json;
  EXPECT_NE(json.find("\"p99.9\""), std::string::npos) << json;
}

TEST_F(McbenchSmokeTest, RefusedConnectionFailsCleanly) {
  uint16_t port = test_common::FindFreePort();
  EXPECT_EQ(2, Run(port, "--requests 1"));
}

TEST(HistogramTest, ExactBelowLinearRangeAndBoundedErrorAbove) {
  bench::Histogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(100u, h.count());
  EXPECT_EQ(50u, h.Percentile(50));
  EXPECT_EQ(99u, h.Percentile(99));
  EXPECT_EQ(100u, h.Percentile(100));
  EXPECT_EQ(1u, h.min());
  EXPECT_DOUBLE_EQ(50.5, h.mean());

  bench::Histogram big;
  for (uint64_t v = 1000; v <= 1000000; v += 1000) big.Record(v);
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    double exact = 1000.0 * std::ceil(p / 100.0 * 1000);
    double got = static_cast<double>(big.Percentile(p));
    EXPECT_GE(got, exact) << p;
    EXPECT_LE(got, exact * 1.01) << p;
  }
  EXPECT_EQ(1000000u, big.max());
  EXPECT_EQ(1000000u, big.Percentile(100));
}

TEST(HistogramTest, IndexAndEdgesAreConsistent) {
  for (uint64_t v : {0ull, 1ull, 255ull, 256ull, 257ull, 1000ull, 123456789ull,
                     (1ull << 62) + 12345, ~0ull}) {
    size_t i = bench::Histogram::Index(v);
    ASSERT_LT(i, bench::Histogram::kBuckets) << v;
    EXPECT_GE(bench::Histogram::UpperEdge(i), v) << v;
    if (i > 0) {
      EXPECT_LT(bench::Histogram::UpperEdge(i - 1), v) << v;
    }
  }
  bench::Histogram a, b;
  a.Record(10);
  b.Record(1000);
  a.Merge(b);
  EXPECT_EQ(2u, a.count());
  EXPECT_EQ(1000u, a.max());
  EXPECT_EQ(10u, a.min());
}

}  // namespace
