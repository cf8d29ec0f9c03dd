// Many threads on overlapping keys; run under TSan to check the locking.
// Invariants checked: values never torn, bytes within bounds while running,
// and at the end curr_items and bytes agree with the items actually linked.
#include <atomic>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "memcache/arith_value.h"
#include "memcache/clock.h"
#include "memcache/item.h"
#include "memcache/shard.h"
#include "memcache/store.h"

namespace memcache {
namespace {

// Values are "<key>:<digits>" or a bare number (after incr/decr), so a
// reader can tell a torn or misplaced value.
bool ValueLooksRight(const Item& item) {
  std::string_view v = item.value();
  uint64_t n;
  if (ParseArithValue(v, &n)) return true;
  std::string_view key = item.key();
  return v.size() > key.size() && v.substr(0, key.size()) == key &&
         v[key.size()] == ':';
}

void RunWorkload(Store* store, FakeClock* clock, int seed, int ops,
                 std::atomic<int>* bad) {
  std::mt19937 rng(seed);
  AllocError error;
  for (int i = 0; i < ops; ++i) {
    std::string key = "key" + std::to_string(rng() % 200);
    switch (rng() % 10) {
      case 0:
      case 1:
      case 2: {
        std::string value = key + ":" + std::string(rng() % 300, 'x');
        if (rng() % 4 == 0) value = std::to_string(rng() % 1000);
        ItemRef item = store->Allocate(key, 0, rng() % 8 == 0 ? clock->NowUnix() + 2 : 0,
                                       value.size(), &error);
        if (!item) {
          bad->fetch_add(1);
          break;
        }
        std::memcpy(item->mutable_value(), value.data(), value.size());
        if (store->Put(StoreMode::kSet, item) != StoreResult::kStored) bad->fetch_add(1);
        break;
      }
      case 3:
      case 4: {
        ItemRef item = store->Get(key);
        if (item && (item->key() != key || !ValueLooksRight(*item))) bad->fetch_add(1);
        break;
      }
      case 5: {
        std::vector<std::string> owned;
        for (int k = 0; k < 12; ++k) owned.push_back("key" + std::to_string(rng() % 200));
        std::vector<std::string_view> keys(owned.begin(), owned.end());
        store->GetEach(keys, [&](size_t index, const ItemRef& item) {
          if (item && (item->key() != keys[index] || !ValueLooksRight(*item))) {
            bad->fetch_add(1);
          }
        });
        break;
      }
      case 6:
        store->Delete(key);
        break;
      case 7: {
        uint64_t v, cas;
        store->Arith(key, rng() % 2 == 0, rng() % 50, &v, &cas);
        break;
      }
      case 8: {
        ItemRef item = store->Peek(key);
        std::string value = key + ":" + std::string(rng() % 50, 'y');
        ItemRef fresh = store->Allocate(key, 0, 0, value.size(), &error);
        if (!fresh) break;
        std::memcpy(fresh->mutable_value(), value.data(), value.size());
        store->Put(StoreMode::kCas, fresh, item ? item->cas() : 1);
        break;
      }
      case 9:
        store->Mutate(key, [&](const ItemRef& cur) {
          Store::Mutation m;
          if (cur && rng() % 2 == 0) {
            cur->set_stale(true);
            cur->set_cas(store->NextCas());
          } else if (!cur) {
            std::string value = key + ":m";
            m.replacement = store->Allocate(key, 0, 0, value.size(), nullptr);
            if (m.replacement) {
              std::memcpy(m.replacement->mutable_value(), value.data(), value.size());
              m.kind = Store::Mutation::kLink;
            }
          } else {
            m.kind = Store::Mutation::kUnlink;
          }
          return m;
        });
        break;
    }
    if (seed == 0 && i % 1000 == 0) clock->Advance(1);
    if (i % 5000 == 0) store->ReclaimExpired(100);
  }
}

TEST(StoreConcurrencyTest, RandomOpsKeepInvariants) {
  FakeClock clock;
  StoreOptions options;
  options.clock = &clock;
  options.shard_bits = 2;
  options.memory_limit = 24 * 1024;  // small: evictions happen all the time
  Store store(options);
  constexpr int kThreads = 8;
  constexpr int kOps = 20000;
  std::atomic<int> bad{0};
  std::atomic<bool> done{false};
  std::atomic<uint64_t> max_bytes{0};
  std::thread monitor([&] {
    while (!done.load()) {
      uint64_t b = store.stats().bytes;
      if (b > max_bytes.load()) max_bytes.store(b);
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(RunWorkload, &store, &clock, t, kOps, &bad);
  }
  for (auto& t : threads) t.join();
  done.store(true);
  monitor.join();

  EXPECT_EQ(bad.load(), 0);
  // Concurrent allocations may overshoot by a few items, never by much.
  EXPECT_LE(max_bytes.load(), options.memory_limit + kThreads * 2 * 1024);
  StoreStats st = store.stats();
  EXPECT_GT(st.evictions, 0u);
  // Sweep the dead so every linked item is visible to ForEach. A sweep
  // resumes at each shard's cursor and stops at the table's end, so one that
  // finds nothing may have skipped the buckets before the cursor: stop only
  // after two empty sweeps in a row (the second starts at bucket 0).
  clock.Advance(10);
  for (int empty = 0; empty < 2;) {
    empty = store.ReclaimExpired(100000) > 0 ? 0 : empty + 1;
  }
  st = store.stats();
  uint64_t count = 0, bytes = 0;
  store.ForEach([&](const ItemRef& item) {
    ++count;
    bytes += item->charged_size();
    EXPECT_EQ(item->refcount(), 2u);  // the table and this batch
    return true;
  });
  EXPECT_EQ(st.curr_items, count);
  EXPECT_EQ(st.bytes, bytes);
  EXPECT_LE(st.bytes, options.memory_limit + kThreads * 2 * 1024);
}

// Multi-gets prefetch through a copy of each shard's table address, read
// without the lock; tables grow under them here (a few thousand keys per
// shard), and every answer must still be the right item or a miss.
TEST(StoreConcurrencyTest, GetEachWhileTablesGrow) {
  StoreOptions options;
  options.shard_bits = 2;
  options.memory_limit = size_t{256} << 20;
  Store store(options);
  constexpr int kKeys = 40000;
  std::atomic<int> inserted{0};
  std::atomic<int> bad{0};
  std::thread writer([&] {
    for (int i = 0; i < kKeys; ++i) {
      std::string key = "grow" + std::to_string(i);
      std::string value = key + ":v";
      ItemRef item = store.Allocate(key, 0, 0, value.size(), nullptr);
      if (!item) {  // readers stop once everything counts as inserted
        bad.fetch_add(1);
        inserted.store(kKeys, std::memory_order_release);
        return;
      }
      std::memcpy(item->mutable_value(), value.data(), value.size());
      store.Put(StoreMode::kSet, item);
      inserted.store(i + 1, std::memory_order_release);
    }
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::vector<std::string> owned(32);
      std::vector<std::string_view> keys(owned.size());
      while (inserted.load(std::memory_order_acquire) < kKeys) {
        int have = inserted.load(std::memory_order_acquire);
        for (size_t k = 0; k < owned.size(); ++k) {
          // Mostly keys already stored (must hit), some not yet (may miss).
          int i = static_cast<int>(rng() % (have + 64));
          owned[k] = "grow" + std::to_string(i);
          keys[k] = owned[k];
        }
        store.GetEach(keys, [&](size_t index, const ItemRef& item) {
          const int i = std::stoi(std::string(keys[index].substr(4)));
          if (item == nullptr) {
            if (i < have) bad.fetch_add(1);  // stored before the call: must hit
          } else if (item->key() != keys[index] || !ValueLooksRight(*item)) {
            bad.fetch_add(1);
          }
        });
      }
    });
  }
  writer.join();
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(store.stats().hash_buckets, 4u * Shard::kInitialBuckets);
}

}  // namespace
}  // namespace memcache
