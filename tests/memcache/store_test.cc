// Store semantics against memcached 1.6: store modes, CAS, expiry, flush,
// incr/decr, touch, delete, Mutate. Eviction and concurrency tests live in
// store_eviction_test.cc and store_concurrency_test.cc.
#include "memcache/store.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "tests/memcache/store_test_util.h"

namespace memcache {
namespace {

class StoreTest : public StoreTestBase {};

TEST_F(StoreTest, SetGetOverwrite) {
  EXPECT_EQ(GetValue("a"), "<miss>");
  EXPECT_EQ(Put(StoreMode::kSet, "a", "one", 0, 7, 0), StoreResult::kStored);
  ItemRef item = store_->Get("a");
  ASSERT_TRUE(item);
  EXPECT_EQ(item->value(), "one");
  EXPECT_EQ(item->flags(), 7u);
  EXPECT_TRUE(item->linked());
  EXPECT_TRUE(item->fetched());
  EXPECT_EQ(Set("a", "two"), StoreResult::kStored);
  EXPECT_EQ(GetValue("a"), "two");
  StoreStats st = store_->stats();
  EXPECT_EQ(st.curr_items, 1u);
  EXPECT_EQ(st.total_items, 2u);
}

TEST_F(StoreTest, GetEachAnswersEveryKeyInOrder) {
  Set("a", "1");
  Set("c", "3");
  // Enough keys that the prefetch window runs ahead and then drains.
  std::vector<std::string> owned = {"a", "b", "c", "a"};
  for (int i = 0; i < 20; ++i) {
    owned.push_back("k" + std::to_string(i));
    if (i % 3 == 0) Set(owned.back(), "v" + std::to_string(i));
  }
  std::vector<std::string_view> keys(owned.begin(), owned.end());
  std::vector<std::string> seen;
  size_t calls = 0;
  store_->GetEach(keys, [&](size_t index, const ItemRef& item) {
    EXPECT_EQ(index, calls++);
    if (item) {
      EXPECT_EQ(item->key(), keys[index]);
    }
    seen.push_back(item ? std::string(item->value()) : "<miss>");
  });
  ASSERT_EQ(seen.size(), keys.size());
  EXPECT_EQ(seen[0], "1");
  EXPECT_EQ(seen[1], "<miss>");
  EXPECT_EQ(seen[2], "3");
  EXPECT_EQ(seen[3], "1");  // a repeated key is answered each time
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(seen[4 + i], i % 3 == 0 ? "v" + std::to_string(i) : "<miss>") << i;
  }
}

TEST_F(StoreTest, GetEachDropsExpiredItemsLikeGet) {
  Set("live", "x");
  Set("old", "y", kStart + 5);
  clock_.Advance(10);
  std::vector<std::string_view> keys = {"old", "live"};
  std::vector<std::string> seen;
  store_->GetEach(keys, [&](size_t, const ItemRef& item) {
    seen.push_back(item ? std::string(item->value()) : "<miss>");
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"<miss>", "x"}));
  EXPECT_EQ(store_->stats().curr_items, 1u);  // the expired one was unlinked
  EXPECT_EQ(store_->stats().get_expired, 1u);
  store_->GetEach({}, [&](size_t, const ItemRef&) { ADD_FAILURE() << "no keys, no calls"; });
}

TEST_F(StoreTest, Add) {
  EXPECT_EQ(Put(StoreMode::kAdd, "k", "1"), StoreResult::kStored);
  EXPECT_EQ(Put(StoreMode::kAdd, "k", "2"), StoreResult::kNotStored);
  EXPECT_EQ(GetValue("k"), "1");
  // An expired item does not block add.
  EXPECT_EQ(Set("e", "old", store_->ToAbsoluteExptime(5)), StoreResult::kStored);
  clock_.Advance(5);
  EXPECT_EQ(Put(StoreMode::kAdd, "e", "new"), StoreResult::kStored);
  EXPECT_EQ(GetValue("e"), "new");
}

TEST_F(StoreTest, Replace) {
  EXPECT_EQ(Put(StoreMode::kReplace, "k", "1"), StoreResult::kNotStored);
  EXPECT_EQ(GetValue("k"), "<miss>");
  Set("k", "1");
  EXPECT_EQ(Put(StoreMode::kReplace, "k", "2", 0, 9), StoreResult::kStored);
  EXPECT_EQ(GetValue("k"), "2");
  EXPECT_EQ(store_->Get("k")->flags(), 9u);
}

