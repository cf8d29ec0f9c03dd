// "stats" and its subcommands, in memcached 1.6.18's names and order.
// Counters memcached keeps for machinery we do not have (slab rebalancing,
// LRU segments, extstore...) are reported as 0 so tools that parse the list
// find every name they expect.
#include <event2/event.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "memcache/commands.h"
#include "memcache/reply_writer.h"
#include "memcache/slab_classes.h"

namespace memcache {

using codec::TextRequest;
using sock::HandleResult;

namespace {

constexpr uint32_t kMaxSlabClasses = 64;  // memcached's MAX_NUMBER_OF_SLAB_CLASSES

// Accumulates "STAT name value\r\n" lines.
class StatWriter {
 public:
  explicit StatWriter(sock::Buffer* out) : out_(out) {}
  void Add(std::string_view name, std::string_view value) {
    ReplyLine line;
    line.Append("STAT ").Append(name).Append(' ').Append(value).Finish(out_);
  }
  void Add(std::string_view name, uint64_t value) {
    ReplyLine line;
    line.Append("STAT ").Append(name).Append(' ').AppendUint(value).Finish(out_);
  }
  void AddInt(std::string_view name, int64_t value) {
    ReplyLine line;
    line.Append("STAT ").Append(name).Append(' ').AppendInt(value).Finish(out_);
  }
  void End() { out_->Append("END\r\n"); }

 private:
  sock::Buffer* out_;
};

std::string Microseconds(const timeval& tv) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(tv.tv_sec),
                static_cast<long>(tv.tv_usec));
  return buf;
}

uint64_t Since(uint64_t now, uint64_t then) { return now >= then ? now - then : 0; }

// Store counters minus their values at the last "stats reset".
StoreStats StoreSinceReset(CommandContext& ctx) {
  StoreStats st = ctx.store->stats();
  std::lock_guard<std::mutex> lock(ctx.baseline_mu);
  const StoreStats& b = ctx.baseline.store;
  st.total_items = Since(st.total_items, b.total_items);
  st.evictions = Since(st.evictions, b.evictions);
  st.evicted_unfetched = Since(st.evicted_unfetched, b.evicted_unfetched);
  st.expired_unfetched = Since(st.expired_unfetched, b.expired_unfetched);
  st.reclaimed = Since(st.reclaimed, b.reclaimed);
  st.crawler_reclaimed = Since(st.crawler_reclaimed, b.crawler_reclaimed);
  st.get_expired = Since(st.get_expired, b.get_expired);
  st.get_flushed = Since(st.get_flushed, b.get_flushed);
  st.malloc_fails = Since(st.malloc_fails, b.malloc_fails);
  // number and mem_requested are state; only the event counters restart.
  for (size_t id = 0; id < st.classes.size() && id < b.classes.size(); ++id) {
    SlabClassStats& c = st.classes[id];
    const SlabClassStats& old = b.classes[id];
    for (uint64_t SlabClassStats::*f :
         {&SlabClassStats::evicted, &SlabClassStats::evicted_unfetched,
          &SlabClassStats::reclaimed, &SlabClassStats::expired_unfetched,
          &SlabClassStats::crawler_reclaimed, &SlabClassStats::get_hits,
          &SlabClassStats::cmd_set, &SlabClassStats::delete_hits,
          &SlabClassStats::incr_hits, &SlabClassStats::decr_hits,
          &SlabClassStats::cas_hits, &SlabClassStats::cas_badval,
          &SlabClassStats::touch_hits}) {
      c.*f = Since(c.*f, old.*f);
    }
  }
  return st;
}

ConnectionCounters ConnectionsSinceReset(CommandContext& ctx) {
  ConnectionCounters c;
  if (ctx.connection_counters) c = ctx.connection_counters();
  std::lock_guard<std::mutex> lock(ctx.baseline_mu);
  const ConnectionCounters& b = ctx.baseline.connections;
  c.total_connections = Since(c.total_connections, b.total_connections);
  c.rejected_connections = Since(c.rejected_connections, b.rejected_connections);
  c.bytes_read = Since(c.bytes_read, b.bytes_read);
  c.bytes_written = Since(c.bytes_written, b.bytes_written);
  return c;
}

