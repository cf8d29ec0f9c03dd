// ProcessStats: this process's CPU time, memory, threads and file
// descriptors, read from /proc/self (Linux), for the standard process_*
// Prometheus metrics.
//
// Thread-safety: ReadProcessStats may be called from any thread; it reads a
// few small /proc files, so call it from a scrape, never per request.
#ifndef MEMCACHE_PROCESS_STATS_H_
#define MEMCACHE_PROCESS_STATS_H_

#include <cstdint>

namespace memcache {

struct ProcessStats {
  bool ok = false;             // false when /proc/self/stat was unreadable
  double user_seconds = 0;     // utime
  double system_seconds = 0;   // stime
  uint64_t resident_bytes = 0;  // VmRSS
  uint64_t virtual_bytes = 0;   // vsize
  uint64_t threads = 0;
  double start_time_seconds = 0;  // unix time the process started
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;        // RLIMIT_NOFILE soft limit
};

ProcessStats ReadProcessStats();

}  // namespace memcache

#endif  // MEMCACHE_PROCESS_STATS_H_
