// Store::Impl: the Store's state and the locked helpers its methods share
// (lookup with lazy expiry, LRU bumps, eviction, linking). Private to the
// engine: only store.cc and store_impl.cc include it.
//
// Locking: methods named *Locked, FindLive, Hit and MaybeBump need the
// shard's mutex held by the caller; EvictFrom and MakeRoom take shard locks
// themselves and must be called without one (except the one Mutate holds,
// which they know about through LockedShardScope).
#ifndef MEMCACHE_STORE_IMPL_H_
#define MEMCACHE_STORE_IMPL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "memcache/clock.h"
#include "memcache/item.h"
#include "memcache/shard.h"
#include "memcache/store.h"

namespace memcache {

// Items freed per lock hold when evicting or sweeping; freed after unlock.
constexpr size_t kStoreBatch = 32;

// Marks the shard this thread holds locked inside Mutate(): Allocate() called
// from the mutation must not lock it again, and may only try_lock others
// (two threads in Mutate, each waiting for the other's shard, would
// deadlock otherwise).
class LockedShardScope {
 public:
  explicit LockedShardScope(const Shard* s);
  ~LockedShardScope();
  LockedShardScope(const LockedShardScope&) = delete;
  LockedShardScope& operator=(const LockedShardScope&) = delete;
  static const Shard* Current();

 private:
  const Shard* saved_;
};

class Store::Impl {
 public:
  // Most items an allocation evicts, so a sudden cut of the memory limit is
  // absorbed over many requests instead of one very slow one.
  static constexpr size_t kMaxEvictionsPerAllocate = 1000;
  // Most items a link trims from its own shard when over the limit.
  static constexpr size_t kLinkEvictMax = 4;

  explicit Impl(StoreOptions opts);
  // Shards go first: their destructors uncharge `bytes`.
  ~Impl() { shards.clear(); }

  Shard& ShardFor(uint64_t hash) {
    return *shards[shard_bits == 0 ? 0 : hash >> (64 - shard_bits)];
  }
  int64_t Now() const { return clock->NowUnix(); }
  uint64_t NextCas() {
    return options.use_cas
               ? cas_counter.fetch_add(1, std::memory_order_relaxed) + 1
               : 0;
  }

  // memcached's item_is_flushed.
  bool IsFlushed(const Item* it, int64_t now) const {
    int64_t live = oldest_live.load(std::memory_order_relaxed);
    if (live == 0 || live > now) return false;
    uint64_t ocas = oldest_cas.load(std::memory_order_relaxed);
    uint64_t cas = it->cas();
    return it->last_access() <= live || (ocas != 0 && cas != 0 && cas < ocas);
  }
  static bool IsExpired(const Item* it, int64_t now) {
    int64_t exp = it->exptime();
    return exp != 0 && exp <= now;
  }
  bool IsDead(const Item* it, int64_t now) const {
    return IsExpired(it, now) || IsFlushed(it, now);
  }

  // The live item for key, or null. A dead one found is unlinked and its
  // reference parked in *dead (freed after unlock), counted as an expired or
  // flushed lookup, or, for a store (`for_store`), as reclaimed: in
  // memcached the item allocation or the LRU maintainer would have
  // reclaimed it before the store looked (t/issue_183.t, t/issue_163.t).
  Item* FindLive(Shard& s, std::string_view key, uint64_t hash, int64_t now,
                 ItemRef* dead, bool for_store = false);
  // Store::Get with the key's hash already computed. Takes the shard lock.
  ItemRef GetHashed(std::string_view key, uint64_t hash);

  // memcached's do_item_update: bump at most once per interval.
  void MaybeBump(Shard& s, Item* it, int64_t now) {
    if (it->last_access() < now - options.lru_bump_interval_seconds) {
      s.Bump(it);
      it->set_last_access(now);
    }
  }
  // A read hit (memcached's do_item_bump, non-segmented LRU): fetched, and a
  // bump if due. The bit is tested first so hot items do not write their
  // header every time.
  void Hit(Shard& s, Item* it, int64_t now) {
    if (!it->fetched()) it->set_fetched(true);
    MaybeBump(s, it, now);
  }

  // Counts a dead item about to be unlinked as reclaimed (memcached's
  // lru_pull_tail), overall and in its class.
  static void CountReclaimed(Shard& s, const Item* it);

  bool OverLimit(size_t extra) const {
    return bytes.load(std::memory_order_relaxed) + static_cast<int64_t>(extra) >
           static_cast<int64_t>(limit.load(std::memory_order_relaxed));
  }

  // Frees room until `extra` more bytes fit, dead items near the tail first,
  // never touching `keep`. Parks up to `max` references in graveyard;
  // returns how many.
  size_t EvictLocked(Shard& s, size_t extra, const Item* keep, int64_t now,
                     ItemRef* graveyard, size_t max);
  // Locks s and evicts toward room for `extra` bytes, spending from
  // *budget. Returns how many items went.
  size_t EvictFrom(Shard& s, size_t extra, size_t* budget);
  // Evicts until `extra` bytes fit: the key's own shard first, then the
  // others round-robin. Gives up (the caller allocates anyway) when nothing
  // is left to evict or the budget is spent; the overshoot is transient.
  void MakeRoom(uint64_t hash, size_t extra);
  // After linking `fresh`: if concurrent allocations pushed the total over
  // the limit, give back from this shard (the only one whose lock we hold).
  // graveyard has room for kLinkEvictMax references.
  void TrimAfterLinkLocked(Shard& s, const Item* fresh, int64_t now,
                           ItemRef* graveyard) {
    EvictLocked(s, 0, fresh, now, graveyard, kLinkEvictMax);
  }
  // Declared before a write's shard lock, so it runs once the lock is
  // released: the trim under the lock evicts at most kLinkEvictMax items of
  // that one shard, which may not be enough (a large item among small ones,
  // several threads linking at once); this finishes the job from any shard,
  // so no write returns with the store over its limit.
  class TrimAfterUnlock {
   public:
    TrimAfterUnlock(Impl* impl, uint64_t hash) : impl_(impl), hash_(hash) {}
    ~TrimAfterUnlock() { impl_->MakeRoom(hash_, 0); }
    TrimAfterUnlock(const TrimAfterUnlock&) = delete;
    TrimAfterUnlock& operator=(const TrimAfterUnlock&) = delete;

   private:
    Impl* const impl_;
    const uint64_t hash_;
  };
  // Links `fresh` (replacing `old` if non-null) with a new cas. Returns the
  // replaced item's reference.
  ItemRef LinkLocked(Shard& s, Item* old, Item* fresh, uint64_t hash,
                     int64_t now);
  // One shard's share of ReclaimExpired: examines up to `max_items` items
  // from its sweep cursor. Returns how many were reclaimed.
  size_t SweepShard(Shard& s, size_t max_items);

  const StoreOptions options;
  const Clock* const clock;
  const int64_t process_started;
  const int shard_bits;
  std::vector<std::unique_ptr<Shard>> shards;
  // Read on every lookup, written almost never: kept off the cache line that
  // every write dirties, so gets do not miss on it.
  alignas(64) std::atomic<int64_t> oldest_live{0};
  std::atomic<uint64_t> oldest_cas{0};
  std::atomic<size_t> limit;
  // Written by every store.
  alignas(64) std::atomic<int64_t> bytes{0};
  std::atomic<uint64_t> cas_counter{0};
  alignas(64) std::atomic<uint64_t> malloc_fails{0};
  std::atomic<size_t> evict_cursor{0};
  std::atomic<size_t> sweep_cursor{0};
};

}  // namespace memcache

#endif  // MEMCACHE_STORE_IMPL_H_