void GeneralStats(CommandContext& ctx, sock::Buffer* out) {
  StatWriter w(out);
  const int64_t now = ctx.store->Now();
  ConnectionCounters conns = ConnectionsSinceReset(ctx);
  const StoreStats store = StoreSinceReset(ctx);
  const ServerStats::Snapshot c = ctx.stats->Sum();
  auto counter = [&c, &store](Counter k) {
    // Expired / flushed lookups are only visible to the store.
    if (k == Counter::kGetExpired) return store.get_expired;
    if (k == Counter::kGetFlushed) return store.get_flushed;
    return c[static_cast<int>(k)];
  };
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);

  w.Add("pid", static_cast<uint64_t>(getpid()));
  w.AddInt("uptime", now - ctx.start_time);
  w.AddInt("time", now);
  w.Add("version", "1.6.18");
  w.Add("libevent", event_get_version());
  w.Add("pointer_size", static_cast<uint64_t>(sizeof(void*) * 8));
  w.Add("rusage_user", Microseconds(usage.ru_utime));
  w.Add("rusage_system", Microseconds(usage.ru_stime));
  w.Add("max_connections", static_cast<uint64_t>(ctx.settings.max_connections));
  w.Add("curr_connections", conns.curr_connections);
  w.Add("total_connections", conns.total_connections);
  w.Add("rejected_connections", conns.rejected_connections);
  w.Add("connection_structures", conns.curr_connections);
  w.Add("response_obj_oom", uint64_t{0});
  w.Add("response_obj_count", uint64_t{0});
  w.Add("response_obj_bytes", uint64_t{0});
  w.Add("read_buf_count", uint64_t{0});
  w.Add("read_buf_bytes", uint64_t{0});
  w.Add("read_buf_bytes_free", uint64_t{0});
  w.Add("read_buf_oom", uint64_t{0});
  w.Add("reserved_fds", uint64_t{0});
  w.Add("cmd_get", counter(Counter::kCmdGet));
  w.Add("cmd_set", counter(Counter::kCmdSet));
  w.Add("cmd_flush", counter(Counter::kCmdFlush));
  w.Add("cmd_touch", counter(Counter::kCmdTouch));
  w.Add("cmd_meta", counter(Counter::kCmdMeta));
  for (Counter k : {Counter::kGetHits, Counter::kGetMisses, Counter::kGetExpired,
                    Counter::kGetFlushed, Counter::kDeleteMisses, Counter::kDeleteHits,
                    Counter::kIncrMisses, Counter::kIncrHits, Counter::kDecrMisses,
                    Counter::kDecrHits, Counter::kCasMisses, Counter::kCasHits,
                    Counter::kCasBadval, Counter::kTouchHits, Counter::kTouchMisses,
                    Counter::kStoreTooLarge, Counter::kStoreNoMemory,
                    Counter::kAuthCmds, Counter::kAuthErrors}) {
    w.Add(ServerStats::Name(k), counter(k));
  }
  w.Add("bytes_read", conns.bytes_read);
  w.Add("bytes_written", conns.bytes_written);
  w.Add("limit_maxbytes", store.limit_maxbytes);
  w.Add("accepting_conns", uint64_t{1});
  w.Add("listen_disabled_num", uint64_t{0});
  w.Add("time_in_listen_disabled_us", uint64_t{0});
  w.Add("threads", static_cast<uint64_t>(ctx.settings.threads));
  w.Add("conn_yields", uint64_t{0});
  uint64_t power = 0;
  while ((uint64_t{1} << (power + 1)) <= store.hash_buckets) ++power;
  w.Add("hash_power_level", power);
  w.Add("hash_bytes", store.hash_bytes);
  w.Add("hash_is_expanding", uint64_t{0});
  for (const char* name :
       {"slab_reassign_rescues", "slab_reassign_chunk_rescues",
        "slab_reassign_evictions_nomem", "slab_reassign_inline_reclaim",
        "slab_reassign_busy_items", "slab_reassign_busy_deletes",
        "slab_reassign_running", "slabs_moved", "lru_crawler_running",
        "lru_crawler_starts", "lru_maintainer_juggles"}) {
    w.Add(name, uint64_t{0});
  }
  w.Add("malloc_fails", store.malloc_fails);
  for (const char* name :
       {"log_worker_dropped", "log_worker_written", "log_watcher_skipped",
        "log_watcher_sent", "log_watchers", "unexpected_napi_ids",
        "round_robin_fallback"}) {
    w.Add(name, uint64_t{0});
  }
  w.Add("bytes", store.bytes);
  w.Add("curr_items", store.curr_items);
  w.Add("total_items", store.total_items);
  w.Add("slab_global_page_pool", uint64_t{0});
  w.Add("expired_unfetched", store.expired_unfetched);
  w.Add("evicted_unfetched", store.evicted_unfetched);
  w.Add("evicted_active", uint64_t{0});
  w.Add("evictions", store.evictions);
  w.Add("reclaimed", store.reclaimed);
  w.Add("crawler_reclaimed", store.crawler_reclaimed);
  for (const char* name :
       {"crawler_items_checked", "lrutail_reflocked",
        "moves_to_cold", "moves_to_warm", "moves_within_lru", "direct_reclaims",
        "lru_bumps_dropped"}) {
    w.Add(name, uint64_t{0});
  }
  w.End();
}

