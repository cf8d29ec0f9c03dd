#include "memcache/clock.h"

#include <time.h>

namespace memcache {

int64_t SystemClock::NowUnix() const {
  // CLOCK_REALTIME_COARSE is the tick-updated clock the vDSO serves without a
  // syscall; its few-millisecond granularity is far finer than we need.
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return ts.tv_sec;
}

const SystemClock* SystemClock::Get() {
  static const SystemClock clock;
  return &clock;
}

}  // namespace memcache
