// SlabClasses: the size-class table memcached 1.6.18 builds with its defaults
// (-n 48, -f 1.25, 1 MiB pages, -I 1m, slab_chunk_max = page / 2).
//
// Our store has no slab allocator (items are malloc'd); this table exists only
// so `stats items` / `stats slabs` can report per-class numbers that tools
// written for memcached understand. Class ids and chunk sizes are computed by
// the same rules as memcached (verified against `memcached -vv`), not copied.
//
// Thread-safety: the table is immutable after construction; Default() is safe
// to call from any thread.
#ifndef MEMCACHE_SLAB_CLASSES_H_
#define MEMCACHE_SLAB_CLASSES_H_

#include <cstddef>
#include <cstdint>

namespace memcache {

class SlabClasses {
 public:
  // memcached's MAX_NUMBER_OF_SLAB_CLASSES (ids 1..63; 0 means "none").
  static constexpr int kMaxClasses = 64;

  SlabClasses(size_t min_chunk_extra, double factor, size_t page_size,
              size_t chunk_max);

  // The table for memcached 1.6.18's defaults.
  static const SlabClasses& Default();

  // Highest valid class id (39 with the defaults).
  int largest() const { return largest_; }
  size_t chunk_size(int id) const { return size_[id]; }
  size_t chunks_per_page(int id) const { return perslab_[id]; }
  size_t page_size() const { return page_size_; }

  // Bytes memcached would account for an item ("ntotal"): its 48-byte item
  // header, key + NUL, 4 bytes of client flags only when flags != 0, the value
  // including its trailing \r\n, and 8 bytes of CAS when CAS is on.
  static size_t ItemTotal(size_t key_len, size_t value_len_with_crlf,
                          bool flags_nonzero, bool use_cas);

  // Class for an item of `ntotal` bytes: the smallest class whose chunk holds
  // it; items larger than the largest chunk ("chunked" in memcached) are
  // linked into the largest class. Returns 0 for ntotal == 0. A branch-free
  // binary search (6 steps): the Store calls it on every link and unlink.
  int ClassFor(size_t ntotal) const;

  int ClassForItem(size_t key_len, size_t value_len_with_crlf,
                   bool flags_nonzero, bool use_cas) const {
    return ClassFor(
        ItemTotal(key_len, value_len_with_crlf, flags_nonzero, use_cas));
  }

 private:
  size_t size_[kMaxClasses] = {};
  size_t perslab_[kMaxClasses] = {};
  // Search bounds for ClassFor: bound_[i] = size_[i] for 1 <= i < largest_,
  // bound_[0] = 0 and SIZE_MAX from largest_ on, so the search needs no
  // range checks and lands on largest_ for anything bigger.
  size_t bound_[kMaxClasses] = {};
  size_t page_size_;
  int largest_ = 0;
};

}  // namespace memcache

#endif  // MEMCACHE_SLAB_CLASSES_H_