void SettingsStats(CommandContext& ctx, sock::Buffer* out) {
  StatWriter w(out);
  const StoreOptions& so = ctx.store->options();
  const StoreStats store = ctx.store->stats();
  const ServerSettings& s = ctx.settings;
  w.Add("maxbytes", store.limit_maxbytes);
  w.Add("maxconns", static_cast<uint64_t>(s.max_connections));
  w.Add("tcpport", static_cast<uint64_t>(s.tcp_port.load(std::memory_order_relaxed)));
  w.Add("udpport", uint64_t{0});
  w.Add("inter", s.interface.empty() ? "NULL" : s.interface);
  w.Add("verbosity", static_cast<uint64_t>(ctx.verbosity.load()));
  w.Add("oldest", uint64_t{0});
  w.Add("evictions", "on");
  w.Add("domain_socket", "NULL");
  w.Add("umask", "700");
  w.Add("shutdown_command", s.enable_shutdown ? "yes" : "no");
  w.Add("growth_factor", "1.25");
  w.Add("chunk_size", uint64_t{48});
  w.Add("num_threads", static_cast<uint64_t>(s.threads));
  w.Add("num_threads_per_udp", static_cast<uint64_t>(s.threads));
  w.Add("stat_key_prefix", std::string(1, ctx.prefix_stats->delimiter()));
  w.Add("detail_enabled", ctx.prefix_stats->enabled() ? "yes" : "no");
  w.Add("reqs_per_event", uint64_t{20});
  w.Add("cas_enabled", so.use_cas ? "yes" : "no");
  w.Add("tcp_backlog", static_cast<uint64_t>(s.tcp_backlog));
  w.Add("binding_protocol", "ascii");
  w.Add("auth_enabled_sasl", "no");
  w.Add("auth_enabled_ascii", s.auth_file.empty() ? std::string("no") : s.auth_file);
  w.Add("item_size_max", static_cast<uint64_t>(so.max_item_size));
  w.Add("maxconns_fast", "yes");
  w.Add("hashpower_init", uint64_t{0});
  w.Add("slab_reassign", "no");
  w.Add("slab_automove", uint64_t{0});
  w.Add("lru_crawler", "no");
  w.Add("flush_enabled", s.flush_enabled ? "yes" : "no");
  w.Add("dump_enabled", "yes");
  w.Add("lru_maintainer_thread", "no");
  w.Add("lru_segmented", "no");
  w.Add("temp_lru", "no");
  w.Add("idle_timeout", static_cast<uint64_t>(s.idle_timeout_seconds));
  w.Add("track_sizes", "no");
  w.Add("inline_ascii_response", "no");
  w.Add("ssl_enabled", "no");
  w.Add("engine", s.engine);
  w.End();
}

// "items:<id>:<name>" / "<id>:<name>".
std::string ClassStat(const char* prefix, size_t id, const char* name) {
  return prefix + std::to_string(id) + ":" + name;
}

// memcached 1.6.18's list with its default (segmented) LRU; the LRU
// segments, ages and crawler work we do not have stay 0. Empty classes are
// skipped, as memcached skips them.
void ItemsStats(CommandContext& ctx, sock::Buffer* out) {
  StatWriter w(out);
  const StoreStats st = StoreSinceReset(ctx);
  for (size_t id = 1; id < st.classes.size(); ++id) {
    const SlabClassStats& c = st.classes[id];
    if (c.number == 0) continue;
    auto add = [&w, id](const char* name, uint64_t v) {
      w.Add(ClassStat("items:", id, name), v);
    };
    add("number", c.number);
    for (const char* name :
         {"number_hot", "number_warm", "number_cold", "age_hot", "age_warm",
          "age"}) {
      add(name, 0);
    }
    add("mem_requested", c.mem_requested);
    add("evicted", c.evicted);
    for (const char* name : {"evicted_nonzero", "evicted_time", "outofmemory",
                             "tailrepairs"}) {
      add(name, 0);
    }
    add("reclaimed", c.reclaimed);
    add("expired_unfetched", c.expired_unfetched);
    add("evicted_unfetched", c.evicted_unfetched);
    add("evicted_active", 0);
    add("crawler_reclaimed", c.crawler_reclaimed);
    for (const char* name :
         {"crawler_items_checked", "lrutail_reflocked", "moves_to_cold",
          "moves_to_warm", "moves_within_lru", "direct_reclaims",
          "hits_to_hot", "hits_to_warm", "hits_to_cold", "hits_to_temp"}) {
      add(name, 0);
    }
  }
  w.End();
}

