// Shard: one lock's worth of the Store: a chained hash table and an LRU list,
// both intrusive (the links live in the Item header), plus the counters the
// Store sums up for stats, overall and per memcached slab class.
//
// Thread-safety: the Store locks mu() around every call below; Shard itself
// does no locking. Linked items each hold one reference owned by the shard;
// Unlink hands that reference back to the caller so the memory is freed
// after the lock is released, not under it.
#ifndef MEMCACHE_SHARD_H_
#define MEMCACHE_SHARD_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "memcache/item.h"
#include "memcache/slab_classes.h"
#include "memcache/store.h"

namespace memcache {

// Counters kept per shard and updated under its lock; summed for stats.
struct ShardCounters {
  uint64_t total_items = 0;        // links (stores)
  uint64_t evictions = 0;          // live items unlinked to make room
  uint64_t evicted_unfetched = 0;  // ... that were never read
  uint64_t reclaimed = 0;          // dead items unlinked to make room or swept
  uint64_t expired_unfetched = 0;  // dead items reclaimed that were never read
  uint64_t crawler_reclaimed = 0;  // dead items found by ReclaimExpired
  uint64_t get_expired = 0;        // lookups that found an expired item
  uint64_t get_flushed = 0;        // lookups that found a flushed item
};

class alignas(64) Shard {
 public:
  static constexpr size_t kInitialBuckets = 1024;
  // Grow (double) once items exceed buckets * 2.
  static constexpr size_t kLoadNumerator = 2;
  static constexpr size_t kLoadDenominator = 1;

  // `bytes` is the Store-wide counter of memory charged to linked items;
  // `use_cas` is part of memcached's item size, hence of an item's class.
  Shard(std::atomic<int64_t>* bytes, bool use_cas);
  ~Shard();  // drops the reference of every linked item
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  std::mutex& mu() { return mu_; }

  // The linked item with this key (dead or alive), or null.
  Item* Find(std::string_view key, uint64_t hash) const;

  // Hints for lookups about to happen (multi-get), so their cache misses
  // overlap instead of queueing. PrefetchBucket needs no lock: it reads a
  // copy of the table's address that may be stale during a Grow, and a
  // prefetch of a stale address never faults, it only wastes the hint.
  // PrefetchChainHead needs the lock: it loads the bucket (a hit once
  // PrefetchBucket ran) and prefetches the first item's header and key.
  void PrefetchBucket(uint64_t hash) const;
  void PrefetchChainHead(uint64_t hash) const;
  // Links `item` (taking a new reference) at the LRU head and charges it.
  void Link(Item* item, uint64_t hash);
  // Unlinks `item` and returns the shard's reference to it.
  ItemRef Unlink(Item* item, uint64_t hash);
  // Unlinks `old_item` and links `new_item` (same key) in its place.
  ItemRef Replace(Item* old_item, Item* new_item, uint64_t hash);
  // Moves a linked item to the LRU head.
  void Bump(Item* item);

  // LRU walk from the tail (least recently used) toward the head.
  Item* lru_tail() const { return lru_tail_; }
  static Item* TowardHead(const Item* item) { return item->lru_prev_; }

  // Bucket walk (for the expiry sweeper): head of bucket `i`, chain links.
  size_t bucket_count() const { return mask_ + 1; }
  Item* bucket(size_t i) const { return buckets_[i]; }
  static Item* ChainNext(const Item* item) { return item->hash_next_; }
  // Where the sweeper resumes; reset when the table is rehashed.
  size_t sweep_cursor = 0;

  size_t count() const { return count_; }
  ShardCounters counters;

  // Per slab class numbers, indexed by class id. number and mem_requested
  // are kept by Link/Unlink/Replace; the event counters are the caller's.
  const std::vector<SlabClassStats>& class_stats() const { return classes_; }
  // The counters of `item`'s class. Items carry no class (no spare header
  // byte): it is recomputed from key and value length, a few compares.
  SlabClassStats& ClassOf(const Item* item) {
    return classes_[slabs_.ClassFor(ItemTotal(item))];
  }
  // memcached's size for `item` (its "ntotal"), what mem_requested sums.
  size_t ItemTotal(const Item* item) const {
    return SlabClasses::ItemTotal(item->key_len_, size_t{item->value_len_} + 2,
                                  (item->bits() & Item::kHasFlags) != 0,
                                  use_cas_);
  }

 private:
  void Grow();
  void AddToClass(const Item* item);
  void RemoveFromClass(const Item* item);
  void LruPushHead(Item* item);
  void LruRemove(Item* item);
  // The link that points at `item` in its chain.
  Item** FindSlot(const Item* item, uint64_t hash);

  std::mutex mu_;
  std::atomic<int64_t>* const bytes_;
  const bool use_cas_;
  const SlabClasses& slabs_ = SlabClasses::Default();
  std::vector<SlabClassStats> classes_;
  Item** buckets_ = nullptr;
  size_t mask_ = 0;
  // buckets_ and mask_ for PrefetchBucket, which runs without the lock.
  std::atomic<Item**> hint_buckets_{nullptr};
  std::atomic<size_t> hint_mask_{0};
  size_t count_ = 0;
  Item* lru_head_ = nullptr;  // most recently used
  Item* lru_tail_ = nullptr;
};

}  // namespace memcache

#endif  // MEMCACHE_SHARD_H_
