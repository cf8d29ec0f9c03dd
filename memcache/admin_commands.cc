// Administrative commands: flush_all, version, verbosity, quit, shutdown,
// cache_memlimit, and the memcached tuning commands (slabs, lru,
// lru_crawler, watch, ...) which this server has no machinery for but
// answers the way a stock memcached 1.6.18 does.
#include <cctype>
#include <cstdlib>
#include <string>

#include "memcache/commands.h"
#include "memcache/reply_writer.h"

namespace memcache {

using codec::TextRequest;
using sock::HandleResult;

namespace {

constexpr int kMaxVerbosity = 2;

// memcached's set_noreply_maybe for commands the codec hands over as raw
// tokens: "noreply" as the last token.
bool LastIsNoreply(const TextRequest& req) {
  return !req.args.empty() && req.args.back() == "noreply";
}

void Reply(const TextRequest& req, bool noreply, sock::Buffer* out,
           std::string_view line) {
  if (!(noreply || req.noreply)) AppendLine(out, line);
}

bool ParseDouble(std::string_view s, double* out) {
  std::string tmp(s);
  if (tmp.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(tmp.c_str(), &end);
  return end != tmp.c_str() && *end == '\0';
}

// "slabs ...": only automove can be meaningful without slab classes.
void Slabs(const TextRequest& req, sock::Buffer* out) {
  const auto& a = req.args;
  const size_t ntokens = a.size() + 2;  // memcached counts a terminal token
  if (ntokens == 5 && a[0] == "reassign") {
    int32_t src, dst;
    if (!ParseInt32(a[1], &src) || !ParseInt32(a[2], &dst)) {
      AppendLine(out, "CLIENT_ERROR bad command line format");
    } else if (src == dst) {
      AppendLine(out, "SAME src and dst class are identical");
    } else {
      // There are no slab pages to move here.
      AppendLine(out, "NOSPARE source class has no spare pages");
    }
    return;
  }
  if (ntokens >= 4 && a[0] == "automove") {
    bool noreply = LastIsNoreply(req);
    if (a[1] == "ratio") {
      double ratio;
      if (ntokens < 5 || !ParseDouble(a[2], &ratio)) {
        Reply(req, noreply, out, "ERROR");
        return;
      }
    } else {
      uint32_t level;
      if (!ParseUint32(a[1], &level)) {
        Reply(req, noreply, out, "CLIENT_ERROR bad command line format");
        return;
      }
      if (level > 2) {
        Reply(req, noreply, out, "ERROR");
        return;
      }
    }
    Reply(req, noreply, out, "OK");
    return;
  }
  AppendLine(out, "ERROR");
}

void Lru(const TextRequest& req, sock::Buffer* out) {
  const auto& a = req.args;
  const size_t ntokens = a.size() + 2;
  bool noreply = LastIsNoreply(req);
  if (ntokens < 3) {
    AppendLine(out, "ERROR");
    return;
  }
  if (a[0] == "tune" && ntokens >= 7) {
    uint32_t hot, warm;
    double hot_factor, factor;
    if (!ParseUint32(a[1], &hot) || !ParseUint32(a[2], &warm) ||
        !ParseDouble(a[3], &hot_factor) || !ParseDouble(a[4], &factor)) {
      Reply(req, noreply, out, "ERROR");
    } else if (hot + warm > 80) {
      Reply(req, noreply, out, "ERROR hot and warm pcts must not exceed 80");
    } else if (factor <= 0 || hot_factor <= 0) {
      Reply(req, noreply, out, "ERROR hot/warm age factors must be greater than 0");
    } else {
      Reply(req, noreply, out, "OK");
    }
  } else if (a[0] == "mode" && ntokens >= 4) {
    Reply(req, noreply, out,
          (a[1] == "flat" || a[1] == "segmented") ? "OK" : "ERROR");
  } else if (a[0] == "temp_ttl" && ntokens >= 4) {
    int32_t ttl;
    Reply(req, noreply, out, ParseInt32(a[1], &ttl) ? "OK" : "ERROR");
  } else {
    Reply(req, noreply, out, "ERROR");
  }
}

// memcached's uriencode: all but [A-Za-z0-9-._~] as %XX.
void UriEncode(std::string_view in, std::string* out) {
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out->push_back(static_cast<char>(c));
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

// "lru_crawler metadump <all|hash|id,id,...>": one line per live item.
// Everything lives in one pseudo slab class, 1.
void MetaDump(CommandContext& ctx, std::string_view classes, sock::Buffer* out) {
  if (!out->empty()) {
    // memcached streams the dump from a side thread and cannot order it
    // after replies still queued on the connection.
    AppendLine(out, "ERROR cannot pipeline other commands before metadump");
    return;
  }
  bool wanted = classes == "all" || classes == "hash";
  if (!wanted) {
    size_t pos = 0;
    while (pos <= classes.size()) {
      size_t comma = classes.find(',', pos);
      if (comma == std::string_view::npos) comma = classes.size();
      uint32_t id;
      if (!ParseUint32(classes.substr(pos, comma - pos), &id) || id >= 64) {
        AppendLine(out, "BADCLASS invalid class id");
        return;
      }
      if (id == 1) wanted = true;
      pos = comma + 1;
    }
  }
  if (wanted) {
    const int64_t now = ctx.store->Now();
    const bool use_cas = ctx.store->options().use_cas;
    std::string chunk;
    ctx.store->ForEach([&](const ItemRef& item) {
      if (item->exptime() != 0 && item->exptime() <= now) return true;
      std::string line = "key=";
      UriEncode(item->key(), &line);
      line += " exp=" + std::to_string(item->exptime() == 0 ? -1 : item->exptime());
      line += " la=" + std::to_string(item->last_access());
      line += " cas=" + std::to_string(item->cas());
      line += item->fetched() ? " fetch=yes" : " fetch=no";
      line += " cls=1 size=" +
              std::to_string(Item::MemcachedSize(item->key_length(), item->flags(),
                                                 item->value_length(), use_cas));
      line += '\n';
      chunk += line;
      if (chunk.size() > 64 * 1024) {
        out->Append(chunk);
        chunk.clear();
      }
      return true;
    });
    out->Append(chunk);
  }
  out->Append("END\r\n");
}

void LruCrawler(CommandContext& ctx, const TextRequest& req, sock::Buffer* out) {
  const auto& a = req.args;
  const size_t ntokens = a.size() + 2;
  if (ntokens == 4 && a[0] == "crawl") {
    // Expired items are reclaimed by the sweeper anyway.
    AppendLine(out, "OK");
  } else if (ntokens == 4 && a[0] == "metadump") {
    MetaDump(ctx, a[1], out);
  } else if (ntokens == 4 && (a[0] == "tocrawl" || a[0] == "sleep")) {
    uint32_t v;
    if (!ParseUint32(a[1], &v)) {
      AppendLine(out, "CLIENT_ERROR bad command line format");
    } else if (a[0] == "sleep" && v > 1000000) {
      AppendLine(out, "CLIENT_ERROR sleep must be one second or less");
    } else {
      AppendLine(out, "OK");
    }
  } else if (ntokens == 3 && a[0] == "enable") {
    // memcached's crawler runs from start-up, so enabling it again fails.
    AppendLine(out, "ERROR failed to start lru crawler thread");
  } else if (ntokens == 3 && a[0] == "disable") {
    AppendLine(out, "OK");
  } else {
    AppendLine(out, "ERROR");
  }
}

}  // namespace

HandleResult HandleFlushAll(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  ctx.stats->Add(Counter::kCmdFlush);
  if (!ctx.settings.flush_enabled) {
    ClassicReply(req, out, "CLIENT_ERROR flush_all not allowed");
    return HandleResult::kContinue;
  }
  if (req.has_exptime && req.exptime > 0) {
    ctx.store->FlushAll(ctx.store->ToAbsoluteExptime(req.exptime));
  } else {
    ctx.store->FlushAll(0);
  }
  ClassicReply(req, out, "OK");
  return HandleResult::kContinue;
}

HandleResult HandleVersion(CommandContext&, TextRequest&, sock::Buffer* out) {
  out->Append("VERSION 1.6.18\r\n");
  return HandleResult::kContinue;
}

HandleResult HandleVerbosity(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  uint64_t level = req.delta;
  if (!req.args.empty()) {
    uint32_t parsed;
    if (!ParseUint32(req.args[0], &parsed)) {
      ClassicReply(req, out, "CLIENT_ERROR bad command line format");
      return HandleResult::kContinue;
    }
    level = parsed;
  }
  ctx.verbosity.store(level > kMaxVerbosity ? kMaxVerbosity : static_cast<int>(level));
  ClassicReply(req, out, "OK");
  return HandleResult::kContinue;
}

HandleResult HandleQuit(CommandContext&, TextRequest&, sock::Buffer*) {
  return HandleResult::kClose;
}

HandleResult HandleShutdown(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  if (!ctx.settings.enable_shutdown) {
    AppendLine(out, "ERROR: shutdown not enabled");
    return HandleResult::kContinue;
  }
  if (req.args.empty() || (req.args.size() == 1 && req.args[0] == "graceful")) {
    if (ctx.request_shutdown) ctx.request_shutdown();
    return HandleResult::kClose;
  }
  AppendLine(out, "CLIENT_ERROR invalid shutdown mode");
  return HandleResult::kContinue;
}

HandleResult HandleCacheMemlimit(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  uint64_t megabytes = req.delta;
  if (!req.args.empty()) {
    uint32_t parsed;
    if (!ParseUint32(req.args[0], &parsed)) {
      ClassicReply(req, out, "ERROR");
      return HandleResult::kContinue;
    }
    megabytes = parsed;
  }
  if (megabytes < 8) {
    ClassicReply(req, out, "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m");
  } else if (megabytes > 1000000000) {
    ClassicReply(req, out, "MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes");
  } else {
    ctx.store->SetMemoryLimit(static_cast<size_t>(megabytes) << 20);
    ClassicReply(req, out, "OK");
  }
  return HandleResult::kContinue;
}

HandleResult HandleAdmin(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  std::string_view name = req.name;
  if (name == "slabs") {
    Slabs(req, out);
  } else if (name == "lru") {
    Lru(req, out);
  } else if (name == "lru_crawler") {
    LruCrawler(ctx, req, out);
  } else if (name == "watch") {
    if (!out->empty()) {
      AppendLine(out, "ERROR cannot pipeline other commands before watch");
    } else {
      // There is no log stream to attach a watcher to; answer as a
      // memcached started with watchers disabled.
      AppendLine(out, "CLIENT_ERROR watch commands not allowed");
    }
  } else if (name == "bget") {
    // An ancient alias of get that memcached still accepts.
    if (req.keys.empty()) {
      for (std::string_view a : req.args) req.keys.push_back(a);
    }
    if (req.keys.empty()) {
      AppendLine(out, "ERROR");
      return HandleResult::kContinue;
    }
    req.command = codec::TextCommand::kGet;
    return HandleGet(ctx, req, out);
  } else {
    AppendLine(out, "ERROR");
  }
  return HandleResult::kContinue;
}

}  // namespace memcache
