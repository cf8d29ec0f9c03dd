// Per-slab-class numbers: Store::ClassStats() and the "stats items" /
// "stats slabs" replies built from them.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "memcache/slab_classes.h"
#include "memcache/store.h"
#include "tests/memcache/handler_test_util.h"
#include "tests/memcache/store_test_util.h"

namespace memcache {
namespace {

// memcached's item size for a key/value stored by these tests.
size_t Total(const std::string& key, size_t value_len, bool flags = false,
             bool use_cas = true) {
  return SlabClasses::ItemTotal(key.size(), value_len + 2, flags, use_cas);
}

int ClassOf(const std::string& key, size_t value_len) {
  return SlabClasses::Default().ClassFor(Total(key, value_len));
}

class SlabClassStatsTest : public StoreTestBase {
 protected:
  SlabClassStats Class(int id) { return store_->ClassStats().at(id); }
};

TEST_F(SlabClassStatsTest, OneEntryPerClass) {
  EXPECT_EQ(store_->ClassStats().size(),
            static_cast<size_t>(SlabClasses::Default().largest() + 1));
  EXPECT_EQ(store_->stats().classes.size(), store_->ClassStats().size());
  EXPECT_EQ(Class(1).number, 0u);
}

TEST_F(SlabClassStatsTest, SmallValuesLandInClassOne) {
  ASSERT_EQ(ClassOf("empty", 0), 1);
  ASSERT_EQ(ClassOf("ten", 10), 1);
  Set("empty", "");
  Set("ten", std::string(10, 'x'));
  SlabClassStats c = Class(1);
  EXPECT_EQ(c.number, 2u);
  EXPECT_EQ(c.mem_requested, Total("empty", 0) + Total("ten", 10));
  EXPECT_EQ(c.cmd_set, 2u);
  for (size_t id = 2; id < store_->ClassStats().size(); ++id) {
    EXPECT_EQ(store_->ClassStats()[id].number, 0u) << id;
  }
}

TEST_F(SlabClassStatsTest, MemRequestedIsMemcachedsItemTotal) {
  // Flags add 4 bytes, no CAS saves 8, as in memcached's ITEM_ntotal.
  Put(StoreMode::kSet, "f", "abc", 0, /*flags=*/7);
  EXPECT_EQ(Class(1).mem_requested, Total("f", 3, /*flags=*/true));
  StoreOptions no_cas;
  no_cas.shard_bits = 1;
  no_cas.use_cas = false;
  MakeStore(no_cas);
  Set("k", std::string(100, 'v'));
  int id = SlabClasses::Default().ClassFor(Total("k", 100, false, false));
  EXPECT_EQ(Class(id).mem_requested, Total("k", 100, false, false));
}

TEST_F(SlabClassStatsTest, UsedChunksFollowSetDeleteAndExpiry) {
  for (int i = 0; i < 5; ++i) Set("k" + std::to_string(i), "v");
  Set("short", "v", store_->ToAbsoluteExptime(10));
  Set("swept", "v", store_->ToAbsoluteExptime(10));
  EXPECT_EQ(Class(1).number, 7u);
  EXPECT_EQ(store_->Delete("k0"), DeleteResult::kDeleted);
  EXPECT_EQ(Class(1).number, 6u);
  EXPECT_EQ(Class(1).delete_hits, 1u);
  clock_.Advance(10);
  EXPECT_EQ(GetValue("short"), "<miss>");  // unlinked by the lookup
  EXPECT_EQ(Class(1).number, 5u);
  EXPECT_EQ(store_->ReclaimExpired(1000), 1u);
  SlabClassStats c = Class(1);
  EXPECT_EQ(c.number, 4u);
  EXPECT_EQ(c.reclaimed, 1u);
  EXPECT_EQ(c.crawler_reclaimed, 1u);
  EXPECT_EQ(c.expired_unfetched, 1u);
  EXPECT_EQ(c.mem_requested, 4 * Total("k1", 1));
  for (int i = 1; i < 5; ++i) store_->Delete("k" + std::to_string(i));
  EXPECT_EQ(Class(1).number, 0u);
  EXPECT_EQ(Class(1).mem_requested, 0u);
}

TEST_F(SlabClassStatsTest, ReplacingMovesAnItemBetweenClasses) {
  Set("k", "small");
  int big = ClassOf("k", 1000);
  ASSERT_GT(big, 1);
  Set("k", std::string(1000, 'b'));
  EXPECT_EQ(Class(1).number, 0u);
  EXPECT_EQ(Class(big).number, 1u);
  EXPECT_EQ(Class(big).mem_requested, Total("k", 1000));
  // Append builds a bigger item: counted where the result lands.
  Set("a", std::string(40, 'a'));
  ASSERT_EQ(ClassOf("a", 40), 2);
  Put(StoreMode::kAppend, "a", std::string(40, 'b'));
  int grown = ClassOf("a", 80);
  ASSERT_GT(grown, 2);
  EXPECT_EQ(Class(2).number, 0u);
  EXPECT_EQ(Class(grown).number, 1u);
  EXPECT_EQ(Class(2).cmd_set, 2u);  // "a", then the appended piece
}

TEST_F(SlabClassStatsTest, LargeExpiredValueReplacedBySetIsReclaimed) {
  // t/issue_163.t: a 66,560-byte value is in class 31; once expired, the
  // set that replaces it counts it as reclaimed there.
  const std::string big(66560, 'A');
  ASSERT_EQ(ClassOf("key", big.size()), 31);
  Set("key", big, store_->ToAbsoluteExptime(1));
  SlabClassStats c = Class(31);
  EXPECT_EQ(c.number, 1u);
  EXPECT_EQ(c.mem_requested, Total("key", big.size()));
  uint64_t requested = c.mem_requested;
  clock_.Advance(3);
  Set("key", std::string(66570, 'B'));
  c = Class(31);
  EXPECT_EQ(c.number, 1u);
  EXPECT_EQ(c.reclaimed, 1u);
  EXPECT_EQ(c.expired_unfetched, 1u);
  EXPECT_EQ(c.cmd_set, 2u);
  StoreStats st = store_->stats();
  EXPECT_EQ(st.reclaimed, 1u);
  EXPECT_EQ(st.get_expired, 0u);  // a store, not a lookup
  EXPECT_EQ(store_->Delete("key"), DeleteResult::kDeleted);
  Set("key", big);
  EXPECT_EQ(Class(31).mem_requested, requested);
}

TEST_F(SlabClassStatsTest, FlushedItemReplacedBySetIsReclaimed) {
  // t/issue_183.t.
  Set("key", "1");
  clock_.Advance(2);
  store_->FlushAll();
  Set("key", "1");
  EXPECT_EQ(store_->stats().reclaimed, 1u);
  EXPECT_EQ(Class(1).reclaimed, 1u);
  EXPECT_EQ(Class(1).number, 1u);
}

TEST_F(SlabClassStatsTest, HitCountersGoToTheHitItemsClass) {
  Set("s", "1");                       // class 1
  Set("b", std::string(1000, 'x'));    // a bigger class
  int big = ClassOf("b", 1000);
  EXPECT_TRUE(store_->Get("s"));
  EXPECT_TRUE(store_->Get("b"));
  EXPECT_TRUE(store_->Get("b"));
  EXPECT_FALSE(store_->Get("missing"));
  store_->MarkAccessed(store_->Peek("s"));
  EXPECT_TRUE(store_->Touch("b", 0));
  EXPECT_TRUE(store_->GetAndTouch("s", 0));
  uint64_t v, cas;
  EXPECT_EQ(store_->Arith("s", true, 5, &v, &cas), ArithResult::kOk);
  EXPECT_EQ(store_->Arith("s", false, 1, &v, &cas), ArithResult::kOk);
  EXPECT_EQ(store_->Arith("s", false, 1, &v, &cas), ArithResult::kOk);
  EXPECT_EQ(Put(StoreMode::kCas, "b", "new", CasOf("b") + 100),
            StoreResult::kExists);
  EXPECT_EQ(Put(StoreMode::kCas, "b", "new", CasOf("b")), StoreResult::kStored);
  SlabClassStats s = Class(1), b = Class(big);
  EXPECT_EQ(s.get_hits, 2u);
  EXPECT_EQ(b.get_hits, 2u);
  EXPECT_EQ(s.touch_hits, 1u);
  EXPECT_EQ(b.touch_hits, 1u);
  EXPECT_EQ(s.incr_hits, 1u);
  EXPECT_EQ(s.decr_hits, 2u);
  EXPECT_EQ(b.cas_badval, 1u);
  EXPECT_EQ(b.cas_hits, 1u);  // the class of the item pushed out
  EXPECT_EQ(s.cmd_set, 3u);   // "s" and both cas attempts' "new"
  EXPECT_EQ(b.cmd_set, 1u);
  EXPECT_EQ(Class(1).number, 2u);  // "s" and the new "b"
  EXPECT_EQ(Class(big).number, 0u);
}

TEST_F(SlabClassStatsTest, EvictionsAreCountedInTheVictimsClass) {
  StoreOptions options;
  options.shard_bits = 0;
  options.memory_limit = 20 * Item::ChargedSize(4, 0, 100);
  MakeStore(options);
  for (int i = 0; i < 40; ++i) {
    Set("k" + std::to_string(i), std::string(100, 'x'));
  }
  int id = ClassOf("k10", 100);
  SlabClassStats c = Class(id);
  StoreStats st = store_->stats();
  EXPECT_GT(c.evicted, 0u);
  EXPECT_EQ(c.evicted, st.evictions);
  EXPECT_EQ(c.evicted_unfetched, st.evicted_unfetched);
  EXPECT_EQ(c.number, st.curr_items);
}

TEST_F(SlabClassStatsTest, ClassTotalsMatchTheStoreTotals) {
  for (int i = 0; i < 300; ++i) {
    Set("key:" + std::to_string(i), std::string(i * 37 % 5000, 'v'),
        i % 3 == 0 ? store_->ToAbsoluteExptime(5) : 0);
  }
  clock_.Advance(5);
  for (int i = 0; i < 300; i += 2) GetValue("key:" + std::to_string(i));
  store_->ReclaimExpired(100000);
  StoreStats st = store_->stats();
  uint64_t number = 0, reclaimed = 0, unfetched = 0;
  for (const SlabClassStats& c : st.classes) {
    number += c.number;
    reclaimed += c.reclaimed;
    unfetched += c.expired_unfetched;
  }
  EXPECT_EQ(number, st.curr_items);
  EXPECT_EQ(reclaimed, st.reclaimed);
  EXPECT_EQ(unfetched, st.expired_unfetched);
  EXPECT_EQ(st.classes[0].number, 0u);
}

// The replies, against the output of a real memcached 1.6.18.
class SlabStatsReplyTest : public testing_util::HandlerTest {};

TEST_F(SlabStatsReplyTest, EmptyStore) {
  EXPECT_EQ(Run("stats items\r\n"), "END\r\n");
  EXPECT_EQ(Run("stats slabs\r\n"),
            "STAT active_slabs 0\r\nSTAT total_malloced 0\r\nEND\r\n");
}

TEST_F(SlabStatsReplyTest, SlabsLikeMemcached) {
  Run("set a 0 0 1\r\nx\r\nset bb 5 0 10\r\n0123456789\r\n");
  EXPECT_EQ(Run("stats slabs\r\n"),
            "STAT 1:chunk_size 96\r\n"
            "STAT 1:chunks_per_page 10922\r\n"
            "STAT 1:total_pages 1\r\n"
            "STAT 1:total_chunks 10922\r\n"
            "STAT 1:used_chunks 2\r\n"
            "STAT 1:free_chunks 10920\r\n"
            "STAT 1:free_chunks_end 0\r\n"
            "STAT 1:get_hits 0\r\n"
            "STAT 1:cmd_set 2\r\n"
            "STAT 1:delete_hits 0\r\n"
            "STAT 1:incr_hits 0\r\n"
            "STAT 1:decr_hits 0\r\n"
            "STAT 1:cas_hits 0\r\n"
            "STAT 1:cas_badval 0\r\n"
            "STAT 1:touch_hits 0\r\n"
            "STAT active_slabs 1\r\n"
            "STAT total_malloced 1048576\r\n"
            "END\r\n");
}

TEST_F(SlabStatsReplyTest, ItemsLikeMemcached) {
  Run("set a 0 0 1\r\nx\r\nset bb 5 0 10\r\n0123456789\r\n");
  std::string want;
  // hot/warm/cold segments and ages are not modelled: 0.
  const std::vector<std::pair<const char*, const char*>> rows = {
      {"number", "2"}, {"number_hot", "0"}, {"number_warm", "0"},
      {"number_cold", "0"}, {"age_hot", "0"}, {"age_warm", "0"}, {"age", "0"},
      {"mem_requested", "136"}, {"evicted", "0"}, {"evicted_nonzero", "0"},
      {"evicted_time", "0"}, {"outofmemory", "0"}, {"tailrepairs", "0"},
      {"reclaimed", "0"}, {"expired_unfetched", "0"},
      {"evicted_unfetched", "0"}, {"evicted_active", "0"},
      {"crawler_reclaimed", "0"}, {"crawler_items_checked", "0"},
      {"lrutail_reflocked", "0"}, {"moves_to_cold", "0"},
      {"moves_to_warm", "0"}, {"moves_within_lru", "0"},
      {"direct_reclaims", "0"}, {"hits_to_hot", "0"}, {"hits_to_warm", "0"},
      {"hits_to_cold", "0"}, {"hits_to_temp", "0"}};
  for (const auto& row : rows) {
    want += std::string("STAT items:1:") + row.first + " " + row.second +
            "\r\n";
  }
  want += "END\r\n";
  EXPECT_EQ(Run("stats items\r\n"), want);
}

TEST_F(SlabStatsReplyTest, OnlyClassesWithItemsAndPagesForAllOfThem) {
  std::string big(66560, 'A');
  Run("set big 0 0 66560\r\n" + big + "\r\n");
  for (int i = 0; i < 13; ++i) {
    Run("set b" + std::to_string(i) + " 0 0 66560\r\n" + big + "\r\n");
  }
  auto slabs = Stats("stats slabs");
  EXPECT_EQ(slabs.count("1:chunk_size"), 0u);
  EXPECT_EQ(slabs["31:chunk_size"], "82792");
  EXPECT_EQ(slabs["31:chunks_per_page"], "12");
  EXPECT_EQ(slabs["31:used_chunks"], "14");
  EXPECT_EQ(slabs["31:total_pages"], "2");
  EXPECT_EQ(slabs["31:total_chunks"], "24");
  EXPECT_EQ(slabs["31:free_chunks"], "10");
  EXPECT_EQ(slabs["active_slabs"], "1");
  EXPECT_EQ(slabs["total_malloced"], std::to_string(2 << 20));
  auto items = Stats("stats items");
  EXPECT_EQ(items["items:31:number"], "14");
  EXPECT_EQ(items.count("items:1:number"), 0u);
  Run("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(Stats("stats slabs")["active_slabs"], "2");
  // Emptied, a class keeps one page in "stats slabs" (as memcached keeps
  // its pages) but leaves "stats items".
  Run("delete big\r\n");
  for (int i = 0; i < 13; ++i) Run("delete b" + std::to_string(i) + "\r\n");
  slabs = Stats("stats slabs");
  EXPECT_EQ(slabs["31:used_chunks"], "0");
  EXPECT_EQ(slabs["31:total_pages"], "1");
  EXPECT_EQ(slabs["31:free_chunks"], "12");
  EXPECT_EQ(slabs["31:delete_hits"], "14");
  EXPECT_EQ(slabs["active_slabs"], "2");
  EXPECT_EQ(slabs["total_malloced"], std::to_string(2 << 20));
  EXPECT_EQ(Stats("stats items").count("items:31:number"), 0u);
  EXPECT_EQ(Run("stats reset\r\n"), "RESET\r\n");
  EXPECT_EQ(Stats("stats slabs")["31:total_pages"], "1");
}

TEST_F(SlabStatsReplyTest, ClassOfAnAppendedPieceIsListed) {
  // memcached allocates the piece in its own class (15), so that class has
  // a page and is listed although nothing stays linked there.
  Run("set big 0 0 3000\r\n" + std::string(3000, 'x') + "\r\n");
  Run("append big 0 0 2000\r\n" + std::string(2000, 'y') + "\r\n");
  ASSERT_EQ(ClassOf("big", 2000), 15);
  auto slabs = Stats("stats slabs");
  EXPECT_EQ(slabs["15:used_chunks"], "0");
  EXPECT_EQ(slabs["15:cmd_set"], "1");
  EXPECT_EQ(slabs["15:total_pages"], "1");
  EXPECT_EQ(slabs["active_slabs"], "3");  // 15, 17 (the old item), 19
  EXPECT_EQ(Stats("stats items").count("items:15:number"), 0u);
  EXPECT_EQ(Stats("stats items")["items:19:number"], "1");
}

TEST_F(SlabStatsReplyTest, ResetZeroesClassCountersButNotItems) {
  Run("set a 0 0 1\r\n1\r\nget a\r\nget a\r\nincr a 1\r\ndelete zz\r\n");
  Run("set d 0 1 1\r\nx\r\n");
  clock_.Advance(2);
  Run("set d 0 0 1\r\ny\r\n");  // reclaims the expired "d"
  auto s = Stats("stats slabs");
  EXPECT_EQ(s["1:get_hits"], "2");
  EXPECT_EQ(s["1:cmd_set"], "3");
  EXPECT_EQ(s["1:incr_hits"], "1");
  EXPECT_EQ(Stats("stats items")["items:1:reclaimed"], "1");
  EXPECT_EQ(Run("stats reset\r\n"), "RESET\r\n");
  s = Stats("stats slabs");
  EXPECT_EQ(s["1:get_hits"], "0");
  EXPECT_EQ(s["1:cmd_set"], "0");
  EXPECT_EQ(s["1:incr_hits"], "0");
  EXPECT_EQ(s["1:used_chunks"], "2");
  auto items = Stats("stats items");
  EXPECT_EQ(items["items:1:reclaimed"], "0");
  EXPECT_EQ(items["items:1:number"], "2");
  EXPECT_EQ(items["items:1:mem_requested"],
            std::to_string(Total("a", 1) + Total("d", 1)));
  Run("get a\r\n");
  EXPECT_EQ(Stats("stats slabs")["1:get_hits"], "1");
}

}  // namespace
}  // namespace memcache