TEST_F(StoreTest, AppendPrependKeepOldFlagsAndExptime) {
  EXPECT_EQ(Put(StoreMode::kAppend, "k", "x"), StoreResult::kNotStored);
  EXPECT_EQ(Put(StoreMode::kPrepend, "k", "x"), StoreResult::kNotStored);
  int64_t exp = store_->ToAbsoluteExptime(100);
  EXPECT_EQ(Put(StoreMode::kSet, "k", "mid", 0, 5, exp), StoreResult::kStored);
  uint64_t cas0 = CasOf("k");
  ItemRef tail = NewItem("k", "_end", 99, store_->ToAbsoluteExptime(1));
  EXPECT_EQ(store_->Put(StoreMode::kAppend, tail), StoreResult::kStored);
  EXPECT_EQ(Put(StoreMode::kPrepend, "k", "start_", 0, 77), StoreResult::kStored);
  ItemRef item = store_->Get("k");
  EXPECT_EQ(item->value(), "start_mid_end");
  EXPECT_EQ(item->flags(), 5u);
  EXPECT_EQ(item->exptime(), exp);
  EXPECT_GT(item->cas(), cas0);
  EXPECT_NE(item.get(), tail.get());  // a new item was built
  EXPECT_GT(tail->cas(), cas0);       // the caller learns the stored cas
  clock_.Advance(10);
  EXPECT_EQ(GetValue("k"), "start_mid_end");  // not the appended exptime
}

TEST_F(StoreTest, AppendWithCompareCas) {
  Set("k", "a");
  uint64_t cas = CasOf("k");
  EXPECT_EQ(Put(StoreMode::kAppend, "k", "b", cas + 1), StoreResult::kExists);
  EXPECT_EQ(Put(StoreMode::kAppend, "k", "b", cas), StoreResult::kStored);
  EXPECT_EQ(GetValue("k"), "ab");
}

TEST_F(StoreTest, AppendBeyondMaxItemSizeIsNotStored) {
  StoreOptions options;
  options.max_item_size = 200;
  MakeStore(options);
  Set("k", std::string(100, 'a'));
  EXPECT_EQ(Put(StoreMode::kAppend, "k", std::string(100, 'b')),
            StoreResult::kNotStored);
  EXPECT_EQ(GetValue("k"), std::string(100, 'a'));
}

TEST_F(StoreTest, Cas) {
  EXPECT_EQ(Put(StoreMode::kCas, "k", "v", 1), StoreResult::kNotFound);
  Set("k", "v1");
  uint64_t cas = CasOf("k");
  ASSERT_NE(cas, 0u);
  EXPECT_EQ(Put(StoreMode::kCas, "k", "v2", cas + 1), StoreResult::kExists);
  EXPECT_EQ(Put(StoreMode::kCas, "k", "v2", 0), StoreResult::kExists);
  EXPECT_EQ(GetValue("k"), "v1");
  ItemRef item = NewItem("k", "v3");
  EXPECT_EQ(store_->Put(StoreMode::kCas, item, cas), StoreResult::kStored);
  EXPECT_GT(item->cas(), cas);
  EXPECT_EQ(CasOf("k"), item->cas());
  EXPECT_EQ(Put(StoreMode::kCas, "k", "v4", cas), StoreResult::kExists);
  EXPECT_EQ(GetValue("k"), "v3");
}

TEST_F(StoreTest, CasStaleSetKeepsExptimeAndMarksStale) {
  int64_t exp = store_->ToAbsoluteExptime(50);
  Set("k", "v1", exp);
  uint64_t old_cas = CasOf("k");
  Set("k", "v2", exp);
  store_->Peek("k")->set_win_token_sent(true);
  ItemRef item = NewItem("k", "v3");
  EXPECT_EQ(store_->Put(StoreMode::kCas, item, old_cas, /*set_stale=*/true),
            StoreResult::kStored);
  ItemRef now = store_->Get("k");
  EXPECT_EQ(now->value(), "v3");
  EXPECT_TRUE(now->stale());
  EXPECT_TRUE(now->win_token_sent());
  EXPECT_EQ(now->exptime(), exp);
  // A newer-than-live cas is still a mismatch.
  EXPECT_EQ(store_->Put(StoreMode::kCas, NewItem("k", "v4"), now->cas() + 5, true),
            StoreResult::kExists);
}

