// CommandMetrics: per-command request counters split by result, and a latency
// histogram per command, for the Prometheus endpoint.
//
// The dispatcher (CommandHandler::OnMessage) reads the steady clock once
// before and once after each command function and calls Record. The command
// functions say how the request went with NoteResult (once per key for
// multi-key gets, so "get" counts keys like memcached's cmd_get); a request
// that noted nothing counts as "ok".
//
// Like ServerStats, counts live in cache-line-aligned per-thread slots of
// relaxed atomics: no lock and no shared cache line on the request path.
// Unlike ServerStats these counters never reset ("stats reset" leaves them
// alone), as Prometheus counters must be monotonic.
//
// Thread-safety: every method may be called from any thread. NoteResult and
// the tally touch only the calling thread's state.
#ifndef MEMCACHE_COMMAND_METRICS_H_
#define MEMCACHE_COMMAND_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "codec/text_request.h"
#include "memcache/latency_histogram.h"

namespace memcache {

enum class CommandResult : uint8_t {
  kHit,        // the key was found and the command did its work
  kMiss,       // the key was not found
  kBadval,     // a cas value did not match
  kStored,     // a storage command stored
  kNotStored,  // add / replace / append / prepend found the wrong state
  kError,      // the command answered SERVER_ERROR or CLIENT_ERROR
  kOk,         // commands without a lookup (flush_all, stats, mn, ...)
  kCount,      // number of results, not a result
};

// What the command functions noted for the request being dispatched on this
// thread. Reset by the dispatcher before each command.
struct RequestTally {
  std::array<uint32_t, static_cast<int>(CommandResult::kCount)> counts;
  bool any;
};

inline thread_local RequestTally tls_request_tally{};

inline void NoteResult(CommandResult result, uint32_t n = 1) {
  tls_request_tally.counts[static_cast<int>(result)] += n;
  tls_request_tally.any = true;
}

class CommandMetrics {
 public:
  static constexpr int kSlots = 32;
  static constexpr int kCommands =
      static_cast<int>(codec::TextCommand::kMetaDebug) + 1;
  static constexpr int kResults = static_cast<int>(CommandResult::kCount);

  struct Snapshot {
    std::array<std::array<uint64_t, kResults>, kCommands> counts{};
    std::array<HistogramSnapshot, kCommands> latency{};
  };

  CommandMetrics();
  ~CommandMetrics();
  CommandMetrics(const CommandMetrics&) = delete;
  CommandMetrics& operator=(const CommandMetrics&) = delete;

  // Clears this thread's tally; call before running a command function.
  static RequestTally& BeginRequest() {
    RequestTally& t = tls_request_tally;
    t.counts.fill(0);
    t.any = false;
    return t;
  }

  // Counts one finished request of `command` that took `nanos`.
  void Record(codec::TextCommand command, const RequestTally& tally,
              uint64_t nanos);

  // Sums every slot (for a scrape; allocation-free but not cheap).
  void Collect(Snapshot* out) const;

  // Label values: "get", "mg", ... (null for kNone) and "hit", "miss", ...
  static const char* CommandName(int command);
  static const char* ResultName(int result);

 private:
  struct alignas(64) Slot {
    std::array<std::array<std::atomic<uint64_t>, kResults>, kCommands> counts{};
    std::array<LatencyHistogram, kCommands> latency;
  };

  static int SlotIndex();

  std::unique_ptr<Slot[]> slots_;
};

}  // namespace memcache

#endif  // MEMCACHE_COMMAND_METRICS_H_
