#include "codec/text_line_parser.h"

#include <climits>

#include "codec/meta_command_parser.h"
#include "codec/number_parse.h"

namespace codec {

using Kind = LineResult::Kind;

namespace text_parse {

LineResult Error(TextRequest* req, std::string_view reply, bool suppressible,
                 uint64_t swallow) {
  // memcached's out_string() drops the reply when noreply was seen;
  // out_errstring() (meta commands) always sends it.
  req->error = (suppressible && req->noreply) ? std::string_view() : reply;
  LineResult r;
  r.kind = Kind::kError;
  r.swallow = swallow;
  return r;
}

bool ItemTooLarge(const TextCodecOptions& o, size_t nkey, uint32_t flags,
                  int64_t data_length) {
  // memcached's item_size_ok(): header + key + NUL + flags suffix + data.
  uint64_t total = o.item_header_size + nkey + 1 + (flags != 0 ? 4 : 0) +
                   static_cast<uint64_t>(data_length) + 2;
  return total > o.max_item_size;
}

}  // namespace text_parse

namespace {

using text_parse::Error;

constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kBadExptime = "CLIENT_ERROR invalid exptime argument";

LineResult Message() { return LineResult(); }

LineResult NeedData(size_t n) {
  LineResult r;
  r.kind = Kind::kNeedData;
  r.data_length = n;
  return r;
}

// memcached's set_noreply_maybe(): the last token it tokenized.
bool LastIsNoreply(const TextTokens& t) {
  return t.count > 0 && t.token[t.count - 1] == "noreply";
}

bool Wants(const TextTokens& t, size_t a, size_t b) {
  size_t n = t.ntokens();
  return n == a || n == b;
}

}  // namespace

LineResult TextLineParser::Parse(std::string_view line, TextRequest* req) {
  req->line = line;
  TokenizeCommand(line, &tokens_);
  const TextTokens& t = tokens_;
  if (t.count == 0 || t.token[0].size() < 2) return Error(req, "ERROR");
  const std::string_view cmd = t.token[0];
  req->name = cmd;
  const size_t n = t.ntokens();
  // The branches follow process_command_ascii: within a first-letter branch
  // an unknown word is "ERROR" without the HTTP check below.
  switch (cmd[0]) {
    case 'm':
      if (cmd.size() == 2) return ParseMetaCommand(t, options_, req);
      break;
    case 'g':
      if (n < 3) return Error(req, "ERROR");
      if (cmd == "get") return ParseGet(TextCommand::kGet, false, req);
      if (cmd == "gets") return ParseGet(TextCommand::kGets, false, req);
      if (cmd == "gat") return ParseGet(TextCommand::kGat, true, req);
      if (cmd == "gats") return ParseGet(TextCommand::kGats, true, req);
      return Error(req, "ERROR");
    case 's':
      if (cmd == "set") {
        if (!Wants(t, 6, 7)) return Error(req, "ERROR");
        return ParseUpdate(TextCommand::kSet, false, req);
      }
      if (cmd == "stats") return WithArgs(TextCommand::kStats, req);
      if (cmd == "shutdown") return WithArgs(TextCommand::kShutdown, req);
      if (cmd == "slabs") return WithArgs(TextCommand::kAdmin, req);
      return Error(req, "ERROR");
    case 'a':
      if (cmd == "add" || cmd == "append") {
        if (!Wants(t, 6, 7)) return Error(req, "ERROR");
        return ParseUpdate(cmd == "add" ? TextCommand::kAdd
                                        : TextCommand::kAppend,
                           false, req);
      }
      return Error(req, "ERROR");
    case 'c':
      if (cmd == "cas") {
        if (!Wants(t, 7, 8)) return Error(req, "ERROR");
        return ParseUpdate(TextCommand::kCas, true, req);
      }
      if (cmd == "cache_memlimit") {
        if (!Wants(t, 3, 4)) return Error(req, "ERROR");
        return ParseMemlimit(req);
      }
      return Error(req, "ERROR");
    case 'i':
      if (cmd == "incr") {
        if (!Wants(t, 4, 5)) return Error(req, "ERROR");
        return ParseArithmetic(TextCommand::kIncr, req);
      }
      return Error(req, "ERROR");
    case 'd':
      if (cmd == "delete") {
        if (n < 3 || n > 5) return Error(req, "ERROR");
        return ParseDelete(req);
      }
      if (cmd == "decr") {
        if (!Wants(t, 4, 5)) return Error(req, "ERROR");
        return ParseArithmetic(TextCommand::kDecr, req);
      }
      if (cmd == "debugtime" && options_.debug_commands) {
        return WithArgs(TextCommand::kAdmin, req);
      }
      return Error(req, "ERROR");
    case 't':
      if (cmd == "touch") {
        if (!Wants(t, 4, 5)) return Error(req, "ERROR");
        return ParseTouch(req);
      }
      return Error(req, "ERROR");
    default:
      break;
  }
  return ParseOther(req);
}

LineResult TextLineParser::ParseOther(TextRequest* req) {
  const TextTokens& t = tokens_;
  const std::string_view cmd = t.token[0];
  const size_t n = t.ntokens();
  if (cmd == "replace" || cmd == "prepend") {
    if (n != 6 && n != 7) return Error(req, "ERROR");
    return ParseUpdate(cmd == "replace" ? TextCommand::kReplace
                                        : TextCommand::kPrepend,
                       false, req);
  }
  if (cmd == "bget") {  // ancient alias of get, still accepted
    if (n < 3) return Error(req, "ERROR");
    return ParseGet(TextCommand::kGet, false, req);
  }
  if (cmd == "flush_all") {
    if (n < 2 || n > 4) return Error(req, "ERROR");
    return ParseFlushAll(req);
  }
  if (cmd == "version") return WithArgs(TextCommand::kVersion, req);
  if (cmd == "quit") return WithArgs(TextCommand::kQuit, req);
  if (cmd == "lru_crawler" || cmd == "watch" || cmd == "refresh_certs") {
    return WithArgs(TextCommand::kAdmin, req);
  }
  if (cmd == "verbosity") {
    if (n != 3 && n != 4) return Error(req, "ERROR");
    return ParseVerbosity(req);
  }
  if (cmd == "lru" || cmd == "extstore") {
    if (n < 3) return Error(req, "ERROR");
    return WithArgs(TextCommand::kAdmin, req);
  }
  if (cmd == "misbehave" && options_.debug_commands) {
    return WithArgs(TextCommand::kAdmin, req);
  }
  // An HTTP request line: memcached hangs up without a word.
  if (t.token[t.count - 1].substr(0, 5) == "HTTP/") {
    LineResult r;
    r.kind = Kind::kClose;
    return r;
  }
  return Error(req, "ERROR");
}

LineResult TextLineParser::ParseGet(TextCommand command, bool touch,
                                    TextRequest* req) {
  const TextTokens& t = tokens_;
  req->command = command;
  size_t first = 1;
  if (touch) {
    int32_t exptime;
    if (!SafeStrtol(t.token[1], &exptime)) return Error(req, kBadExptime);
    req->exptime = exptime;
    first = 2;
  }
  // memcached answers keys one by one but, on a key over 250 bytes, throws
  // the answers away and sends only the error.
  for (size_t i = first; i < t.count; ++i) {
    if (t.token[i].size() > kMaxKeyLength) return Error(req, kBadFormat);
    req->keys.push_back(t.token[i]);
  }
  bool too_long = false;
  ForEachToken(t.rest, [req, &too_long](std::string_view key) {
    if (too_long) return;
    if (key.size() > kMaxKeyLength) {
      too_long = true;
      return;
    }
    req->keys.push_back(key);
  });
  if (too_long) return Error(req, kBadFormat);
  return Message();
}

LineResult TextLineParser::ParseUpdate(TextCommand command, bool cas,
                                       TextRequest* req) {
  const TextTokens& t = tokens_;
  req->command = command;
  req->noreply = LastIsNoreply(t);
  std::string_view key = t.token[1];
  if (key.size() > kMaxKeyLength) return Error(req, kBadFormat, true);
  uint32_t flags;
  int32_t exptime;
  int32_t vlen;
  if (!(SafeStrtoul(t.token[2], &flags) && SafeStrtol(t.token[3], &exptime) &&
        SafeStrtol(t.token[4], &vlen))) {
    return Error(req, kBadFormat, true);
  }
  if (cas && !SafeStrtoull(t.token[5], &req->cas_unique)) {
    return Error(req, kBadFormat, true);
  }
  // A bad length leaves the data block to be read as commands.
  if (vlen < 0 || vlen > INT_MAX - 2) return Error(req, kBadFormat, true);
  req->keys.push_back(key);
  req->flags = flags;
  req->exptime = exptime;
  if (text_parse::ItemTooLarge(options_, key.size(), flags, vlen)) {
    req->too_large = true;
    return Error(req, "SERVER_ERROR object too large for cache", true,
                 static_cast<uint64_t>(vlen) + 2);
  }
  return NeedData(static_cast<size_t>(vlen));
}

LineResult TextLineParser::ParseDelete(TextRequest* req) {
  const TextTokens& t = tokens_;
  req->command = TextCommand::kDelete;
  const size_t n = t.ntokens();
  if (n > 3) {
    // Only "delete <key> 0" survives from the old hold-time syntax.
    bool hold_is_zero = t.token[2] == "0";
    req->noreply = LastIsNoreply(t);
    bool valid = (n == 4 && (hold_is_zero || req->noreply)) ||
                 (n == 5 && hold_is_zero && req->noreply);
    if (!valid) {
      return Error(req,
                   "CLIENT_ERROR bad command line format.  "
                   "Usage: delete <key> [noreply]",
                   true);
    }
  }
  if (t.token[1].size() > kMaxKeyLength) return Error(req, kBadFormat, true);
  req->keys.push_back(t.token[1]);
  return Message();
}

LineResult TextLineParser::ParseArithmetic(TextCommand command,
                                           TextRequest* req) {
  const TextTokens& t = tokens_;
  req->command = command;
  req->noreply = LastIsNoreply(t);
  if (t.token[1].size() > kMaxKeyLength) return Error(req, kBadFormat, true);
  if (!SafeStrtoull(t.token[2], &req->delta)) {
    return Error(req, "CLIENT_ERROR invalid numeric delta argument", true);
  }
  req->keys.push_back(t.token[1]);
  return Message();
}

LineResult TextLineParser::ParseTouch(TextRequest* req) {
  const TextTokens& t = tokens_;
  req->command = TextCommand::kTouch;
  req->noreply = LastIsNoreply(t);
  if (t.token[1].size() > kMaxKeyLength) return Error(req, kBadFormat, true);
  int32_t exptime;
  if (!SafeStrtol(t.token[2], &exptime)) return Error(req, kBadExptime, true);
  req->exptime = exptime;
  req->keys.push_back(t.token[1]);
  return Message();
}

LineResult TextLineParser::ParseFlushAll(TextRequest* req) {
  const TextTokens& t = tokens_;
  req->command = TextCommand::kFlushAll;
  req->noreply = LastIsNoreply(t);
  // Like memcached: with one argument besides an optional noreply, the
  // first argument is the delay; a third token is ignored.
  if (t.ntokens() != (req->noreply ? 3u : 2u)) {
    int32_t exptime;
    if (!SafeStrtol(t.token[1], &exptime)) return Error(req, kBadExptime, true);
    req->exptime = exptime;
    req->has_exptime = true;
  }
  return Message();
}

LineResult TextLineParser::ParseVerbosity(TextRequest* req) {
  const TextTokens& t = tokens_;
  req->command = TextCommand::kVerbosity;
  req->noreply = LastIsNoreply(t);
  uint32_t level;
  if (!SafeStrtoul(t.token[1], &level)) return Error(req, kBadFormat, true);
  req->delta = level;
  for (size_t i = 1; i < t.count; ++i) req->args.push_back(t.token[i]);
  return Message();
}

LineResult TextLineParser::ParseMemlimit(TextRequest* req) {
  const TextTokens& t = tokens_;
  req->command = TextCommand::kCacheMemlimit;
  req->noreply = LastIsNoreply(t);
  uint32_t megabytes;
  if (!SafeStrtoul(t.token[1], &megabytes)) return Error(req, "ERROR", true);
  req->delta = megabytes;
  return Message();
}

LineResult TextLineParser::WithArgs(TextCommand command, TextRequest* req) {
  const TextTokens& t = tokens_;
  req->command = command;
  for (size_t i = 1; i < t.count; ++i) req->args.push_back(t.token[i]);
  if (command == TextCommand::kAdmin) req->noreply = LastIsNoreply(t);
  return Message();
}

}  // namespace codec