// memcached 1.6.18's "stats slabs" as if each class had the fewest 1 MiB
// pages its items need: there are no slabs here, items are malloc'd. Like
// memcached's, a class that once had an item keeps (at least) one page and
// stays listed after its items are gone.
void SlabsStats(CommandContext& ctx, sock::Buffer* out) {
  StatWriter w(out);
  const StoreStats st = StoreSinceReset(ctx);
  const SlabClasses& slabs = SlabClasses::Default();
  uint64_t active = 0, malloced = 0;
  for (size_t id = 1; id < st.classes.size(); ++id) {
    const SlabClassStats& c = st.classes[id];
    if (c.touched == 0) continue;
    auto add = [&w, id](const char* name, uint64_t v) {
      w.Add(ClassStat("", id, name), v);
    };
    const uint64_t per_page = slabs.chunks_per_page(static_cast<int>(id));
    const uint64_t pages =
        std::max<uint64_t>(1, (c.number + per_page - 1) / per_page);
    add("chunk_size", slabs.chunk_size(static_cast<int>(id)));
    add("chunks_per_page", per_page);
    add("total_pages", pages);
    add("total_chunks", pages * per_page);
    add("used_chunks", c.number);
    add("free_chunks", pages * per_page - c.number);
    add("free_chunks_end", 0);
    add("get_hits", c.get_hits);
    add("cmd_set", c.cmd_set);
    add("delete_hits", c.delete_hits);
    add("incr_hits", c.incr_hits);
    add("decr_hits", c.decr_hits);
    add("cas_hits", c.cas_hits);
    add("cas_badval", c.cas_badval);
    add("touch_hits", c.touch_hits);
    ++active;
    malloced += pages * slabs.page_size();
  }
  w.Add("active_slabs", active);
  w.Add("total_malloced", malloced);
  w.End();
}

void Detail(CommandContext& ctx, const TextRequest& req, sock::Buffer* out) {
  std::string_view arg = req.args.size() >= 2 ? req.args[1] : std::string_view();
  if (arg == "on") {
    ctx.prefix_stats->set_enabled(true);
    AppendLine(out, "OK");
  } else if (arg == "off") {
    ctx.prefix_stats->set_enabled(false);
    AppendLine(out, "OK");
  } else if (arg == "dump") {
    out->Append(ctx.prefix_stats->Dump());
  } else {
    AppendLine(out, "CLIENT_ERROR usage: stats detail on|off|dump");
  }
}

void CacheDump(const TextRequest& req, sock::Buffer* out) {
  if (req.args.size() < 3) {
    AppendLine(out, "CLIENT_ERROR bad command line");
    return;
  }
  uint32_t id, limit;
  if (!ParseUint32(req.args[1], &id) || !ParseUint32(req.args[2], &limit)) {
    AppendLine(out, "CLIENT_ERROR bad command line format");
  } else if (id >= kMaxSlabClasses) {
    AppendLine(out, "CLIENT_ERROR Illegal slab id");
  } else {
    out->Append("END\r\n");
  }
}

}  // namespace

HandleResult HandleStats(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  if (req.args.empty()) {
    GeneralStats(ctx, out);
    return HandleResult::kContinue;
  }
  std::string_view sub = req.args[0];
  if (sub == "reset") {
    {
      std::lock_guard<std::mutex> lock(ctx.baseline_mu);
      ctx.baseline.store = ctx.store->stats();
      if (ctx.connection_counters) ctx.baseline.connections = ctx.connection_counters();
    }
    ctx.stats->Reset();
    ctx.prefix_stats->Clear();
    AppendLine(out, "RESET");
  } else if (sub == "detail") {
    Detail(ctx, req, out);
  } else if (sub == "settings") {
    SettingsStats(ctx, out);
  } else if (sub == "cachedump") {
    CacheDump(req, out);
  } else if (sub == "conns") {
    out->Append("END\r\n");
  } else if (sub == "items") {
    ItemsStats(ctx, out);
  } else if (sub == "slabs") {
    SlabsStats(ctx, out);
  } else if (sub == "sizes") {
    out->Append("STAT sizes_status disabled\r\nEND\r\n");
  } else if (sub == "sizes_enable") {
    // memcached answers the toggles with one line and no END.
    out->Append("STAT sizes_status enabled\r\n");
  } else if (sub == "sizes_disable") {
    out->Append("STAT sizes_status disabled\r\n");
  } else {
    AppendLine(out, "ERROR");
  }
  return HandleResult::kContinue;
}

}  // namespace memcache
