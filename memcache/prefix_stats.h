// PrefixStats: "stats detail" per-key-prefix counters (gets, hits, sets,
// deletes), as memcached keeps them when "stats detail on" was sent.
//
// A key's prefix is the part before the first delimiter (':' by default);
// keys without the delimiter are not counted. Recording only happens while
// enabled, so the mutex is never taken on the normal request path.
//
// Thread-safety: every method may be called from any thread.
#ifndef MEMCACHE_PREFIX_STATS_H_
#define MEMCACHE_PREFIX_STATS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace memcache {

class PrefixStats {
 public:
  explicit PrefixStats(char delimiter = ':') : delimiter_(delimiter) {}

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  void set_enabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }
  char delimiter() const { return delimiter_; }

  void RecordGet(std::string_view key, bool hit);
  void RecordSet(std::string_view key);
  void RecordDelete(std::string_view key);

  // "PREFIX <p> get <n> hit <n> set <n> del <n>\r\n" lines, then "END\r\n".
  std::string Dump() const;
  void Clear();

 private:
  struct Counts {
    uint64_t gets = 0, hits = 0, sets = 0, deletes = 0;
  };
  // Null when the key has no delimiter. Requires mu_ held.
  Counts* Find(std::string_view key);

  const char delimiter_;
  std::atomic<bool> enabled_{false};
  mutable std::mutex mu_;
  std::map<std::string, Counts, std::less<>> prefixes_;
};

}  // namespace memcache

#endif  // MEMCACHE_PREFIX_STATS_H_
