// Cluster over several real memcached processes, and interop with
// libmemcached: same key placement, same bytes and flags both ways.
#include "client/cluster.h"

#include <libmemcached/memcached.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/server_process.h"

namespace client {
namespace {

using std::chrono::milliseconds;
using test_common::MemcachedArgv;
using test_common::ServerProcess;

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const uint32_t weights[] = {1, 2, 3};
    for (uint32_t w : weights) {
      auto p = std::make_unique<ServerProcess>(MemcachedArgv({"-m", "64"}));
      ASSERT_TRUE(p->Start()) << p->error();
      ServerAddress a;
      a.port = p->port();
      a.weight = w;
      options_.servers.push_back(a);
      procs_.push_back(std::move(p));
    }
    options_.session.request_timeout = milliseconds(3000);
  }

  memcached_st* NewLibmemcached() {
    memcached_st* memc = memcached_create(nullptr);
    memcached_behavior_set(memc, MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1);
    for (const auto& a : options_.servers) {
      memcached_server_add_with_weight(memc, a.host.c_str(), a.port, a.weight);
    }
    return memc;
  }

  std::vector<std::unique_ptr<ServerProcess>> procs_;
  ClusterOptions options_;
};

TEST_F(ClusterTest, RoutesLikeLibmemcachedAndReadsItsData) {
  memcached_st* memc = NewLibmemcached();
  Cluster cluster(options_);
  for (int i = 0; i < 300; ++i) {
    std::string key = "lm:" + std::to_string(i);
    std::string value = "value-" + std::to_string(i * 7919) + std::string(i % 50, 'z');
    uint32_t flags = static_cast<uint32_t>(i * 2654435761u);
    ASSERT_EQ(memcached_set(memc, key.data(), key.size(), value.data(), value.size(),
                            0, flags),
              MEMCACHED_SUCCESS);
    uint32_t lm_server = memcached_generate_hash(memc, key.data(), key.size());
    EXPECT_EQ(cluster.ServerFor(key), static_cast<int>(lm_server)) << key;
    Result r = cluster.Get(key);
    ASSERT_TRUE(r.ok()) << key << " " << r.Describe();
    EXPECT_EQ(r.value, value);
    EXPECT_EQ(r.flags, flags);
    // And it really is stored on that server alone.
    Result direct = cluster.session(lm_server).Get(key);
    EXPECT_TRUE(direct.ok()) << key;
  }
  memcached_free(memc);
}

TEST_F(ClusterTest, LibmemcachedReadsWhatWeWrite) {
  Cluster cluster(options_);
  for (int i = 0; i < 300; ++i) {
    std::string key = "ours:" + std::to_string(i);
    std::string value = std::string(i % 30, 'v') + std::to_string(i);
    ASSERT_TRUE(cluster.Set(key, value, 0xfffffff0u - i).ok());
  }
  memcached_st* memc = NewLibmemcached();
  for (int i = 0; i < 300; ++i) {
    std::string key = "ours:" + std::to_string(i);
    size_t len = 0;
    uint32_t flags = 0;
    memcached_return_t rc;
    char* v = memcached_get(memc, key.data(), key.size(), &len, &flags, &rc);
    ASSERT_EQ(rc, MEMCACHED_SUCCESS) << key;
    EXPECT_EQ(std::string(v, len), std::string(i % 30, 'v') + std::to_string(i));
    EXPECT_EQ(flags, 0xfffffff0u - i);
    free(v);
  }
  memcached_free(memc);
}

TEST_F(ClusterTest, MultiGetSplitsAndMerges) {
  Cluster cluster(options_);
  std::vector<std::string> keys;
  for (int i = 0; i < 100; ++i) keys.push_back("mg" + std::to_string(i));
  std::vector<bool> used(3);
  for (size_t i = 0; i < keys.size(); i += 2) {
    ASSERT_TRUE(cluster.Set(keys[i], keys[i] + "!", static_cast<uint32_t>(i)).ok());
    used[cluster.ServerFor(keys[i])] = true;
  }
  EXPECT_TRUE(used[0] && used[1] && used[2]);
  std::vector<std::string_view> views(keys.begin(), keys.end());
  Result r = cluster.MultiGet(views);
  ASSERT_TRUE(r.ok()) << r.Describe();
  ASSERT_EQ(r.items.size(), 50u);
  for (size_t i = 0; i < keys.size(); i += 2) {
    EXPECT_EQ(r.items.at(keys[i]).value, keys[i] + "!");
    EXPECT_EQ(r.items.at(keys[i]).flags, i);
  }
}

