#include "codec/meta_command_parser.h"

#include <climits>

#include "codec/base64.h"
#include "codec/meta_flags.h"
#include "codec/number_parse.h"

namespace codec {
namespace {

using Kind = LineResult::Kind;
using text_parse::Error;

constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kOpaqueTooLong =
    "CLIENT_ERROR opaque token too long";

bool OpaqueTooLong(const MetaOptions& m) {
  return m.opaque.size() > kMetaMaxOpaque;
}

// mg: errors in memcached's order. memcached checks the opaque length only
// while building the reply (after a T/N touch or autovivify took effect);
// we refuse it up front with the same reply.
LineResult ParseMg(const TextTokens& t, TextRequest* req) {
  req->command = TextCommand::kMetaGet;
  if (t.ntokens() < 3) return Error(req, "ERROR");
  std::string_view key = t.token[1];
  if (key.size() > kMaxKeyLength) return Error(req, kBadFormat);
  if (t.ntokens() > kMetaMaxTokens) {
    return Error(req, "CLIENT_ERROR options flags are too long");
  }
  std::string_view errstr = kBadFormat;
  if (!ParseMetaFlags(&t.token[2], t.count - 2, key, &req->meta,
                      &req->meta_flags, &errstr)) {
    return Error(req, errstr);
  }
  if (OpaqueTooLong(req->meta)) return Error(req, kOpaqueTooLong);
  req->keys.push_back(key);
  req->exptime = req->meta.ttl;
  return LineResult();
}

// md and ma share their checks; both replace any flag error by one string.
LineResult ParseMdMa(const TextTokens& t, TextRequest* req) {
  if (t.ntokens() < 3) return Error(req, "ERROR");
  std::string_view key = t.token[1];
  if (key.size() > kMaxKeyLength) return Error(req, kBadFormat);
  if (t.ntokens() > kMetaMaxTokens) {
    return Error(req, "CLIENT_ERROR options flags too long");
  }
  std::string_view errstr = kBadFormat;
  if (!ParseMetaFlags(&t.token[2], t.count - 2, key, &req->meta,
                      &req->meta_flags, &errstr)) {
    return Error(req, "CLIENT_ERROR invalid or duplicate flag");
  }
  const MetaOptions& m = req->meta;
  if (req->command == TextCommand::kMetaArithmetic) {
    switch (m.mode) {
      case 0: case 'I': case '+': case 'D': case '-':
        break;
      default:
        return Error(req, "CLIENT_ERROR invalid mode for ma M token");
    }
    req->delta = m.delta;
  }
  // memcached checks this for ma after applying the delta; see mg.
  if (OpaqueTooLong(m)) return Error(req, kOpaqueTooLong);
  req->keys.push_back(key);
  req->exptime = m.ttl;
  req->cas_unique = m.cas;
  return LineResult();
}

LineResult ParseMs(const TextTokens& t, const TextCodecOptions& o,
                   TextRequest* req) {
  req->command = TextCommand::kMetaSet;
  const size_t n = t.ntokens();
  if (n < 3) return Error(req, "ERROR");
  std::string_view key = t.token[1];
  if (key.size() > kMaxKeyLength) return Error(req, kBadFormat);
  if (n == 3) return Error(req, kBadFormat);
  if (n > kMetaMaxTokens) {
    return Error(req, "CLIENT_ERROR options flags too long");
  }
  // Until the length is known nothing can be swallowed: the data block, if
  // any, will be read as commands (as memcached does).
  int32_t vlen;
  if (!SafeStrtol(t.token[2], &vlen)) return Error(req, kBadFormat);
  if (vlen < 0 || vlen > INT_MAX - 2) return Error(req, kBadFormat);
  const uint64_t swallow = static_cast<uint64_t>(vlen) + 2;

  std::string_view errstr = kBadFormat;
  if (!ParseMetaFlags(&t.token[3], t.count - 3, key, &req->meta,
                      &req->meta_flags, &errstr)) {
    return Error(req, errstr, false, swallow);
  }
  const MetaOptions& m = req->meta;
  bool has_error = false;
  if (OpaqueTooLong(m)) {
    errstr = kOpaqueTooLong;
    has_error = true;
  }
  switch (m.mode) {
    case 0: case 'E': case 'A': case 'P': case 'R': case 'S':
      break;
    default:  // reported before a bad opaque, as memcached does
      return Error(req, "CLIENT_ERROR invalid mode for ms M token", false,
                   swallow);
  }
  if (has_error) return Error(req, errstr, false, swallow);
  req->keys.push_back(key);
  req->flags = m.client_flags;
  req->exptime = m.ttl;
  req->cas_unique = m.cas;
  size_t nkey = m.base64_key ? Base64DecodedLength(key) : key.size();
  if (text_parse::ItemTooLarge(o, nkey, m.client_flags, vlen)) {
    req->too_large = true;
    return Error(req, "SERVER_ERROR object too large for cache", false,
                 swallow);
  }
  LineResult r;
  r.kind = Kind::kNeedData;
  r.data_length = static_cast<size_t>(vlen);
  return r;
}

LineResult ParseMe(const TextTokens& t, TextRequest* req) {
  req->command = TextCommand::kMetaDebug;
  if (t.ntokens() < 3 || t.token[1].size() > kMaxKeyLength) {
    return Error(req, kBadFormat);
  }
  std::string_view key = t.token[1];
  if (t.ntokens() >= 4 && t.token[2] == "b") {
    req->meta.base64_key = true;
    if (Base64DecodedLength(key) == 0) return Error(req, kBadFormat);
  }
  req->keys.push_back(key);
  for (size_t i = 2; i < t.count; ++i) req->args.push_back(t.token[i]);
  return LineResult();
}

}  // namespace

LineResult ParseMetaCommand(const TextTokens& t, const TextCodecOptions& o,
                            TextRequest* req) {
  switch (t.token[0][1]) {
    case 'g':
      return ParseMg(t, req);
    case 's':
      return ParseMs(t, o, req);
    case 'd':
      req->command = TextCommand::kMetaDelete;
      return ParseMdMa(t, req);
    case 'a':
      req->command = TextCommand::kMetaArithmetic;
      return ParseMdMa(t, req);
    case 'n':  // "mn" answers MN whatever follows
      req->command = TextCommand::kMetaNoop;
      return LineResult();
    case 'e':
      return ParseMe(t, req);
    default:
      return Error(req, "ERROR");
  }
}

}  // namespace codec
