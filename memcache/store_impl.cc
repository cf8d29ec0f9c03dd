#include "memcache/store_impl.h"

#include <algorithm>
#include <mutex>

#include "memcache/key_hash.h"

namespace memcache {

namespace {

// memcached subtracts ITEM_UPDATE_INTERVAL + 2 from its start time so that
// "now - started" is never zero; absolute exptimes at or before it expire.
constexpr int64_t kStartSlack = 62;
// How many items from an LRU tail are checked for a dead item to reclaim
// before the tail itself is evicted (memcached's lru_pull_tail search).
constexpr int kTailProbe = 5;

thread_local const Shard* tls_locked_shard = nullptr;

}  // namespace

LockedShardScope::LockedShardScope(const Shard* s) : saved_(tls_locked_shard) {
  tls_locked_shard = s;
}
LockedShardScope::~LockedShardScope() { tls_locked_shard = saved_; }
const Shard* LockedShardScope::Current() { return tls_locked_shard; }

Store::Impl::Impl(StoreOptions opts)
    : options(opts),
      clock(opts.clock != nullptr ? opts.clock : SystemClock::Get()),
      process_started(clock->NowUnix() - kStartSlack),
      shard_bits(std::clamp(opts.shard_bits, 0, 16)),
      limit(opts.memory_limit) {
  size_t n = size_t{1} << shard_bits;
  shards.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    shards.push_back(std::make_unique<Shard>(&bytes, opts.use_cas));
  }
}

ItemRef Store::Impl::GetHashed(std::string_view key, uint64_t hash) {
  Shard& s = ShardFor(hash);
  int64_t now = Now();
  ItemRef dead;  // released after the lock
  std::lock_guard<std::mutex> lock(s.mu());
  Item* it = FindLive(s, key, hash, now, &dead);
  if (it == nullptr) return nullptr;
  Hit(s, it, now);
  ++s.ClassOf(it).get_hits;
  return ItemRef::Share(it);
}

Item* Store::Impl::FindLive(Shard& s, std::string_view key, uint64_t hash,
                            int64_t now, ItemRef* dead, bool for_store) {
  Item* it = s.Find(key, hash);
  if (it == nullptr) return nullptr;
  if (for_store) {
    if (!IsDead(it, now)) return it;
    CountReclaimed(s, it);
  } else if (IsFlushed(it, now)) {
    ++s.counters.get_flushed;
  } else if (IsExpired(it, now)) {
    ++s.counters.get_expired;
  } else {
    return it;
  }
  *dead = s.Unlink(it, hash);
  return nullptr;
}

size_t Store::Impl::EvictLocked(Shard& s, size_t extra, const Item* keep,
                                int64_t now, ItemRef* graveyard, size_t max) {
  size_t n = 0;
  while (n < max && OverLimit(extra)) {
    Item* victim = nullptr;
    Item* p = s.lru_tail();
    for (int k = 0; k < kTailProbe && p != nullptr; ++k, p = Shard::TowardHead(p)) {
      if (p != keep && IsDead(p, now)) {
        victim = p;
        break;
      }
    }
    if (victim != nullptr) {
      CountReclaimed(s, victim);
    } else {
      victim = s.lru_tail();
      if (victim != nullptr && victim == keep) victim = Shard::TowardHead(victim);
      if (victim == nullptr) break;
      SlabClassStats& c = s.ClassOf(victim);
      ++s.counters.evictions;
      ++c.evicted;
      if (!victim->fetched()) {
        ++s.counters.evicted_unfetched;
        ++c.evicted_unfetched;
      }
    }
    graveyard[n++] = s.Unlink(victim, HashKey(victim->key()));
  }
  return n;
}

void Store::Impl::CountReclaimed(Shard& s, const Item* it) {
  SlabClassStats& c = s.ClassOf(it);
  ++s.counters.reclaimed;
  ++c.reclaimed;
  if (!it->fetched()) {
    ++s.counters.expired_unfetched;
    ++c.expired_unfetched;
  }
}

size_t Store::Impl::EvictFrom(Shard& s, size_t extra, size_t* budget) {
  const Shard* held = LockedShardScope::Current();
  if (&s == held) return 0;
  size_t total = 0;
  while (*budget > 0 && OverLimit(extra)) {
    ItemRef graveyard[kStoreBatch];
    size_t n;
    {
      std::unique_lock<std::mutex> lock(s.mu(), std::defer_lock);
      if (held != nullptr) {
        if (!lock.try_lock()) return total;
      } else {
        lock.lock();
      }
      n = EvictLocked(s, extra, nullptr, Now(), graveyard,
                      std::min(*budget, kStoreBatch));
    }
    if (n == 0) break;
    total += n;
    *budget -= n;
  }
  return total;
}

void Store::Impl::MakeRoom(uint64_t hash, size_t extra) {
  if (!OverLimit(extra)) return;
  size_t budget = kMaxEvictionsPerAllocate;
  EvictFrom(ShardFor(hash), extra, &budget);
  size_t idle = 0;
  while (OverLimit(extra) && budget > 0 && idle < shards.size()) {
    size_t i = evict_cursor.fetch_add(1, std::memory_order_relaxed) % shards.size();
    idle = EvictFrom(*shards[i], extra, &budget) == 0 ? idle + 1 : 0;
  }
}

ItemRef Store::Impl::LinkLocked(Shard& s, Item* old, Item* fresh,
                                uint64_t hash, int64_t now) {
  fresh->set_cas(NextCas());
  fresh->set_last_access(now);
  ++s.counters.total_items;
  if (old != nullptr) return s.Replace(old, fresh, hash);
  s.Link(fresh, hash);
  return nullptr;
}

size_t Store::Impl::SweepShard(Shard& s, size_t max_items) {
  // Empty buckets cost work too; bound them so a sparse table is not walked
  // end to end in one call.
  const size_t max_buckets = 4 * max_items + 64;
  size_t items = 0;
  size_t buckets = 0;
  size_t reclaimed = 0;
  bool done = false;
  while (!done && items < max_items && buckets < max_buckets) {
    ItemRef graveyard[kStoreBatch];
    size_t n = 0;
    std::lock_guard<std::mutex> lock(s.mu());
    int64_t now = Now();
    size_t b = s.sweep_cursor;
    while (n < kStoreBatch && items < max_items && buckets < max_buckets) {
      if (b >= s.bucket_count()) {
        b = 0;
        done = true;  // a full pass over this shard
        break;
      }
      for (Item* it = s.bucket(b); it != nullptr;) {
        Item* next = Shard::ChainNext(it);
        ++items;
        if (n < kStoreBatch && IsDead(it, now)) {
          CountReclaimed(s, it);
          ++s.counters.crawler_reclaimed;
          ++s.ClassOf(it).crawler_reclaimed;
          graveyard[n++] = s.Unlink(it, HashKey(it->key()));
        }
        it = next;
      }
      ++b;
      ++buckets;
    }
    s.sweep_cursor = b;
    reclaimed += n;
  }
  return reclaimed;
}

}  // namespace memcache
