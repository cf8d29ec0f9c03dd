#include "memcache/key_hash.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace memcache {
namespace {

TEST(KeyHashTest, DeterministicAndDistinctAcrossLengths) {
  std::set<uint64_t> seen;
  std::string key;
  for (int len = 0; len <= 250; ++len) {
    EXPECT_EQ(HashKey(key), HashKey(std::string(key)));
    EXPECT_TRUE(seen.insert(HashKey(key)).second) << "len " << len;
    key.push_back('a');
  }
  // Every byte position matters, including the ones only the overlapping
  // windows of short keys read.
  for (int len = 1; len <= 40; ++len) {
    std::string base(len, 'x');
    for (int i = 0; i < len; ++i) {
      std::string flipped = base;
      flipped[i] = 'y';
      EXPECT_NE(HashKey(base), HashKey(flipped)) << len << " " << i;
    }
  }
}

TEST(KeyHashTest, SpreadsSequentialKeysOverShards) {
  int shards[16] = {0};
  for (int i = 0; i < 16000; ++i) {
    ++shards[HashKey("key:" + std::to_string(i)) >> 60];
  }
  for (int count : shards) {
    EXPECT_GT(count, 800);
    EXPECT_LT(count, 1200);
  }
}

}  // namespace
}  // namespace memcache