TEST_F(StoreTest, CasIsUniquePerWriteTouchKeepsIt) {
  Set("a", "1");
  uint64_t c1 = CasOf("a");
  Set("b", "1");
  uint64_t c2 = CasOf("b");
  EXPECT_NE(c1, c2);
  EXPECT_TRUE(store_->Touch("a", 0));
  EXPECT_EQ(CasOf("a"), c1);
  uint64_t value = 0, cas = 0;
  EXPECT_EQ(store_->Arith("a", true, 1, &value, &cas), ArithResult::kOk);
  EXPECT_GT(cas, c2);
  EXPECT_EQ(CasOf("a"), cas);
}

TEST_F(StoreTest, NoCasOption) {
  StoreOptions options;
  options.use_cas = false;
  MakeStore(options);
  Set("a", "1");
  EXPECT_EQ(CasOf("a"), 0u);
}

TEST_F(StoreTest, ToAbsoluteExptime) {
  const int64_t now = clock_.NowUnix();
  EXPECT_EQ(store_->ToAbsoluteExptime(0), 0);
  EXPECT_EQ(store_->ToAbsoluteExptime(1), now + 1);
  EXPECT_EQ(store_->ToAbsoluteExptime(60 * 60 * 24 * 30), now + 2592000);
  // One more second than 30 days is an absolute time: 1970, long expired.
  EXPECT_LE(store_->ToAbsoluteExptime(60 * 60 * 24 * 30 + 1), now);
  EXPECT_GT(store_->ToAbsoluteExptime(60 * 60 * 24 * 30 + 1), 0);
  EXPECT_EQ(store_->ToAbsoluteExptime(now + 100), now + 100);
  EXPECT_LE(store_->ToAbsoluteExptime(-1), now);
  EXPECT_GT(store_->ToAbsoluteExptime(-1), 0);
}

TEST_F(StoreTest, ExpiryEdges) {
  Set("never", "v", store_->ToAbsoluteExptime(0));
  Set("neg", "v", store_->ToAbsoluteExptime(-1));
  Set("ten", "v", store_->ToAbsoluteExptime(10));
  Set("month", "v", store_->ToAbsoluteExptime(60 * 60 * 24 * 30));
  Set("abs_old", "v", store_->ToAbsoluteExptime(60 * 60 * 24 * 30 + 1));
  Set("abs_past", "v", store_->ToAbsoluteExptime(clock_.NowUnix() - 1));
  Set("abs_future", "v", store_->ToAbsoluteExptime(clock_.NowUnix() + 20));
  EXPECT_EQ(GetValue("never"), "v");
  EXPECT_EQ(GetValue("neg"), "<miss>");
  EXPECT_EQ(GetValue("abs_old"), "<miss>");
  EXPECT_EQ(GetValue("abs_past"), "<miss>");
  EXPECT_EQ(GetValue("ten"), "v");
  clock_.Advance(9);
  EXPECT_EQ(GetValue("ten"), "v");
  clock_.Advance(1);  // exptime <= now: expired
  EXPECT_EQ(GetValue("ten"), "<miss>");
  EXPECT_EQ(GetValue("abs_future"), "v");
  clock_.Advance(10);
  EXPECT_EQ(GetValue("abs_future"), "<miss>");
  clock_.Set(kStart + 2592000 - 1);
  EXPECT_EQ(GetValue("month"), "v");
  clock_.Advance(1);
  EXPECT_EQ(GetValue("month"), "<miss>");
  EXPECT_EQ(GetValue("never"), "v");
  EXPECT_GE(store_->stats().get_expired, 4u);
}

TEST_F(StoreTest, FlushAllNow) {
  Set("a", "1");
  Set("b", "2");
  store_->FlushAll();
  EXPECT_EQ(GetValue("a"), "<miss>");
  // Stored in the same second, after the flush: kept (told apart by cas).
  Set("c", "3");
  EXPECT_EQ(GetValue("c"), "3");
  EXPECT_EQ(GetValue("b"), "<miss>");
  clock_.Advance(1);
  Set("d", "4");
  EXPECT_EQ(GetValue("c"), "3");
  EXPECT_EQ(GetValue("d"), "4");
  EXPECT_EQ(store_->stats().get_flushed, 2u);
}

TEST_F(StoreTest, FlushAllDelayed) {
  Set("a", "1");
  store_->FlushAll(clock_.NowUnix() + 10);
  EXPECT_EQ(GetValue("a"), "1");
  clock_.Advance(5);
  Set("b", "2");
  clock_.Advance(3);  // now = when - 2
  EXPECT_EQ(GetValue("a"), "1");
  EXPECT_EQ(GetValue("b"), "2");
  // memcached sets oldest_live = when - 1, so the flush shows a second early.
  clock_.Advance(1);
  EXPECT_EQ(GetValue("a"), "<miss>");
  EXPECT_EQ(GetValue("b"), "<miss>");
  clock_.Advance(1);
  Set("c", "3");
  clock_.Advance(100);
  EXPECT_EQ(GetValue("c"), "3");
}