TEST_F(ClusterTest, MultiGatSplitsMergesAndTouches) {
  Cluster cluster(options_);
  std::vector<std::string> keys;
  for (int i = 0; i < 30; ++i) keys.push_back("gat" + std::to_string(i));
  for (const std::string& k : keys) ASSERT_TRUE(cluster.Set(k, k + "?").ok());
  std::vector<std::string_view> views(keys.begin(), keys.end());
  views.push_back("gat-missing");
  Result r = cluster.MultiGats(500, views);
  ASSERT_TRUE(r.ok()) << r.Describe();
  ASSERT_EQ(r.items.size(), keys.size());
  for (const std::string& k : keys) {
    EXPECT_EQ(r.items.at(k).value, k + "?");
    EXPECT_NE(r.items.at(k).cas, 0u);
    // Each key's own server touched it.
    Result meta = cluster.MetaGet(k, "t");
    ASSERT_TRUE(meta.ok()) << meta.Describe();
    EXPECT_TRUE(meta.meta_flags == "t500" || meta.meta_flags == "t499") << k << " "
                                                                        << meta.meta_flags;
  }
}

TEST_F(ClusterTest, KeylessCommandsGoToEveryServer) {
  Cluster cluster(options_);
  ASSERT_TRUE(cluster.Set("x", "1").ok());
  Result st = cluster.Stats();
  ASSERT_TRUE(st.ok());
  int pids = 0;
  for (auto& kv : st.stats) pids += kv.first.size() > 4 && kv.first.substr(kv.first.size() - 4) == ":pid";
  EXPECT_EQ(pids, 3);
  EXPECT_TRUE(cluster.Version().ok());
  EXPECT_TRUE(cluster.FlushAll().ok());
  EXPECT_EQ(cluster.Get("x").status, Status::kNotFound);
}

TEST_F(ClusterTest, DeadServerIsEjectedThenRetried) {
  options_.failure_limit = 2;
  options_.retry_interval = milliseconds(1000);
  options_.session.reconnect_backoff_min = milliseconds(10);
  options_.session.reconnect_backoff_max = milliseconds(50);
  Cluster cluster(options_);
  std::string victim_key;
  for (int i = 0; !victim_key.size() && i < 1000; ++i) {
    std::string k = "e" + std::to_string(i);
    if (cluster.ServerFor(k) == 2) victim_key = k;
  }
  ASSERT_FALSE(victim_key.empty());
  uint16_t port = procs_[2]->port();
  procs_[2]->Kill();
  int failures = 0;
  for (int i = 0; i < 20 && !cluster.ejected(2); ++i) {
    if (!cluster.Set(victim_key, "v").ok()) ++failures;
  }
  EXPECT_TRUE(cluster.ejected(2));
  EXPECT_GE(failures, 2);
  // Its keys now live elsewhere.
  EXPECT_NE(cluster.ServerFor(victim_key), 2);
  EXPECT_TRUE(cluster.Set(victim_key, "moved").ok());
  EXPECT_EQ(cluster.Get(victim_key).value, "moved");

  procs_[2] = std::make_unique<ServerProcess>(MemcachedArgv({"-m", "64"}), port);
  ASSERT_TRUE(procs_[2]->Start());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool back = false;
  while (!back && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
    back = cluster.ServerFor(victim_key) == 2 && cluster.Set(victim_key, "home").ok() &&
           !cluster.ejected(2);
  }
  EXPECT_TRUE(back);
}

TEST(ClusterDownTest, AllServersDown) {
  ClusterOptions o;
  ServerAddress a;
  a.port = test_common::FindFreePort();
  o.servers.push_back(a);
  o.failure_limit = 1;
  o.retry_interval = milliseconds(60000);
  Cluster cluster(o);
  EXPECT_EQ(cluster.Get("k").status, Status::kConnectionError);
  EXPECT_TRUE(cluster.ejected(0));
  Result r = cluster.Get("k");
  EXPECT_EQ(r.status, Status::kConnectionError);
  EXPECT_EQ(r.message, "no live servers");
}

}  // namespace
}  // namespace client
