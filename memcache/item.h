// Item: one cached key/value, and ItemRef, the smart pointer that owns a
// reference to it.
//
// An Item is ONE malloc'd block: a 50-byte header, the key, the value, and,
// only when they are not zero, the 4 bytes of client flags (memcached saves
// them the same way). Replies add the "\r\n" after the value themselves, so
// it is not stored. The header carries the intrusive links the Store needs
// (hash chain, LRU list), so linking an item allocates nothing. Every byte
// here counts: glibc rounds blocks to 16 bytes, and for 100-byte values the
// header decides whether keys up to 18 bytes fit a 176- or a 192-byte chunk.
//
// Lifetime: an atomic reference count. The Store's hash table holds one
// reference while the item is linked; every ItemRef holds one. An item that
// is replaced, deleted or evicted stays readable until the last ItemRef goes.
//
// Mutability: key, flags and value are fixed once the item is linked (Put);
// a write replaces the item. Before Put, only the creator touches it and may
// fill mutable_value(). exptime, cas, last access and the state bits can
// change while linked, but only under the owning shard's lock (inside
// Store::Mutate, or by the Store itself); they are relaxed atomics so that a
// reader holding an ItemRef may read them without the lock.
#ifndef MEMCACHE_ITEM_H_
#define MEMCACHE_ITEM_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace memcache {

class ItemRef;

class Item {
 public:
  static constexpr size_t kMaxKeyLength = 250;
  // Bytes before the key in the allocation.
  static const size_t kHeaderSize;

  // State bits, readable and settable by the command handlers (meta commands).
  enum Bit : uint8_t {
    kLinked = 1 << 0,        // in the hash table; maintained by the Store
    kFetched = 1 << 1,       // read at least once since it was stored
    kStale = 1 << 2,         // invalidated by meta delete/set with I
    kWinTokenSent = 1 << 3,  // a client got the W (recache) token
    kKeyBinary = 1 << 4,     // key was given base64 encoded (meta b flag)
  };
  // Set at creation when the flags are stored (non-zero); never changes.
  static constexpr uint8_t kHasFlags = 1 << 7;

  // Allocates an unlinked item holding one reference (refcount 1), with
  // uninitialized value bytes. Returns null if malloc fails or the key is
  // longer than kMaxKeyLength. The Store's Allocate is the normal entry
  // point; this one does no memory accounting.
  static ItemRef Create(std::string_view key, uint32_t flags, int64_t exptime,
                        uint32_t value_len);

  std::string_view key() const { return {data_, key_len_}; }
  std::string_view value() const { return {data_ + key_len_, value_len_}; }
  // Only valid before the item is linked (Put).
  char* mutable_value() { return data_ + key_len_; }
  size_t key_length() const { return key_len_; }
  size_t value_length() const { return value_len_; }

  uint32_t flags() const;
  // Absolute unix seconds; 0 = never expires.
  int64_t exptime() const { return exptime_.load(std::memory_order_relaxed); }
  uint64_t cas() const { return cas_.load(std::memory_order_relaxed); }
  // Unix seconds of the store or the last LRU bump (memcached's it->time).
  int64_t last_access() const {
    return last_access_.load(std::memory_order_relaxed);
  }

  bool fetched() const { return HasBit(kFetched); }
  bool stale() const { return HasBit(kStale); }
  bool win_token_sent() const { return HasBit(kWinTokenSent); }
  bool key_binary() const { return HasBit(kKeyBinary); }
  bool linked() const { return HasBit(kLinked); }
  void set_fetched(bool on) { SetBit(kFetched, on); }
  void set_stale(bool on) { SetBit(kStale, on); }
  void set_win_token_sent(bool on) { SetBit(kWinTokenSent, on); }
  void set_key_binary(bool on) { SetBit(kKeyBinary, on); }
  uint8_t bits() const { return bits_.load(std::memory_order_relaxed); }

  // For a linked item only under the shard lock (Store::Mutate); any time
  // before Put. exptime is clamped to what 32 bits hold.
  void set_exptime(int64_t exptime);
  void set_cas(uint64_t cas) { cas_.store(cas, std::memory_order_relaxed); }
  void set_last_access(int64_t t);

  uint32_t refcount() const { return refcount_.load(std::memory_order_relaxed); }

