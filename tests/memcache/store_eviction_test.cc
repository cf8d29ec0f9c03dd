// Memory limit, LRU eviction order, reclaiming of expired items, accounting.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "memcache/item.h"
#include "memcache/shard.h"
#include "memcache/store.h"
#include "tests/memcache/store_test_util.h"

namespace memcache {
namespace {

constexpr size_t kValueLen = 100;

class StoreEvictionTest : public StoreTestBase {
 protected:
  // One shard so the LRU order is global and exact.
  void MakeSmallStore(size_t items, int shard_bits = 0) {
    StoreOptions options;
    options.shard_bits = shard_bits;
    options.memory_limit = items * Charge();
    MakeStore(options);
  }
  static size_t Charge() { return Item::ChargedSize(3, 0, kValueLen); }
  static std::string Key(int i) {
    char buf[8];
    snprintf(buf, sizeof(buf), "k%02d", i);
    return buf;
  }
  void Fill(int from, int to, int64_t exptime = 0) {
    for (int i = from; i < to; ++i) {
      ASSERT_EQ(Set(Key(i), std::string(kValueLen, 'v'), exptime),
                StoreResult::kStored);
    }
  }
  bool Has(int i) { return static_cast<bool>(store_->Peek(Key(i))); }
};

TEST_F(StoreEvictionTest, EvictsLeastRecentlyUsed) {
  MakeSmallStore(10);
  Fill(0, 10);
  EXPECT_EQ(store_->stats().bytes, 10 * Charge());
  clock_.Advance(61);  // past the bump interval
  for (int i : {0, 1, 2}) EXPECT_TRUE(store_->Get(Key(i)));
  Fill(10, 12);
  for (int i : {0, 1, 2, 5, 9, 10, 11}) EXPECT_TRUE(Has(i)) << i;
  EXPECT_FALSE(Has(3));
  EXPECT_FALSE(Has(4));
  StoreStats st = store_->stats();
  EXPECT_EQ(st.evictions, 2u);
  EXPECT_EQ(st.evicted_unfetched, 2u);
  EXPECT_EQ(st.curr_items, 10u);
  EXPECT_LE(st.bytes, st.limit_maxbytes);
}

TEST_F(StoreEvictionTest, BumpsAtMostOncePerInterval) {
  MakeSmallStore(10);
  Fill(0, 10);
  clock_.Advance(30);  // within the interval: gets do not move items
  for (int i : {0, 1}) EXPECT_TRUE(store_->Get(Key(i)));
  Fill(10, 12);
  EXPECT_FALSE(Has(0));
  EXPECT_FALSE(Has(1));
  EXPECT_EQ(store_->stats().evicted_unfetched, 0u);  // both had been read
}

TEST_F(StoreEvictionTest, FailedAddPromotes) {
  // Room to spare, so allocating the add's item evicts nothing.
  MakeSmallStore(11);
  Fill(0, 10);
  clock_.Advance(61);
  EXPECT_EQ(Put(StoreMode::kAdd, Key(0), "x"), StoreResult::kNotStored);
  Fill(10, 12);
  EXPECT_TRUE(Has(0));
  EXPECT_FALSE(Has(1));
}

TEST_F(StoreEvictionTest, ExpiredTailItemsAreReclaimedFirst) {
  MakeSmallStore(10);
  Fill(0, 2);
  Fill(2, 3, store_->ToAbsoluteExptime(5));
  Fill(3, 10);
  clock_.Advance(5);
  Fill(10, 11);
  EXPECT_TRUE(Has(0));
  EXPECT_FALSE(Has(2));
  StoreStats st = store_->stats();
  EXPECT_EQ(st.reclaimed, 1u);
  EXPECT_EQ(st.expired_unfetched, 1u);
  EXPECT_EQ(st.evictions, 0u);
}

TEST_F(StoreEvictionTest, SetsUnderPressureAlwaysStore) {
  MakeSmallStore(50, /*shard_bits=*/2);
  for (int i = 0; i < 5000; ++i) {
    std::string key = "key" + std::to_string(i);
    ASSERT_EQ(Set(key, std::string(kValueLen, 'x')), StoreResult::kStored);
    ASSERT_LE(store_->stats().bytes, store_->stats().limit_maxbytes);
    ASSERT_EQ(GetValue(key), std::string(kValueLen, 'x'));
  }
  StoreStats st = store_->stats();
  EXPECT_GT(st.evictions, 4000u);
  EXPECT_EQ(st.curr_items + st.evictions, 5000u);
}

TEST_F(StoreEvictionTest, BigItemEvictsFromOtherShards) {
  MakeSmallStore(40, /*shard_bits=*/3);
  for (int i = 0; i < 40; ++i) Set("s" + std::to_string(i), std::string(kValueLen, 'x'));
  // Needs the room of ~20 small items: more than any one shard holds.
  std::string big(20 * Charge() - 200, 'b');
  EXPECT_EQ(Set("big", big), StoreResult::kStored);
  EXPECT_EQ(GetValue("big"), big);
  EXPECT_LE(store_->stats().bytes, store_->stats().limit_maxbytes);
}

TEST_F(StoreEvictionTest, AllocateInsideMutateEvictsFromOtherShards) {
  MakeSmallStore(40, /*shard_bits=*/2);
  for (int i = 0; i < 40; ++i) Set("s" + std::to_string(i), std::string(kValueLen, 'x'));
  std::string big(10 * Charge(), 'b');
  store_->Mutate("big", [&](const ItemRef& cur) {
    EXPECT_FALSE(cur);
    Store::Mutation m;
    m.kind = Store::Mutation::kLink;
    m.replacement = NewItem("big", big);
    return m;
  });
  EXPECT_EQ(GetValue("big"), big);
  StoreStats st = store_->stats();
  EXPECT_GE(st.evictions, 10u);
  EXPECT_LE(st.bytes, st.limit_maxbytes);
}

TEST_F(StoreEvictionTest, LoweringTheLimitEvictsOnLaterSets) {
  MakeSmallStore(100, 1);
  for (int i = 0; i < 100; ++i) Set("s" + std::to_string(i), std::string(kValueLen, 'x'));
  store_->SetMemoryLimit(10 * Charge());
  Set("new", std::string(kValueLen, 'x'));
  StoreStats st = store_->stats();
  EXPECT_EQ(st.limit_maxbytes, 10 * Charge());
  EXPECT_LE(st.bytes, st.limit_maxbytes);
  EXPECT_TRUE(store_->Get("new"));
}

TEST_F(StoreEvictionTest, BytesReturnToZero) {
  std::vector<std::string> keys;
  size_t expect = 0;
  for (int i = 0; i < 500; ++i) {
    keys.push_back("key:" + std::to_string(i));
    std::string value(i % 97, 'a');
    Set(keys.back(), value);
    expect += Item::ChargedSize(keys.back().size(), 0, value.size());
  }
  EXPECT_EQ(store_->stats().bytes, expect);
  // Replacing with a different size moves bytes by the difference.
  Set(keys[0], std::string(1000, 'z'));
  expect += Item::ChargedSize(keys[0].size(), 0, 1000) - Item::ChargedSize(keys[0].size(), 0, 0);
  EXPECT_EQ(store_->stats().bytes, expect);
  uint64_t v, cas;
  Set(keys[1], "7");
  store_->Arith(keys[1], true, 100, &v, &cas);
  Put(StoreMode::kAppend, keys[2], "tail");
  for (const std::string& key : keys) {
    EXPECT_EQ(store_->Delete(key), DeleteResult::kDeleted);
  }
  StoreStats st = store_->stats();
  EXPECT_EQ(st.bytes, 0u);
  EXPECT_EQ(st.curr_items, 0u);
}

TEST_F(StoreEvictionTest, ReclaimExpiredFreesDeadItems) {
  StoreOptions options;
  options.shard_bits = 3;
  MakeStore(options);
  for (int i = 0; i < 1000; ++i) {
    Set("t" + std::to_string(i), "v", store_->ToAbsoluteExptime(10));
  }
  for (int i = 0; i < 100; ++i) Set("p" + std::to_string(i), "v");
  EXPECT_EQ(store_->ReclaimExpired(100000), 0u);
  clock_.Advance(10);
  // Small budgets still cover everything over successive calls.
  size_t total = 0;
  for (int round = 0; round < 1000 && total < 1000; ++round) {
    total += store_->ReclaimExpired(16);
  }
  EXPECT_EQ(total, 1000u);
  StoreStats st = store_->stats();
  EXPECT_EQ(st.curr_items, 100u);
  EXPECT_EQ(st.crawler_reclaimed, 1000u);
  EXPECT_EQ(st.expired_unfetched, 1000u);
  size_t bytes = 0;
  for (int i = 0; i < 100; ++i) {
    bytes += Item::ChargedSize(("p" + std::to_string(i)).size(), 0, 1);
  }
  EXPECT_EQ(st.bytes, bytes);
}

TEST_F(StoreEvictionTest, ReclaimExpiredFreesFlushedItems) {
  for (int i = 0; i < 50; ++i) Set("f" + std::to_string(i), "v");
  store_->FlushAll();
  clock_.Advance(1);
  Set("kept", "v");
  EXPECT_EQ(store_->ReclaimExpired(1000), 50u);
  EXPECT_EQ(store_->stats().curr_items, 1u);
  EXPECT_EQ(GetValue("kept"), "v");
}

TEST_F(StoreEvictionTest, GrowsHashTable) {
  StoreOptions options;
  options.shard_bits = 1;
  options.memory_limit = size_t{1} << 30;
  MakeStore(options);
  const int kItems = 100000;
  for (int i = 0; i < kItems; ++i) Set("key" + std::to_string(i), std::to_string(i));
  StoreStats st = store_->stats();
  EXPECT_EQ(st.curr_items, static_cast<uint64_t>(kItems));
  // At most Shard's load factor: items <= buckets * numerator / denominator.
  EXPECT_GE(st.hash_buckets * Shard::kLoadNumerator / Shard::kLoadDenominator,
            static_cast<uint64_t>(kItems));
  EXPECT_GT(st.hash_buckets, Shard::kInitialBuckets * 2);  // it did grow
  for (int i = 0; i < kItems; i += 7) {
    ASSERT_EQ(GetValue("key" + std::to_string(i)), std::to_string(i));
  }
}

}  // namespace
}  // namespace memcache
