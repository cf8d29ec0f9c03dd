// Store: the cache's storage engine. Items, a memory limit with LRU eviction,
// expiry, CAS. Knows nothing of sockets or the wire protocol.
//
// Thread-safety: every method may be called from any thread. The hash table is
// split into shards, each with its own lock and its own LRU list, so
// operations on different keys rarely contend.
//
// Items are immutable once linked (Put): a write replaces the item. Readers get
// an ItemRef that keeps the item's memory alive after it is replaced, deleted
// or evicted, so replies can reference the value bytes without copying.
//
// Times: exptimes passed to the Store are absolute unix seconds (0 = never),
// already converted from the protocol's form by ToAbsoluteExptime.
#ifndef MEMCACHE_STORE_H_
#define MEMCACHE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "memcache/clock.h"
#include "memcache/item.h"

namespace memcache {

struct StoreOptions {
  size_t memory_limit = 64 << 20;  // -m, bytes; counts header + key + value
  size_t max_item_size = 1 << 20;  // -I, bytes of a whole item
  int shard_bits = 6;              // 2^shard_bits shards
  bool use_cas = true;
  // An item's LRU position is bumped at most once per interval (memcached's
  // ITEM_UPDATE_INTERVAL), so hot gets do not write to the LRU every time.
  int lru_bump_interval_seconds = 60;
  const Clock* clock = nullptr;  // null: the system clock
};

enum class StoreMode { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };
enum class StoreResult { kStored, kNotStored, kExists, kNotFound, kNoMemory };
enum class DeleteResult { kDeleted, kNotFound, kExists };
enum class ArithResult { kOk, kNotFound, kNonNumeric, kNoMemory };
enum class AllocError { kNone, kTooLarge, kNoMemory };

// Numbers for one memcached slab class (see SlabClasses; the Store has no
// slabs, an item is counted in the class memcached would put it in). number
// and mem_requested describe the items linked now; the rest count events
// since the Store was created.
struct SlabClassStats {
  uint64_t number = 0;             // linked items
  uint64_t mem_requested = 0;      // sum of SlabClasses::ItemTotal of those
  // Non-zero once an item of the class was written or linked; not cleared
  // by "stats reset". memcached keeps a class's slab pages, and lists it,
  // from its first allocation on.
  uint64_t touched = 0;
  uint64_t evicted = 0;            // live items unlinked to make room
  uint64_t evicted_unfetched = 0;  // ... that were never read
  uint64_t reclaimed = 0;          // dead items freed (room, sweep, a store)
  uint64_t expired_unfetched = 0;  // ... that were never read
  uint64_t crawler_reclaimed = 0;  // ... by ReclaimExpired
  // Hits as memcached's "stats slabs" counts them, by the hit item's class.
  // Meta commands that go through Mutate (mg, ms, md, ma) are not counted.
  uint64_t get_hits = 0;     // Get, GetEach, MarkAccessed
  uint64_t cmd_set = 0;      // Put calls, by the new item's class
  uint64_t delete_hits = 0;  // Delete
  uint64_t incr_hits = 0;    // Arith
  uint64_t decr_hits = 0;
  uint64_t cas_hits = 0;     // Put kCas, by the replaced item's class
  uint64_t cas_badval = 0;
  uint64_t touch_hits = 0;   // GetAndTouch, Touch
};

struct StoreStats {
  uint64_t curr_items = 0;
  uint64_t total_items = 0;
  uint64_t bytes = 0;  // memory charged to live items
  uint64_t limit_maxbytes = 0;
  uint64_t evictions = 0;
  uint64_t evicted_unfetched = 0;
  uint64_t expired_unfetched = 0;
  uint64_t reclaimed = 0;  // expired items whose memory was reclaimed
  uint64_t curr_connections_dummy = 0;
  // Added by the engine (all cheap sums of per-shard counters):
  uint64_t crawler_reclaimed = 0;  // expired/flushed items freed by ReclaimExpired
  uint64_t get_expired = 0;        // lookups that found an expired item
  uint64_t get_flushed = 0;        // lookups that found a flushed item
  uint64_t hash_buckets = 0;       // total buckets over all shards
  uint64_t hash_bytes = 0;         // memory of the bucket arrays
  uint64_t malloc_fails = 0;
  // Indexed by slab class id (0 unused), SlabClasses::Default().largest() + 1
  // entries.
  std::vector<SlabClassStats> classes;
};

class Store {
 public:
  explicit Store(StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // memcached's exptime rules: 0 never; 1..30 days relative seconds; above
  // that an absolute unix time; negative already expired. Returns an absolute
  // unix time (0 = never; a time in the past = expired).
  int64_t ToAbsoluteExptime(int64_t exptime) const;
  int64_t Now() const;  // unix seconds from the store's clock

  // Allocates an unlinked item with room for `value_len` value bytes, to be
  // filled through Item::mutable_value() and then Put. Returns null and sets
  // *error when the item could never fit (kTooLarge) or memory cannot be
  // found even by evicting (kNoMemory).
  ItemRef Allocate(std::string_view key, uint32_t flags, int64_t exptime,
                   size_t value_len, AllocError* error);

  // Links `item` according to `mode`. For kCas, `compare_cas` must equal the
  // live item's cas. On kStored the item has its new cas.
  // As in memcached, compare_cas also guards kAppend/kPrepend when non-zero
  // (meta set C flag) and is ignored by kSet/kAdd/kReplace. set_stale is the
  // meta set I flag: a kCas whose compare_cas is *older* than the live cas
  // still stores, marked stale, keeping the old exptime and win token.
  StoreResult Put(StoreMode mode, const ItemRef& item, uint64_t compare_cas = 0,
                  bool set_stale = false);

  // The live item, or null. Marks it fetched and bumps it in the LRU.
  ItemRef Get(std::string_view key);
  // Get for each key in order, calling fn(index, item) (item null on a
  // miss) with no lock held. Later keys' hash-table loads are prefetched
  // while earlier ones are answered, so a multi-get over a table much
  // larger than the cache overlaps its memory misses instead of paying
  // them one after another.
  void GetEach(const std::vector<std::string_view>& keys,
               const std::function<void(size_t index, const ItemRef& item)>& fn);
  // The live item or null, WITHOUT marking it fetched or bumping it (mg
  // reads h/l flags first, then calls MarkAccessed unless it has q/no-bump).
  ItemRef Peek(std::string_view key);
  // What Get does to a hit: mark fetched, bump the LRU if due. No-op if the
  // item is no longer linked.
  void MarkAccessed(const ItemRef& item);
  // Get plus a new exptime (gat/gats).
  ItemRef GetAndTouch(std::string_view key, int64_t exptime);
  bool Touch(std::string_view key, int64_t exptime);
  // compare_cas != 0: delete only when the live item's cas matches (kExists otherwise).
  DeleteResult Delete(std::string_view key, uint64_t compare_cas = 0);
  // incr/decr on a decimal value: incr wraps at 2^64, decr stops at 0. On kOk
  // sets *value and *cas to the new value and cas.
  ArithResult Arith(std::string_view key, bool incr, uint64_t delta,
                    uint64_t* value, uint64_t* cas);

  // Invalidates every item written before `when` (absolute, 0 = now) once
  // the clock reaches it (flush_all [delay]).
  void FlushAll(int64_t when = 0);
  // Walks up to `max_items` items and frees those that are expired or
  // flushed. Returns how many were reclaimed. Called by a background sweeper.
  size_t ReclaimExpired(size_t max_items);

  // Runs `fn` with the key's shard locked and the live item (or null), for
  // operations that must read and write atomically (the meta commands). fn
  // returns what to do: keep, unlink the current item, or link a replacement.
  struct Mutation {
    enum Kind { kKeep, kUnlink, kLink } kind = kKeep;
    ItemRef replacement;  // for kLink: an item from Allocate; gets a new cas
  };
  // fn runs under the shard lock: it may change the current item's exptime,
  // cas (use NextCas) and state bits, and may call Allocate and NextCas, but
  // no other Store method (that would self-deadlock).
  void Mutate(std::string_view key,
              const std::function<Mutation(const ItemRef& current)>& fn);

  // A fresh cas value (e.g. meta delete with I bumps the item's cas).
  uint64_t NextCas();

  // Calls fn on live items, shard by shard, without holding locks, until fn
  // returns false (debugging, lru_crawler metadump). Items linked or
  // unlinked meanwhile may or may not be seen.
  void ForEach(const std::function<bool(const ItemRef& item)>& fn);

  // cache_memlimit. Takes effect on later allocations (they evict down to
  // it); options().memory_limit keeps the initial value.
  void SetMemoryLimit(size_t bytes);
  // Sums every shard's counters, taking each shard lock in turn.
  StoreStats stats() const;
  // stats().classes alone.
  std::vector<SlabClassStats> ClassStats() const;
  const StoreOptions& options() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace memcache

#endif  // MEMCACHE_STORE_H_