  // Memory charged against the Store's limit: header, key, value and flags
  // rounded the way glibc malloc rounds a chunk (8-byte header, 16-byte
  // granules), so the limit tracks RSS, not just payload.
  static size_t ChargedSize(size_t key_len, uint32_t flags, size_t value_len);
  size_t charged_size() const {
    return ChargedSize(key_len_, HasBit(kHasFlags) ? 1 : 0, value_len_);
  }
  // memcached's item size for the -I (item_size_max) check: its 48-byte
  // header, 8-byte cas, key + NUL, 4 bytes of client flags when non-zero and
  // the value with CRLF. Using its formula keeps "too large" at the same
  // boundary as memcached.
  static size_t MemcachedSize(size_t key_len, uint32_t flags, size_t value_len,
                              bool use_cas);

  // Reference counting. Unref frees the item when the count reaches zero.
  void Ref() { refcount_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refcount_.fetch_sub(1, std::memory_order_acq_rel) == 1) Free(this);
  }

  // sock::Buffer::AppendReference cleanup: drops the reference passed as
  // `item` (from ItemRef::Detach()).
  static void ReleaseCallback(const void* data, size_t len, void* item);

 private:
  friend class Shard;  // the intrusive links

  Item() = default;
  ~Item() = default;
  static void Free(Item* item);

  bool HasBit(uint8_t bit) const {
    return (bits_.load(std::memory_order_relaxed) & bit) != 0;
  }
  void SetBit(uint8_t bit, bool on) {
    if (on) {
      bits_.fetch_or(bit, std::memory_order_relaxed);
    } else {
      bits_.fetch_and(static_cast<uint8_t>(~bit), std::memory_order_relaxed);
    }
  }

  // Layout is ordered for packing: the key starts at byte 50 (kHeaderSize);
  // only sizeof(Item) is padded to 56.
  Item* hash_next_ = nullptr;
  Item* lru_prev_ = nullptr;  // toward the head (most recently used)
  Item* lru_next_ = nullptr;  // toward the tail
  std::atomic<uint64_t> cas_{0};
  std::atomic<uint32_t> refcount_{1};
  std::atomic<uint32_t> exptime_{0};
  std::atomic<uint32_t> last_access_{0};
  uint32_t value_len_ = 0;
  uint8_t key_len_ = 0;
  std::atomic<uint8_t> bits_{0};
  char data_[];  // key, value, then the flags if kHasFlags
};

// Owns one reference to an Item (or nothing). Copying adds a reference;
// moving transfers it. Not thread-safe itself (like shared_ptr): two threads
// may hold ItemRefs to the same Item, not share one ItemRef.
class ItemRef {
 public:
  ItemRef() = default;
  ItemRef(std::nullptr_t) {}  // NOLINT: lets "return nullptr" read naturally
  ItemRef(const ItemRef& other) : item_(other.item_) {
    if (item_ != nullptr) item_->Ref();
  }
  ItemRef(ItemRef&& other) noexcept : item_(other.item_) {
    other.item_ = nullptr;
  }
  ItemRef& operator=(ItemRef other) noexcept {
    std::swap(item_, other.item_);
    return *this;
  }
  ~ItemRef() {
    if (item_ != nullptr) item_->Unref();
  }

  // Takes over a reference the caller already owns (e.g. one given up by
  // Detach()).
  static ItemRef Adopt(Item* item) {
    ItemRef ref;
    ref.item_ = item;
    return ref;
  }
  // Adds a new reference to `item`.
  static ItemRef Share(Item* item) {
    if (item != nullptr) item->Ref();
    return Adopt(item);
  }

  // Gives up ownership without dropping the reference: the caller must later
  // call Item::Unref (or pass it to Item::ReleaseCallback).
  Item* Detach() {
    Item* item = item_;
    item_ = nullptr;
    return item;
  }
  Item* release() { return Detach(); }
  void reset() { ItemRef().swap(*this); }
  void swap(ItemRef& other) noexcept { std::swap(item_, other.item_); }

  Item* get() const { return item_; }
  Item* operator->() const { return item_; }
  Item& operator*() const { return *item_; }
  explicit operator bool() const { return item_ != nullptr; }
  bool operator==(const ItemRef& other) const { return item_ == other.item_; }
  bool operator!=(const ItemRef& other) const { return item_ != other.item_; }
  bool operator==(std::nullptr_t) const { return item_ == nullptr; }
  bool operator!=(std::nullptr_t) const { return item_ != nullptr; }

 private:
  Item* item_ = nullptr;
};

}  // namespace memcache

#endif  // MEMCACHE_ITEM_H_
