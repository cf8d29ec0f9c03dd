// Items: the hits of a multi-get, without an allocation per hit.
//
// Every key and value the server returned lives in one contiguous buffer; a
// flat array of slots (offsets, lengths, flags, cas, key hash) indexes it in
// reply order, which for memcached is request order minus the misses. A
// multi-get of n keys therefore costs two or three allocations however many
// hits it returns (a std::map would cost a node and two strings per hit).
//
// Lookup is map-like: find(key), count(key), contains(key), at(key). It
// scans the slots' 4-byte key hashes (cheap for the usual tens to hundreds of
// hits); to visit every hit, iterate instead of looking each key up.
// Iteration yields ItemView values (key, value, flags, cas) in reply order.
// A key requested twice is returned twice by the server and appears twice
// here; lookups find its first occurrence.
//
// Lifetime: an ItemView's string_views point into the Items and are valid
// until it is changed (Add, Append, clear) or destroyed; moving an Items
// keeps them valid only if the buffer is not reallocated, so copy what must
// outlive it (ItemView::ToItem()).
//
// Threads: like a std::vector; const methods may run concurrently.
#ifndef CLIENT_ITEMS_H_
#define CLIENT_ITEMS_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace client {

// A value with its metadata, owning its bytes.
struct Item {
  std::string value;
  uint32_t flags = 0;
  uint64_t cas = 0;
};

// One hit, viewing the bytes of the Items it came from.
struct ItemView {
  std::string_view key;
  std::string_view value;
  uint32_t flags = 0;
  uint64_t cas = 0;

  Item ToItem() const { return Item{std::string(value), flags, cas}; }
};

class Items {
 public:
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = ItemView;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = ItemView;

    const_iterator() = default;
    ItemView operator*() const { return items_->view(index_); }
    // For it->key / it->value; the view lives in a temporary proxy.
    struct Arrow {
      ItemView view;
      const ItemView* operator->() const { return &view; }
    };
    Arrow operator->() const { return Arrow{**this}; }
    ItemView operator[](difference_type n) const { return items_->view(index_ + n); }
    const_iterator& operator++() { ++index_; return *this; }
    const_iterator operator++(int) { const_iterator old = *this; ++index_; return old; }
    const_iterator& operator--() { --index_; return *this; }
    const_iterator operator--(int) { const_iterator old = *this; --index_; return old; }
    const_iterator& operator+=(difference_type n) { index_ += n; return *this; }
    const_iterator& operator-=(difference_type n) { index_ -= n; return *this; }
    const_iterator operator+(difference_type n) const { return {items_, index_ + n}; }
    const_iterator operator-(difference_type n) const { return {items_, index_ - n}; }
    difference_type operator-(const_iterator o) const {
      return static_cast<difference_type>(index_) - static_cast<difference_type>(o.index_);
    }
    bool operator==(const_iterator o) const { return index_ == o.index_; }
    bool operator!=(const_iterator o) const { return index_ != o.index_; }
    bool operator<(const_iterator o) const { return index_ < o.index_; }

   private:
    friend class Items;
    const_iterator(const Items* items, size_t index) : items_(items), index_(index) {}
    const Items* items_ = nullptr;
    size_t index_ = 0;
  };
  using iterator = const_iterator;
  using value_type = ItemView;
  using size_type = size_t;

  size_t size() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, slots_.size()}; }
  // The i-th hit in reply order (i < size()).
  ItemView operator[](size_t i) const { return view(i); }

  // The first hit for `key`, or end().
  const_iterator find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != end(); }
  size_t count(std::string_view key) const;
  // The first hit for `key`; throws std::out_of_range on a miss, as
  // std::map::at does (never call it on a loop thread without checking).
  ItemView at(std::string_view key) const;

  // Appends a hit (the reply assembler does this on the loop thread).
  void Add(std::string_view key, std::string_view value, uint32_t flags, uint64_t cas);
  // Moves every hit of `other` to the end (Cluster joins per-server parts).
  void Append(Items&& other);
  // How many hits to expect (a multi-get's key count) and their keys' total
  // length: reserves room for them and small values now (on the calling
  // thread), and the first Add re-sizes from its value's size if that is
  // larger, so the buffers rarely grow. Keeps what is stored.
  void ExpectHits(size_t n, size_t key_bytes = 0);
  // Forgets the hits, keeping the capacity.
  void clear();

  // Bytes of keys and values held (for tests and statistics).
  size_t bytes() const { return bytes_.size(); }

 private:
  struct Slot {
    uint64_t key_offset;  // the value follows its key directly
    uint32_t value_size;
    uint32_t hash;        // of the key; most mismatches stop here
    uint32_t flags;
    uint32_t key_size;
    uint64_t cas;
  };

  ItemView view(size_t i) const {
    const Slot& s = slots_[i];
    const char* k = bytes_.data() + s.key_offset;
    return ItemView{std::string_view(k, s.key_size),
                    std::string_view(k + s.key_size, s.value_size), s.flags, s.cas};
  }
  static uint32_t Hash(std::string_view key);
  bool Matches(const Slot& s, std::string_view key, uint32_t hash) const;

  std::string bytes_;
  std::vector<Slot> slots_;
  size_t expected_ = 0;
};

}  // namespace client

#endif  // CLIENT_ITEMS_H_