TEST_F(StoreTest, IncrDecr) {
  uint64_t value = 0, cas = 0;
  EXPECT_EQ(store_->Arith("n", true, 1, &value, &cas), ArithResult::kNotFound);
  Put(StoreMode::kSet, "n", "10", 0, 3, store_->ToAbsoluteExptime(100));
  EXPECT_EQ(store_->Arith("n", true, 5, &value, &cas), ArithResult::kOk);
  EXPECT_EQ(value, 15u);
  EXPECT_EQ(GetValue("n"), "15");
  EXPECT_EQ(store_->Arith("n", true, 90, &value, &cas), ArithResult::kOk);
  EXPECT_EQ(value, 105u);
  EXPECT_EQ(GetValue("n"), "105");
  ItemRef item = store_->Get("n");
  EXPECT_EQ(item->flags(), 3u);
  EXPECT_EQ(item->exptime(), clock_.NowUnix() + 100);
  EXPECT_EQ(item->cas(), cas);
}

TEST_F(StoreTest, DecrPadsLikeMemcached) {
  uint64_t value = 0, cas = 0;
  Set("n", "10");
  EXPECT_EQ(store_->Arith("n", false, 1, &value, &cas), ArithResult::kOk);
  EXPECT_EQ(value, 9u);
  EXPECT_EQ(GetValue("n"), "9 ");
  EXPECT_EQ(store_->Arith("n", true, 1, &value, &cas), ArithResult::kOk);
  EXPECT_EQ(GetValue("n"), "10");
  Set("m", "1000");
  EXPECT_EQ(store_->Arith("m", false, 999, &value, &cas), ArithResult::kOk);
  EXPECT_EQ(GetValue("m"), "1   ");
}

TEST_F(StoreTest, DecrStopsAtZeroIncrWraps) {
  uint64_t value = 1, cas = 0;
  Set("n", "5");
  EXPECT_EQ(store_->Arith("n", false, 10, &value, &cas), ArithResult::kOk);
  EXPECT_EQ(value, 0u);
  EXPECT_EQ(GetValue("n"), "0");
  Set("big", "18446744073709551615");
  EXPECT_EQ(store_->Arith("big", true, 1, &value, &cas), ArithResult::kOk);
  EXPECT_EQ(value, 0u);
  EXPECT_EQ(GetValue("big"), "0                   ");
  Set("big2", "18446744073709551610");
  EXPECT_EQ(store_->Arith("big2", true, 10, &value, &cas), ArithResult::kOk);
  EXPECT_EQ(value, 4u);
}

TEST_F(StoreTest, ArithNonNumeric) {
  uint64_t value = 0, cas = 0;
  Set("s", "abc");
  Set("e", "");
  Set("neg", "-1");
  EXPECT_EQ(store_->Arith("s", true, 1, &value, &cas), ArithResult::kNonNumeric);
  EXPECT_EQ(store_->Arith("e", true, 1, &value, &cas), ArithResult::kNonNumeric);
  EXPECT_EQ(store_->Arith("neg", false, 1, &value, &cas),
            ArithResult::kNonNumeric);
  EXPECT_EQ(GetValue("s"), "abc");
}

TEST_F(StoreTest, TouchAndGetAndTouch) {
  EXPECT_FALSE(store_->Touch("k", 0));
  EXPECT_FALSE(store_->GetAndTouch("k", 0));
  Set("k", "v", store_->ToAbsoluteExptime(5));
  EXPECT_TRUE(store_->Touch("k", store_->ToAbsoluteExptime(100)));
  clock_.Advance(10);
  ItemRef item = store_->GetAndTouch("k", store_->ToAbsoluteExptime(1));
  ASSERT_TRUE(item);
  EXPECT_EQ(item->value(), "v");
  clock_.Advance(1);
  EXPECT_EQ(GetValue("k"), "<miss>");
}

TEST_F(StoreTest, Delete) {
  EXPECT_EQ(store_->Delete("k"), DeleteResult::kNotFound);
  Set("k", "v");
  uint64_t cas = CasOf("k");
  EXPECT_EQ(store_->Delete("k", cas + 1), DeleteResult::kExists);
  EXPECT_EQ(store_->Delete("k", cas), DeleteResult::kDeleted);
  EXPECT_EQ(GetValue("k"), "<miss>");
  Set("k", "v");
  EXPECT_EQ(store_->Delete("k"), DeleteResult::kDeleted);
  EXPECT_EQ(store_->Delete("k"), DeleteResult::kNotFound);
}

