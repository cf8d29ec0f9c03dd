#include "memcache/command_metrics.h"

namespace memcache {

using codec::TextCommand;

namespace {

std::atomic<int> next_slot{0};

constexpr const char* kResultNames[CommandMetrics::kResults] = {
    "hit", "miss", "badval", "stored", "not_stored", "error", "ok",
};

constexpr std::array<const char*, CommandMetrics::kCommands> MakeCommandNames() {
  std::array<const char*, CommandMetrics::kCommands> n{};
  auto set = [&n](TextCommand c, const char* name) {
    n[static_cast<int>(c)] = name;
  };
  set(TextCommand::kGet, "get");
  set(TextCommand::kGets, "gets");
  set(TextCommand::kGat, "gat");
  set(TextCommand::kGats, "gats");
  set(TextCommand::kSet, "set");
  set(TextCommand::kAdd, "add");
  set(TextCommand::kReplace, "replace");
  set(TextCommand::kAppend, "append");
  set(TextCommand::kPrepend, "prepend");
  set(TextCommand::kCas, "cas");
  set(TextCommand::kDelete, "delete");
  set(TextCommand::kIncr, "incr");
  set(TextCommand::kDecr, "decr");
  set(TextCommand::kTouch, "touch");
  set(TextCommand::kFlushAll, "flush_all");
  set(TextCommand::kVersion, "version");
  set(TextCommand::kVerbosity, "verbosity");
  set(TextCommand::kQuit, "quit");
  set(TextCommand::kShutdown, "shutdown");
  set(TextCommand::kStats, "stats");
  set(TextCommand::kCacheMemlimit, "cache_memlimit");
  set(TextCommand::kAdmin, "admin");
  set(TextCommand::kMetaGet, "mg");
  set(TextCommand::kMetaSet, "ms");
  set(TextCommand::kMetaDelete, "md");
  set(TextCommand::kMetaArithmetic, "ma");
  set(TextCommand::kMetaNoop, "mn");
  set(TextCommand::kMetaDebug, "me");
  return n;
}

constexpr std::array<const char*, CommandMetrics::kCommands> kCommandNames =
    MakeCommandNames();

}  // namespace

CommandMetrics::CommandMetrics() : slots_(new Slot[kSlots]) {}

CommandMetrics::~CommandMetrics() = default;

int CommandMetrics::SlotIndex() {
  thread_local int index =
      next_slot.fetch_add(1, std::memory_order_relaxed) % kSlots;
  return index;
}

void CommandMetrics::Record(TextCommand command, const RequestTally& tally,
                            uint64_t nanos) {
  const int c = static_cast<int>(command);
  if (c <= 0 || c >= kCommands) return;
  Slot& slot = slots_[SlotIndex()];
  auto& counts = slot.counts[c];
  if (tally.any) {
    for (int r = 0; r < kResults; ++r) {
      if (tally.counts[r] != 0) {
        counts[r].fetch_add(tally.counts[r], std::memory_order_relaxed);
      }
    }
  } else {
    counts[static_cast<int>(CommandResult::kOk)].fetch_add(
        1, std::memory_order_relaxed);
  }
  slot.latency[c].Observe(nanos);
}

void CommandMetrics::Collect(Snapshot* out) const {
  *out = Snapshot();
  for (int s = 0; s < kSlots; ++s) {
    const Slot& slot = slots_[s];
    for (int c = 0; c < kCommands; ++c) {
      for (int r = 0; r < kResults; ++r) {
        out->counts[c][r] += slot.counts[c][r].load(std::memory_order_relaxed);
      }
      slot.latency[c].AddTo(&out->latency[c]);
    }
  }
}

const char* CommandMetrics::CommandName(int command) {
  return command >= 0 && command < kCommands ? kCommandNames[command] : nullptr;
}

const char* CommandMetrics::ResultName(int result) {
  return result >= 0 && result < kResults ? kResultNames[result] : "unknown";
}

}  // namespace memcache
