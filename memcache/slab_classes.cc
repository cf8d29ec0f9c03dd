#include "memcache/slab_classes.h"

#include <cstdint>

namespace memcache {

namespace {
// sizeof(item) in memcached 1.6.18 on 64-bit platforms.
constexpr size_t kItemHeader = 48;
constexpr size_t kAlign = 8;
}  // namespace

SlabClasses::SlabClasses(size_t min_chunk_extra, double factor,
                         size_t page_size, size_t chunk_max)
    : page_size_(page_size) {
  // Sizes grow geometrically from header + min_chunk_extra, each rounded up to
  // 8 bytes; the growth stops once the next step would pass chunk_max, and a
  // final class of exactly chunk_max is appended. memcached keeps the running
  // size in an unsigned int, so each multiplication truncates.
  unsigned int size = static_cast<unsigned int>(kItemHeader + min_chunk_extra);
  int id = 0;
  while (++id < kMaxClasses - 1) {
    if (size >= chunk_max / factor) break;
    if (size % kAlign) size += kAlign - size % kAlign;
    size_[id] = size;
    perslab_[id] = page_size / size;
    size = static_cast<unsigned int>(size * factor);
  }
  largest_ = id;
  size_[id] = chunk_max;
  perslab_[id] = page_size / chunk_max;
  for (int i = 0; i < kMaxClasses; ++i) {
    bound_[i] = i == 0 ? 0 : i < largest_ ? size_[i] : SIZE_MAX;
  }
}

const SlabClasses& SlabClasses::Default() {
  static const SlabClasses* table =
      new SlabClasses(48, 1.25, 1 << 20, (1 << 20) / 2);
  return *table;
}

size_t SlabClasses::ItemTotal(size_t key_len, size_t value_len_with_crlf,
                              bool flags_nonzero, bool use_cas) {
  return kItemHeader + key_len + 1 + (flags_nonzero ? 4 : 0) +
         value_len_with_crlf + (use_cas ? 8 : 0);
}

int SlabClasses::ClassFor(size_t ntotal) const {
  if (ntotal == 0) return 0;
  static_assert(kMaxClasses == 64, "the steps below cover 64 bounds");
  // Invariant: bound_[lo] < ntotal (bound_[0] is 0). Steps sum to 63, the
  // last index; the answer is the first bound >= ntotal.
  int lo = 0;
  for (int step = kMaxClasses / 2; step > 0; step /= 2) {
    lo += bound_[lo + step] < ntotal ? step : 0;
  }
  return lo + 1;
}

}  // namespace memcache