TEST_F(StoreTest, RefStaysValidAfterReplaceAndDelete) {
  Set("k", "first");
  ItemRef held = store_->Get("k");
  EXPECT_EQ(held->refcount(), 2u);  // the table and us
  Set("k", "second");
  EXPECT_FALSE(held->linked());
  EXPECT_EQ(held->refcount(), 1u);
  EXPECT_EQ(held->value(), "first");
  ItemRef second = store_->Get("k");
  EXPECT_EQ(store_->Delete("k"), DeleteResult::kDeleted);
  EXPECT_EQ(second->value(), "second");
  EXPECT_EQ(second->refcount(), 1u);
  EXPECT_EQ(store_->stats().bytes, 0u);
}

TEST_F(StoreTest, AllocateErrors) {
  AllocError error;
  EXPECT_FALSE(store_->Allocate("k", 0, 0, 1 << 20, &error));
  EXPECT_EQ(error, AllocError::kTooLarge);
  EXPECT_FALSE(store_->Allocate(std::string(251, 'k'), 0, 0, 1, &error));
  EXPECT_EQ(error, AllocError::kTooLarge);
  // Just under memcached's -I boundary: 48 + 8 + 1 + 1 + v + 2 = 1 MiB.
  size_t fits = (1 << 20) - 60;
  EXPECT_TRUE(store_->Allocate("k", 0, 0, fits, &error));
  EXPECT_EQ(error, AllocError::kNone);
  EXPECT_FALSE(store_->Allocate("k", 0, 0, fits + 1, &error));
  EXPECT_EQ(error, AllocError::kTooLarge);
  StoreOptions options;
  options.memory_limit = 1000;
  MakeStore(options);
  EXPECT_FALSE(store_->Allocate("k", 0, 0, 2000, &error));
  EXPECT_EQ(error, AllocError::kNoMemory);
}

TEST_F(StoreTest, PeekDoesNotMarkFetched) {
  Set("k", "v");
  ItemRef item = store_->Peek("k");
  ASSERT_TRUE(item);
  EXPECT_FALSE(item->fetched());
  store_->MarkAccessed(item);
  EXPECT_TRUE(item->fetched());
}

TEST_F(StoreTest, MutateKeepUnlinkLink) {
  bool saw_null = false;
  store_->Mutate("k", [&](const ItemRef& cur) {
    saw_null = !cur;
    return Store::Mutation{};
  });
  EXPECT_TRUE(saw_null);

  Set("k", "v1");
  uint64_t cas1 = CasOf("k");
  // kKeep with an in-place change, as meta delete with I does.
  store_->Mutate("k", [&](const ItemRef& cur) {
    cur->set_stale(true);
    cur->set_cas(store_->NextCas());
    return Store::Mutation{};
  });
  EXPECT_TRUE(store_->Peek("k")->stale());
  EXPECT_GT(CasOf("k"), cas1);

  // kLink: the replacement may be allocated inside fn.
  uint64_t cas2 = CasOf("k");
  store_->Mutate("k", [&](const ItemRef& cur) {
    Store::Mutation m;
    m.kind = Store::Mutation::kLink;
    m.replacement = NewItem("k", std::string(cur->value()) + "+");
    return m;
  });
  EXPECT_EQ(GetValue("k"), "v1+");
  EXPECT_GT(CasOf("k"), cas2);

  store_->Mutate("k", [](const ItemRef&) {
    Store::Mutation m;
    m.kind = Store::Mutation::kUnlink;
    return m;
  });
  EXPECT_EQ(GetValue("k"), "<miss>");
  EXPECT_EQ(store_->stats().bytes, 0u);

  // Expired items are presented as null.
  Set("e", "v", store_->ToAbsoluteExptime(1));
  clock_.Advance(1);
  store_->Mutate("e", [&](const ItemRef& cur) {
    saw_null = !cur;
    return Store::Mutation{};
  });
  EXPECT_TRUE(saw_null);
}

TEST_F(StoreTest, ForEachSeesLiveItems) {
  Set("a", "1");
  Set("b", "2");
  Set("gone", "3", store_->ToAbsoluteExptime(1));
  clock_.Advance(1);
  int n = 0;
  store_->ForEach([&](const ItemRef& item) {
    EXPECT_NE(item->key(), "gone");
    ++n;
    return true;
  });
  EXPECT_EQ(n, 2);
}

}  // namespace
}  // namespace memcache
