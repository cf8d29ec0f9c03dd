// The Store's engine: memcached 1.6 store/expiry/eviction semantics over a
// sharded hash table. See doc/storage.md for the design.
#include "memcache/store.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include <glog/logging.h>

#include "memcache/arith_value.h"
#include "memcache/key_hash.h"
#include "memcache/shard.h"
#include "memcache/slab_classes.h"
#include "memcache/store_impl.h"

namespace memcache {

namespace {

// memcached's REALTIME_MAXDELTA: larger exptimes are absolute unix times.
constexpr int64_t kRealtimeMaxDelta = 60 * 60 * 24 * 30;

}  // namespace

Store::Store(StoreOptions options) : impl_(std::make_unique<Impl>(options)) {}
Store::~Store() = default;

int64_t Store::Now() const { return impl_->Now(); }

int64_t Store::ToAbsoluteExptime(int64_t exptime) const {
  if (exptime == 0) return 0;
  // Negative: memcached turns it into an absolute time before its start.
  if (exptime < 0) return 1;
  if (exptime > kRealtimeMaxDelta) {
    return exptime <= impl_->process_started ? 1 : exptime;
  }
  return impl_->Now() + exptime;
}

ItemRef Store::Allocate(std::string_view key, uint32_t flags, int64_t exptime,
                        size_t value_len, AllocError* error) {
  AllocError unused;
  if (error == nullptr) error = &unused;
  *error = AllocError::kNone;
  if (key.size() > Item::kMaxKeyLength || value_len > UINT32_MAX - 2 ||
      Item::MemcachedSize(key.size(), flags, value_len,
                          impl_->options.use_cas) >
          impl_->options.max_item_size) {
    *error = AllocError::kTooLarge;
    return nullptr;
  }
  size_t charge = Item::ChargedSize(key.size(), flags, value_len);
  if (charge > impl_->limit.load(std::memory_order_relaxed)) {
    *error = AllocError::kNoMemory;
    return nullptr;
  }
  impl_->MakeRoom(HashKey(key), charge);
  ItemRef item = Item::Create(key, flags, exptime,
                              static_cast<uint32_t>(value_len));
  if (!item) {
    impl_->malloc_fails.fetch_add(1, std::memory_order_relaxed);
    *error = AllocError::kNoMemory;
  }
  return item;
}

StoreResult Store::Put(StoreMode mode, const ItemRef& ref,
                       uint64_t compare_cas, bool set_stale) {
  Item* it = ref.get();
  CHECK(it != nullptr && !it->linked());
  uint64_t hash = HashKey(it->key());
  Shard& s = impl_->ShardFor(hash);
  int64_t now = impl_->Now();
  // References dropped here are freed after the lock is released.
  ItemRef dead, replaced, combined;
  ItemRef graveyard[Impl::kLinkEvictMax];
  Impl::TrimAfterUnlock trim(impl_.get(), hash);
  std::lock_guard<std::mutex> lock(s.mu());
  Item* old = impl_->FindLive(s, it->key(), hash, now, &dead,
                              /*for_store=*/true);
  SlabClassStats& written = s.ClassOf(it);
  ++written.cmd_set;
  ++written.touched;
  Item* to_link = nullptr;
  StoreResult result = StoreResult::kNotStored;
  if (old == nullptr) {
    if (mode == StoreMode::kSet || mode == StoreMode::kAdd) {
      to_link = it;
    } else if (mode == StoreMode::kCas) {
      result = StoreResult::kNotFound;
    }
  } else {
    enum { kNone, kMatch, kStale, kBad } cas_res = kBad;
    if (compare_cas == 0) {
      cas_res = kNone;
    } else if (compare_cas == old->cas()) {
      cas_res = kMatch;
    } else if (set_stale && compare_cas < old->cas()) {
      cas_res = kStale;
    }
    switch (mode) {
      case StoreMode::kAdd:
        // memcached: a failed add still promotes the existing item.
        impl_->MaybeBump(s, old, now);
        break;
      case StoreMode::kCas:
        // Counted in the class of the item pushed out, as memcached does.
        if (cas_res == kMatch) {
          ++s.ClassOf(old).cas_hits;
          to_link = it;
        } else if (cas_res == kStale) {
          ++s.ClassOf(old).cas_hits;
          it->set_exptime(old->exptime());
          it->set_stale(true);
          if (old->win_token_sent()) it->set_win_token_sent(true);
          to_link = it;
        } else {
          ++s.ClassOf(old).cas_badval;
          result = StoreResult::kExists;
        }
        break;
      case StoreMode::kAppend:
      case StoreMode::kPrepend: {
        if (cas_res != kNone && cas_res != kMatch) {
          result = StoreResult::kExists;
          break;
        }
        size_t len = old->value_length() + it->value_length();
        if (Item::MemcachedSize(it->key_length(), old->flags(), len,
                                impl_->options.use_cas) >
            impl_->options.max_item_size) {
          break;  // memcached: the copy cannot be allocated -> NOT_STORED
        }
        combined = Item::Create(it->key(), old->flags(), old->exptime(),
                                static_cast<uint32_t>(len));
        if (!combined) {
          impl_->malloc_fails.fetch_add(1, std::memory_order_relaxed);
          break;
        }
        combined->set_key_binary(it->key_binary());
        std::string_view first = old->value(), second = it->value();
        if (mode == StoreMode::kPrepend) std::swap(first, second);
        char* out = combined->mutable_value();
        std::memcpy(out, first.data(), first.size());
        std::memcpy(out + first.size(), second.data(), second.size());
        to_link = combined.get();
        break;
      }
      case StoreMode::kReplace:
      case StoreMode::kSet:
        to_link = it;
        break;
    }
  }
  if (to_link != nullptr) {
    replaced = impl_->LinkLocked(s, old, to_link, hash, now);
    if (to_link != it) it->set_cas(to_link->cas());
    impl_->TrimAfterLinkLocked(s, to_link, now, graveyard);
    result = StoreResult::kStored;
  }
  return result;
}

ItemRef Store::Get(std::string_view key) { return impl_->GetHashed(key, HashKey(key)); }

void Store::GetEach(const std::vector<std::string_view>& keys,
                    const std::function<void(size_t index, const ItemRef& item)>& fn) {
  // A lookup in a table larger than the cache is two dependent misses: the
  // bucket, then the item it points to. Key i+2*kAhead gets its bucket
  // prefetched and key i+kAhead its item (the bucket is cached by then)
  // while key i is looked up, so a batch pays about one miss's latency in
  // all rather than two per key. The second hint costs one more shard
  // lock per key (uncontended, ~15 ns), hence single gets skip all this.
  constexpr size_t kAhead = 4;
  const size_t n = keys.size();
  thread_local std::vector<uint64_t> hashes;
  hashes.resize(n);
  for (size_t i = 0; i < n; ++i) hashes[i] = HashKey(keys[i]);
  auto prefetch_bucket = [this](uint64_t hash) {
    impl_->ShardFor(hash).PrefetchBucket(hash);
  };
  auto prefetch_item = [this](uint64_t hash) {
    Shard& s = impl_->ShardFor(hash);
    std::lock_guard<std::mutex> lock(s.mu());
    s.PrefetchChainHead(hash);
  };
  for (size_t j = 0; j < n && j < 2 * kAhead; ++j) prefetch_bucket(hashes[j]);
  for (size_t j = 0; j < n && j < kAhead; ++j) prefetch_item(hashes[j]);
  for (size_t i = 0; i < n; ++i) {
    if (i + 2 * kAhead < n) prefetch_bucket(hashes[i + 2 * kAhead]);
    if (i + kAhead < n) prefetch_item(hashes[i + kAhead]);
    fn(i, impl_->GetHashed(keys[i], hashes[i]));
  }
}

ItemRef Store::Peek(std::string_view key) {
  uint64_t hash = HashKey(key);
  Shard& s = impl_->ShardFor(hash);
  ItemRef dead;
  std::lock_guard<std::mutex> lock(s.mu());
  return ItemRef::Share(impl_->FindLive(s, key, hash, impl_->Now(), &dead));
}

void Store::MarkAccessed(const ItemRef& item) {
  if (!item) return;
  Shard& s = impl_->ShardFor(HashKey(item->key()));
  std::lock_guard<std::mutex> lock(s.mu());
  if (item->linked()) {
    impl_->Hit(s, item.get(), impl_->Now());
    ++s.ClassOf(item.get()).get_hits;
  }
}

ItemRef Store::GetAndTouch(std::string_view key, int64_t exptime) {
  uint64_t hash = HashKey(key);
  Shard& s = impl_->ShardFor(hash);
  int64_t now = impl_->Now();
  ItemRef dead;
  std::lock_guard<std::mutex> lock(s.mu());
  Item* it = impl_->FindLive(s, key, hash, now, &dead);
  if (it == nullptr) return nullptr;
  impl_->Hit(s, it, now);
  ++s.ClassOf(it).touch_hits;
  it->set_exptime(exptime);
  return ItemRef::Share(it);
}

bool Store::Touch(std::string_view key, int64_t exptime) {
  return static_cast<bool>(GetAndTouch(key, exptime));
}

DeleteResult Store::Delete(std::string_view key, uint64_t compare_cas) {
  uint64_t hash = HashKey(key);
  Shard& s = impl_->ShardFor(hash);
  ItemRef dead, removed;
  std::lock_guard<std::mutex> lock(s.mu());
  Item* it = impl_->FindLive(s, key, hash, impl_->Now(), &dead);
  if (it == nullptr) return DeleteResult::kNotFound;
  if (compare_cas != 0 && it->cas() != compare_cas) return DeleteResult::kExists;
  ++s.ClassOf(it).delete_hits;
  removed = s.Unlink(it, hash);
  return DeleteResult::kDeleted;
}

ArithResult Store::Arith(std::string_view key, bool incr, uint64_t delta,
                         uint64_t* value, uint64_t* cas) {
  uint64_t hash = HashKey(key);
  Shard& s = impl_->ShardFor(hash);
  int64_t now = impl_->Now();
  ItemRef dead, replaced, fresh;
  ItemRef graveyard[Impl::kLinkEvictMax];
  Impl::TrimAfterUnlock trim(impl_.get(), hash);
  std::lock_guard<std::mutex> lock(s.mu());
  Item* it = impl_->FindLive(s, key, hash, now, &dead);
  if (it == nullptr) return ArithResult::kNotFound;
  uint64_t v;
  if (!ParseArithValue(it->value(), &v)) return ArithResult::kNonNumeric;
  SlabClassStats& cls = s.ClassOf(it);
  ++(incr ? cls.incr_hits : cls.decr_hits);
  if (incr) {
    v += delta;  // wraps modulo 2^64, as in memcached
  } else {
    v = delta > v ? 0 : v - delta;
  }
  char buf[24];
  size_t len = FormatDecimal(v, buf);
  // memcached rewrites in place when the number fits the old length and pads
  // the rest with spaces ("10" decr 1 -> "9 "); only a longer number gets a
  // new, exact-length item. We always write a new item but keep that shape.
  size_t new_len = std::max(len, it->value_length());
  fresh = Item::Create(key, it->flags(), it->exptime(),
                       static_cast<uint32_t>(new_len));
  if (!fresh) {
    impl_->malloc_fails.fetch_add(1, std::memory_order_relaxed);
    return ArithResult::kNoMemory;
  }
  std::memcpy(fresh->mutable_value(), buf, len);
  std::memset(fresh->mutable_value() + len, ' ', new_len - len);
  // In place, memcached would keep the item's state bits.
  fresh->set_fetched(it->fetched());
  fresh->set_stale(it->stale());
  fresh->set_win_token_sent(it->win_token_sent());
  fresh->set_key_binary(it->key_binary());
  replaced = impl_->LinkLocked(s, it, fresh.get(), hash, now);
  --s.counters.total_items;  // an in-place update in memcached, not a store
  impl_->TrimAfterLinkLocked(s, fresh.get(), now, graveyard);
  if (value != nullptr) *value = v;
  if (cas != nullptr) *cas = fresh->cas();
  return ArithResult::kOk;
}

void Store::Mutate(std::string_view key,
                   const std::function<Mutation(const ItemRef& current)>& fn) {
  uint64_t hash = HashKey(key);
  Shard& s = impl_->ShardFor(hash);
  int64_t now = impl_->Now();
  ItemRef dead, current, replaced;
  ItemRef graveyard[Impl::kLinkEvictMax];
  Mutation m;
  Impl::TrimAfterUnlock trim(impl_.get(), hash);
  std::lock_guard<std::mutex> lock(s.mu());
  Item* it = impl_->FindLive(s, key, hash, now, &dead);
  current = ItemRef::Share(it);
  {
    LockedShardScope scope(&s);
    m = fn(current);
  }
  // Allocate() inside fn never evicts from this shard, so `it` is still
  // linked; checked anyway because fn could have misbehaved.
  bool still_linked = it != nullptr && it->linked();
  switch (m.kind) {
    case Mutation::kKeep:
      break;
    case Mutation::kUnlink:
      if (still_linked) replaced = s.Unlink(it, hash);
      break;
    case Mutation::kLink: {
      Item* fresh = m.replacement.get();
      CHECK(fresh != nullptr && !fresh->linked() && fresh->key() == key);
      replaced = impl_->LinkLocked(s, still_linked ? it : nullptr, fresh, hash, now);
      impl_->TrimAfterLinkLocked(s, fresh, now, graveyard);
      break;
    }
  }
}

uint64_t Store::NextCas() { return impl_->NextCas(); }

void Store::FlushAll(int64_t when) {
  int64_t now = impl_->Now();
  int64_t new_oldest = when > 0 ? when : now;
  if (impl_->options.use_cas) {
    // Items stored in the flush's own second are told apart by cas.
    int64_t live = new_oldest - 1;
    if (live <= now) {
      impl_->oldest_cas.store(impl_->NextCas(), std::memory_order_relaxed);
    }
    impl_->oldest_live.store(live, std::memory_order_relaxed);
  } else {
    impl_->oldest_live.store(new_oldest, std::memory_order_relaxed);
  }
}

size_t Store::ReclaimExpired(size_t max_items) {
  // Walks hash buckets rather than LRU lists: a bucket cursor stays valid
  // across calls (unlike a pointer into a list that items leave), so
  // successive calls cover every item, not just the ones near a tail.
  size_t nshards = impl_->shards.size();
  size_t per_shard = std::max<size_t>(1, (max_items + nshards - 1) / nshards);
  size_t start = impl_->sweep_cursor.fetch_add(1, std::memory_order_relaxed);
  size_t reclaimed = 0;
  for (size_t k = 0; k < nshards; ++k) {
    reclaimed += impl_->SweepShard(*impl_->shards[(start + k) % nshards], per_shard);
  }
  return reclaimed;
}

void Store::ForEach(const std::function<bool(const ItemRef& item)>& fn) {
  std::vector<ItemRef> batch;
  for (auto& shard : impl_->shards) {
    batch.clear();
    {
      std::lock_guard<std::mutex> lock(shard->mu());
      int64_t now = impl_->Now();
      for (Item* it = shard->lru_tail(); it != nullptr; it = Shard::TowardHead(it)) {
        if (!impl_->IsDead(it, now)) batch.push_back(ItemRef::Share(it));
      }
    }
    for (const ItemRef& item : batch) {
      if (!fn(item)) return;
    }
  }
}

void Store::SetMemoryLimit(size_t bytes) {
  impl_->limit.store(bytes, std::memory_order_relaxed);
}

namespace {

void AddClassStats(const SlabClassStats& from, SlabClassStats* to) {
  to->number += from.number;
  to->mem_requested += from.mem_requested;
  to->touched += from.touched;
  to->evicted += from.evicted;
  to->evicted_unfetched += from.evicted_unfetched;
  to->reclaimed += from.reclaimed;
  to->expired_unfetched += from.expired_unfetched;
  to->crawler_reclaimed += from.crawler_reclaimed;
  to->get_hits += from.get_hits;
  to->cmd_set += from.cmd_set;
  to->delete_hits += from.delete_hits;
  to->incr_hits += from.incr_hits;
  to->decr_hits += from.decr_hits;
  to->cas_hits += from.cas_hits;
  to->cas_badval += from.cas_badval;
  to->touch_hits += from.touch_hits;
}

}  // namespace

StoreStats Store::stats() const {
  StoreStats st;
  st.classes.resize(SlabClasses::Default().largest() + 1);
  for (const auto& shard : impl_->shards) {
    std::lock_guard<std::mutex> lock(shard->mu());
    const std::vector<SlabClassStats>& classes = shard->class_stats();
    for (size_t id = 0; id < classes.size(); ++id) {
      AddClassStats(classes[id], &st.classes[id]);
    }
    const ShardCounters& c = shard->counters;
    st.curr_items += shard->count();
    st.total_items += c.total_items;
    st.evictions += c.evictions;
    st.evicted_unfetched += c.evicted_unfetched;
    st.expired_unfetched += c.expired_unfetched;
    st.reclaimed += c.reclaimed;
    st.crawler_reclaimed += c.crawler_reclaimed;
    st.get_expired += c.get_expired;
    st.get_flushed += c.get_flushed;
    st.hash_buckets += shard->bucket_count();
  }
  st.hash_bytes = st.hash_buckets * sizeof(Item*);
  st.bytes = static_cast<uint64_t>(
      std::max<int64_t>(0, impl_->bytes.load(std::memory_order_relaxed)));
  st.limit_maxbytes = impl_->limit.load(std::memory_order_relaxed);
  st.malloc_fails = impl_->malloc_fails.load(std::memory_order_relaxed);
  return st;
}

std::vector<SlabClassStats> Store::ClassStats() const {
  return stats().classes;
}

const StoreOptions& Store::options() const { return impl_->options; }

}  // namespace memcache
