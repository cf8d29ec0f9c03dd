// The server's background sweeper frees expired items nobody reads again,
// walking its batch in chunks (MemcacheServerOptions::sweep_chunk).

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "memcache/clock.h"
#include "memcache/memcache_server.h"
#include "tests/common/raw_client.h"

namespace memcache {
namespace {

using test_common::RawClient;

// The value of `name` in a "stats" reply, or -1.
long StatValue(const std::string& stats, const std::string& name) {
  const std::string needle = "STAT " + name + " ";
  size_t at = stats.find(needle);
  if (at == std::string::npos) return -1;
  return std::stol(stats.substr(at + needle.size()));
}

class SweeperTest : public ::testing::Test {
 protected:
  void StartServer(size_t chunk, size_t batch) {
    MemcacheServerOptions options;
    options.server.port = 0;
    options.server.io_threads = 1;
    options.store.clock = &clock_;
    options.sweep_interval = std::chrono::milliseconds(10);
    options.sweep_chunk = chunk;
    options.sweep_batch = batch;
    server_ = std::make_unique<MemcacheServer>(options);
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  // Polls "stats" until `name` reaches `want` (bounded); returns the last value.
  long WaitForStat(RawClient& c, const std::string& name, long want) {
    long value = -1;
    for (int i = 0; i < 500 && value != want; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      EXPECT_TRUE(c.Send("stats\r\n"));
      value = StatValue(c.ReadUntil("END\r\n"), name);
    }
    return value;
  }

  FakeClock clock_;
  std::unique_ptr<MemcacheServer> server_;
};

TEST_F(SweeperTest, ChunkedSweepReclaimsEveryExpiredItem) {
  // Chunks of 7 over a batch of 50: several pauses per pass, and a batch
  // smaller than the item count, so it takes more than one interval.
  StartServer(/*chunk=*/7, /*batch=*/50);
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  const int kExpiring = 200;
  for (int i = 0; i < kExpiring; ++i) {
    ASSERT_TRUE(c.Send("set exp" + std::to_string(i) + " 0 10 1\r\nx\r\n"));
    ASSERT_EQ(c.ReadUntil("\r\n"), "STORED\r\n");
  }
  ASSERT_TRUE(c.Send("set keep 0 0 1\r\ny\r\n"));
  ASSERT_EQ(c.ReadUntil("\r\n"), "STORED\r\n");

  clock_.Advance(11);
  // No reads touch the expired keys: only the sweeper can free them.
  EXPECT_EQ(WaitForStat(c, "crawler_reclaimed", kExpiring), kExpiring);
  EXPECT_EQ(WaitForStat(c, "curr_items", 1), 1);
  ASSERT_TRUE(c.Send("get keep\r\n"));
  EXPECT_EQ(c.ReadUntil("END\r\n"), "VALUE keep 0 1\r\ny\r\nEND\r\n");
}

TEST_F(SweeperTest, ChunkLargerThanBatchStillSweeps) {
  StartServer(/*chunk=*/1000, /*batch=*/30);
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(c.Send("set exp" + std::to_string(i) + " 0 5 1\r\nx\r\n"));
    ASSERT_EQ(c.ReadUntil("\r\n"), "STORED\r\n");
  }
  clock_.Advance(6);
  EXPECT_EQ(WaitForStat(c, "curr_items", 0), 0);
}

}  // namespace
}  // namespace memcache
