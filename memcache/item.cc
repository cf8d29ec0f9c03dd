#include "memcache/item.h"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace memcache {

static_assert(sizeof(Item) == 56, "keep the item header small");

// The key follows the last header field directly: the 6 bytes of tail
// padding that sizeof(Item) carries are not allocated.
const size_t Item::kHeaderSize = offsetof(Item, data_);

namespace {

size_t AllocationSize(size_t key_len, uint32_t flags, size_t value_len) {
  // Never less than sizeof(Item): the object is constructed in the block.
  size_t n = Item::kHeaderSize + key_len + value_len +
             (flags != 0 ? sizeof(uint32_t) : 0);
  return n < sizeof(Item) ? sizeof(Item) : n;
}

uint32_t ClampTime(int64_t t) {
  if (t <= 0) return t == 0 ? 0 : 1;  // negative: long expired, not "never"
  if (t > std::numeric_limits<uint32_t>::max()) {
    return std::numeric_limits<uint32_t>::max();
  }
  return static_cast<uint32_t>(t);
}

}  // namespace

ItemRef Item::Create(std::string_view key, uint32_t flags, int64_t exptime,
                     uint32_t value_len) {
  static_assert(offsetof(Item, data_) == 50, "the key follows the header");
  if (key.size() > kMaxKeyLength) return nullptr;
  void* mem = std::malloc(AllocationSize(key.size(), flags, value_len));
  if (mem == nullptr) return nullptr;
  Item* item = new (mem) Item();
  item->exptime_.store(ClampTime(exptime), std::memory_order_relaxed);
  item->value_len_ = value_len;
  item->key_len_ = static_cast<uint8_t>(key.size());
  std::memcpy(item->data_, key.data(), key.size());
  if (flags != 0) {
    item->bits_.store(kHasFlags, std::memory_order_relaxed);
    std::memcpy(item->data_ + key.size() + value_len, &flags, sizeof(flags));
  }
  return ItemRef::Adopt(item);
}

uint32_t Item::flags() const {
  if (!HasBit(kHasFlags)) return 0;
  uint32_t stored;  // unaligned: right after the value
  std::memcpy(&stored, data_ + key_len_ + value_len_, sizeof(stored));
  return stored;
}

void Item::Free(Item* item) {
  item->~Item();
  std::free(item);
}

void Item::set_exptime(int64_t exptime) {
  exptime_.store(ClampTime(exptime), std::memory_order_relaxed);
}

void Item::set_last_access(int64_t t) {
  last_access_.store(ClampTime(t), std::memory_order_relaxed);
}

size_t Item::ChargedSize(size_t key_len, uint32_t flags, size_t value_len) {
  // glibc: a chunk is the request plus an 8-byte size word, rounded up to
  // 16 bytes, at least 32.
  size_t chunk =
      (AllocationSize(key_len, flags, value_len) + 8 + 15) & ~size_t{15};
  return chunk < 32 ? 32 : chunk;
}

size_t Item::MemcachedSize(size_t key_len, uint32_t flags, size_t value_len,
                           bool use_cas) {
  return 48 + (use_cas ? 8 : 0) + key_len + 1 + (flags != 0 ? 4 : 0) +
         value_len + 2;
}

void Item::ReleaseCallback(const void* /*data*/, size_t /*len*/, void* item) {
  static_cast<Item*>(item)->Unref();
}

}  // namespace memcache
