#include "memcache/server_stats.h"

namespace memcache {

namespace {

const char* const kNames[ServerStats::kCounters] = {
    "cmd_get",       "cmd_set",         "cmd_flush",      "cmd_touch",
    "cmd_meta",      "get_hits",        "get_misses",     "get_expired",
    "get_flushed",   "delete_misses",   "delete_hits",    "incr_misses",
    "incr_hits",     "decr_misses",     "decr_hits",      "cas_misses",
    "cas_hits",      "cas_badval",      "touch_hits",     "touch_misses",
    "store_too_large", "store_no_memory", "auth_cmds",    "auth_errors",
};

std::atomic<int> next_slot{0};

}  // namespace

ServerStats::ServerStats() { Reset(); }

int ServerStats::SlotIndex() {
  thread_local int index =
      next_slot.fetch_add(1, std::memory_order_relaxed) % kSlots;
  return index;
}

uint64_t ServerStats::Get(Counter counter) const {
  uint64_t sum = 0;
  for (const Slot& slot : slots_) {
    sum += slot.values[static_cast<int>(counter)].load(std::memory_order_relaxed);
  }
  return sum;
}

ServerStats::Snapshot ServerStats::Sum() const {
  Snapshot out{};
  for (const Slot& slot : slots_) {
    for (int i = 0; i < kCounters; ++i) {
      out[i] += slot.values[i].load(std::memory_order_relaxed);
    }
  }
  return out;
}

void ServerStats::Reset() {
  for (Slot& slot : slots_) {
    for (auto& v : slot.values) v.store(0, std::memory_order_relaxed);
  }
}

const char* ServerStats::Name(Counter counter) {
  return kNames[static_cast<int>(counter)];
}

}  // namespace memcache
