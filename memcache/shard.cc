#include "memcache/shard.h"

#include <cstring>

#include <glog/logging.h>

#include "memcache/key_hash.h"

namespace memcache {

Shard::Shard(std::atomic<int64_t>* bytes, bool use_cas)
    : bytes_(bytes),
      use_cas_(use_cas),
      classes_(SlabClasses::Default().largest() + 1) {
  buckets_ = new Item*[kInitialBuckets]();
  mask_ = kInitialBuckets - 1;
  hint_buckets_.store(buckets_, std::memory_order_relaxed);
  hint_mask_.store(mask_, std::memory_order_relaxed);
}

Shard::~Shard() {
  Item* item = lru_head_;
  while (item != nullptr) {
    Item* next = item->lru_next_;
    item->hash_next_ = item->lru_prev_ = item->lru_next_ = nullptr;
    item->SetBit(Item::kLinked, false);
    bytes_->fetch_sub(static_cast<int64_t>(item->charged_size()),
                      std::memory_order_relaxed);
    item->Unref();
    item = next;
  }
  delete[] buckets_;
}

Item* Shard::Find(std::string_view key, uint64_t hash) const {
  for (Item* it = buckets_[hash & mask_]; it != nullptr; it = it->hash_next_) {
    if (it->key_len_ == key.size() &&
        std::memcmp(it->data_, key.data(), key.size()) == 0) {
      return it;
    }
  }
  return nullptr;
}

void Shard::PrefetchBucket(uint64_t hash) const {
  Item** table = hint_buckets_.load(std::memory_order_relaxed);
  size_t mask = hint_mask_.load(std::memory_order_relaxed);
  __builtin_prefetch(&table[hash & mask]);
}

void Shard::PrefetchChainHead(uint64_t hash) const {
  const Item* head = buckets_[hash & mask_];
  if (head == nullptr) return;
  // Find reads key_len_ and then the key right after the header; the item
  // is not line-aligned, so take both lines its first 64 bytes may span.
  const char* p = reinterpret_cast<const char*>(head);
  __builtin_prefetch(p);
  __builtin_prefetch(p + 63);
}

void Shard::Link(Item* item, uint64_t hash) {
  DCHECK(!item->linked());
  item->Ref();
  item->SetBit(Item::kLinked, true);
  Item** head = &buckets_[hash & mask_];
  item->hash_next_ = *head;
  *head = item;
  LruPushHead(item);
  AddToClass(item);
  ++count_;
  bytes_->fetch_add(static_cast<int64_t>(item->charged_size()),
                    std::memory_order_relaxed);
  if (count_ * kLoadDenominator > bucket_count() * kLoadNumerator) Grow();
}

Item** Shard::FindSlot(const Item* item, uint64_t hash) {
  Item** slot = &buckets_[hash & mask_];
  while (*slot != item) {
    CHECK(*slot != nullptr) << "linked item missing from its chain";
    slot = &(*slot)->hash_next_;
  }
  return slot;
}

ItemRef Shard::Unlink(Item* item, uint64_t hash) {
  DCHECK(item->linked());
  Item** slot = FindSlot(item, hash);
  *slot = item->hash_next_;
  item->hash_next_ = nullptr;
  LruRemove(item);
  item->SetBit(Item::kLinked, false);
  RemoveFromClass(item);
  --count_;
  bytes_->fetch_sub(static_cast<int64_t>(item->charged_size()),
                    std::memory_order_relaxed);
  return ItemRef::Adopt(item);
}

ItemRef Shard::Replace(Item* old_item, Item* new_item, uint64_t hash) {
  DCHECK(old_item->linked());
  DCHECK(!new_item->linked());
  // Swap in place in the chain, then fix the LRU: no rehash check needed as
  // the count is unchanged.
  Item** slot = FindSlot(old_item, hash);
  new_item->Ref();
  new_item->SetBit(Item::kLinked, true);
  new_item->hash_next_ = old_item->hash_next_;
  *slot = new_item;
  old_item->hash_next_ = nullptr;
  LruRemove(old_item);
  old_item->SetBit(Item::kLinked, false);
  RemoveFromClass(old_item);
  LruPushHead(new_item);
  AddToClass(new_item);
  bytes_->fetch_add(static_cast<int64_t>(new_item->charged_size()) -
                        static_cast<int64_t>(old_item->charged_size()),
                    std::memory_order_relaxed);
  return ItemRef::Adopt(old_item);
}

void Shard::AddToClass(const Item* item) {
  size_t total = ItemTotal(item);
  SlabClassStats& c = classes_[slabs_.ClassFor(total)];
  ++c.number;
  ++c.touched;
  c.mem_requested += total;
}

void Shard::RemoveFromClass(const Item* item) {
  size_t total = ItemTotal(item);
  SlabClassStats& c = classes_[slabs_.ClassFor(total)];
  --c.number;
  c.mem_requested -= total;
}

void Shard::Bump(Item* item) {
  if (lru_head_ == item) return;
  LruRemove(item);
  LruPushHead(item);
}

void Shard::LruPushHead(Item* item) {
  item->lru_prev_ = nullptr;
  item->lru_next_ = lru_head_;
  if (lru_head_ != nullptr) {
    lru_head_->lru_prev_ = item;
  } else {
    lru_tail_ = item;
  }
  lru_head_ = item;
}

void Shard::LruRemove(Item* item) {
  if (item->lru_prev_ != nullptr) {
    item->lru_prev_->lru_next_ = item->lru_next_;
  } else {
    lru_head_ = item->lru_next_;
  }
  if (item->lru_next_ != nullptr) {
    item->lru_next_->lru_prev_ = item->lru_prev_;
  } else {
    lru_tail_ = item->lru_prev_;
  }
  item->lru_prev_ = item->lru_next_ = nullptr;
}

void Shard::Grow() {
  // All at once: a shard holds 1/2^shard_bits of the items, so even at
  // millions of items this is a short pause for one shard only.
  size_t new_size = bucket_count() * 2;
  Item** fresh = new Item*[new_size]();
  size_t new_mask = new_size - 1;
  for (size_t i = 0; i <= mask_; ++i) {
    Item* it = buckets_[i];
    while (it != nullptr) {
      Item* next = it->hash_next_;
      Item** head = &fresh[HashKey(it->key()) & new_mask];
      it->hash_next_ = *head;
      *head = it;
      it = next;
    }
  }
  delete[] buckets_;
  buckets_ = fresh;
  mask_ = new_mask;
  hint_buckets_.store(buckets_, std::memory_order_relaxed);
  hint_mask_.store(mask_, std::memory_order_relaxed);
  sweep_cursor = 0;
}

}  // namespace memcache
