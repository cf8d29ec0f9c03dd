#include "client/request.h"

#include <utility>

namespace client {
namespace {

Request Make(Op op, std::string_view key) {
  Request r;
  r.op = op;
  r.key = key;
  return r;
}

Request Storage(Op op, std::string_view key, std::string_view value,
                uint32_t flags, int64_t exptime) {
  Request r = Make(op, key);
  r.value = value;
  r.flags = flags;
  r.exptime = exptime;
  return r;
}

bool SupportsNoReply(Op op) {
  switch (op) {
    case Op::kSet: case Op::kAdd: case Op::kReplace: case Op::kAppend:
    case Op::kPrepend: case Op::kCas: case Op::kDelete: case Op::kIncr:
    case Op::kDecr: case Op::kTouch: case Op::kFlushAll: case Op::kVerbosity:
      return true;
    default:
      return false;
  }
}

bool HasLineBreak(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

// Meta flags: space-separated tokens, each a letter plus an optional token;
// no quiet mode (its suppressed replies would desynchronise our reply queue).
bool ValidMetaFlags(std::string_view flags, std::string* error) {
  if (HasLineBreak(flags)) {
    *error = "meta flags contain a line break";
    return false;
  }
  size_t i = 0;
  while (i < flags.size()) {
    if (flags[i] == ' ') {
      ++i;
      continue;
    }
    char letter = flags[i];
    if (letter == 'q') {
      *error = "meta quiet mode (q) is not supported";
      return false;
    }
    if (!((letter >= 'a' && letter <= 'z') || (letter >= 'A' && letter <= 'Z'))) {
      *error = std::string("bad meta flag '") + letter + "'";
      return false;
    }
    while (i < flags.size() && flags[i] != ' ') ++i;
  }
  return true;
}

void AppendNumber(std::string* out, uint64_t v) {
  char buf[24];
  char* p = buf + sizeof(buf);
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out->append(p, static_cast<size_t>(buf + sizeof(buf) - p));
}

void AppendSigned(std::string* out, int64_t v) {
  if (v < 0) {
    out->push_back('-');
    AppendNumber(out, static_cast<uint64_t>(-(v + 1)) + 1);
  } else {
    AppendNumber(out, static_cast<uint64_t>(v));
  }
}

void AppendNoReply(const Request& r, std::string* out) {
  if (r.noreply) out->append(" noreply");
}

}  // namespace

const char* OpName(Op op) {
  switch (op) {
    case Op::kGet: return "get";
    case Op::kGets: return "gets";
    case Op::kGat: return "gat";
    case Op::kGats: return "gats";
    case Op::kMultiGet: return "get";
    case Op::kMultiGets: return "gets";
    case Op::kMultiGat: return "gat";
    case Op::kMultiGats: return "gats";
    case Op::kSet: return "set";
    case Op::kAdd: return "add";
    case Op::kReplace: return "replace";
    case Op::kAppend: return "append";
    case Op::kPrepend: return "prepend";
    case Op::kCas: return "cas";
    case Op::kDelete: return "delete";
    case Op::kIncr: return "incr";
    case Op::kDecr: return "decr";
    case Op::kTouch: return "touch";
    case Op::kFlushAll: return "flush_all";
    case Op::kVersion: return "version";
    case Op::kStats: return "stats";
    case Op::kVerbosity: return "verbosity";
    case Op::kMetaGet: return "mg";
    case Op::kMetaSet: return "ms";
    case Op::kMetaDelete: return "md";
    case Op::kMetaArithmetic: return "ma";
    case Op::kMetaNoop: return "mn";
  }
  return "?";
}

bool HasKey(Op op) {
  switch (op) {
    case Op::kMultiGet: case Op::kMultiGets: case Op::kMultiGat: case Op::kMultiGats:
    case Op::kFlushAll:
    case Op::kVersion: case Op::kStats: case Op::kVerbosity: case Op::kMetaNoop:
      return false;
    default:
      return true;
  }
}

bool IsMultiKey(Op op) {
  return op == Op::kMultiGet || op == Op::kMultiGets || op == Op::kMultiGat ||
         op == Op::kMultiGats;
}

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  for (char c : key) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 32 || u == 127) return false;
  }
  return true;
}

Request Request::Get(std::string_view key) { return Make(Op::kGet, key); }
Request Request::Gets(std::string_view key) { return Make(Op::kGets, key); }
Request Request::Gat(int64_t exptime, std::string_view key) {
  Request r = Make(Op::kGat, key);
  r.exptime = exptime;
  return r;
}
Request Request::Gats(int64_t exptime, std::string_view key) {
  Request r = Make(Op::kGats, key);
  r.exptime = exptime;
  return r;
}
Request Request::MultiGet(std::vector<std::string_view> keys) {
  Request r = Make(Op::kMultiGet, {});
  r.keys = std::move(keys);
  return r;
}
Request Request::MultiGets(std::vector<std::string_view> keys) {
  Request r = Make(Op::kMultiGets, {});
  r.keys = std::move(keys);
  return r;
}
Request Request::MultiGat(int64_t exptime, std::vector<std::string_view> keys) {
  Request r = Make(Op::kMultiGat, {});
  r.exptime = exptime;
  r.keys = std::move(keys);
  return r;
}
Request Request::MultiGats(int64_t exptime, std::vector<std::string_view> keys) {
  Request r = Make(Op::kMultiGats, {});
  r.exptime = exptime;
  r.keys = std::move(keys);
  return r;
}
Request Request::Set(std::string_view key, std::string_view value, uint32_t flags,
                     int64_t exptime) {
  return Storage(Op::kSet, key, value, flags, exptime);
}
Request Request::Add(std::string_view key, std::string_view value, uint32_t flags,
                     int64_t exptime) {
  return Storage(Op::kAdd, key, value, flags, exptime);
}
Request Request::Replace(std::string_view key, std::string_view value,
                         uint32_t flags, int64_t exptime) {
  return Storage(Op::kReplace, key, value, flags, exptime);
}
Request Request::Append(std::string_view key, std::string_view value) {
  return Storage(Op::kAppend, key, value, 0, 0);
}
Request Request::Prepend(std::string_view key, std::string_view value) {
  return Storage(Op::kPrepend, key, value, 0, 0);
}
Request Request::Cas(std::string_view key, std::string_view value, uint64_t cas,
                     uint32_t flags, int64_t exptime) {
  Request r = Storage(Op::kCas, key, value, flags, exptime);
  r.cas = cas;
  return r;
}
Request Request::Delete(std::string_view key) { return Make(Op::kDelete, key); }
Request Request::Incr(std::string_view key, uint64_t delta) {
  Request r = Make(Op::kIncr, key);
  r.number = delta;
  return r;
}
Request Request::Decr(std::string_view key, uint64_t delta) {
  Request r = Make(Op::kDecr, key);
  r.number = delta;
  return r;
}
Request Request::Touch(std::string_view key, int64_t exptime) {
  Request r = Make(Op::kTouch, key);
  r.exptime = exptime;
  return r;
}
Request Request::FlushAll() { return Make(Op::kFlushAll, {}); }
Request Request::FlushAll(int64_t delay) {
  Request r = Make(Op::kFlushAll, {});
  r.exptime = delay;
  r.has_delay = true;
  return r;
}
Request Request::Version() { return Make(Op::kVersion, {}); }
Request Request::Stats(std::string_view sub) {
  Request r = Make(Op::kStats, {});
  r.args = sub;
  return r;
}
Request Request::Verbosity(uint64_t level) {
  Request r = Make(Op::kVerbosity, {});
  r.number = level;
  return r;
}
Request Request::MetaGet(std::string_view key, std::string_view flags) {
  Request r = Make(Op::kMetaGet, key);
  r.args = flags;
  return r;
}
Request Request::MetaSet(std::string_view key, std::string_view value,
                         std::string_view flags) {
  Request r = Make(Op::kMetaSet, key);
  r.value = value;
  r.args = flags;
  return r;
}
Request Request::MetaDelete(std::string_view key, std::string_view flags) {
  Request r = Make(Op::kMetaDelete, key);
  r.args = flags;
  return r;
}
Request Request::MetaArithmetic(std::string_view key, std::string_view flags) {
  Request r = Make(Op::kMetaArithmetic, key);
  r.args = flags;
  return r;
}
Request Request::MetaNoop() { return Make(Op::kMetaNoop, {}); }

bool Request::expects_reply() const { return !(noreply && SupportsNoReply(op)); }

bool EncodeRequest(const Request& r, std::string* out, std::string* error) {
  if (HasKey(r.op) && !ValidKey(r.key)) {
    *error = "invalid key";
    return false;
  }
  size_t start = out->size();
  const char* name = OpName(r.op);
  switch (r.op) {
    case Op::kGet: case Op::kGets:
      out->append(name).append(" ").append(r.key);
      break;
    case Op::kGat: case Op::kGats:
      out->append(name).push_back(' ');
      AppendSigned(out, r.exptime);
      out->append(" ").append(r.key);
      break;
    case Op::kMultiGet: case Op::kMultiGets: case Op::kMultiGat: case Op::kMultiGats:
      if (r.keys.empty()) {
        *error = "multi-get without keys";
        return false;
      }
      out->append(name);
      if (r.op == Op::kMultiGat || r.op == Op::kMultiGats) {
        out->push_back(' ');
        AppendSigned(out, r.exptime);
      }
      for (std::string_view k : r.keys) {
        if (!ValidKey(k)) {
          out->resize(start);
          *error = "invalid key";
          return false;
        }
        out->append(" ").append(k);
      }
      break;
    case Op::kSet: case Op::kAdd: case Op::kReplace: case Op::kAppend:
    case Op::kPrepend: case Op::kCas:
      out->append(name).append(" ").append(r.key).push_back(' ');
      AppendNumber(out, r.flags);
      out->push_back(' ');
      AppendSigned(out, r.exptime);
      out->push_back(' ');
      AppendNumber(out, r.value.size());
      if (r.op == Op::kCas) {
        out->push_back(' ');
        AppendNumber(out, r.cas);
      }
      AppendNoReply(r, out);
      out->append("\r\n").append(r.value);
      break;
    case Op::kDelete:
      out->append(name).append(" ").append(r.key);
      AppendNoReply(r, out);
      break;
    case Op::kIncr: case Op::kDecr:
      out->append(name).append(" ").append(r.key).push_back(' ');
      AppendNumber(out, r.number);
      AppendNoReply(r, out);
      break;
    case Op::kTouch:
      out->append(name).append(" ").append(r.key).push_back(' ');
      AppendSigned(out, r.exptime);
      AppendNoReply(r, out);
      break;
    case Op::kFlushAll:
      out->append(name);
      if (r.has_delay) {
        out->push_back(' ');
        AppendSigned(out, r.exptime);
      }
      AppendNoReply(r, out);
      break;
    case Op::kVersion:
      out->append(name);
      break;
    case Op::kStats:
      if (HasLineBreak(r.args)) {
        *error = "stats argument contains a line break";
        return false;
      }
      out->append(name);
      if (!r.args.empty()) out->append(" ").append(r.args);
      break;
    case Op::kVerbosity:
      out->append(name).push_back(' ');
      AppendNumber(out, r.number);
      AppendNoReply(r, out);
      break;
    case Op::kMetaGet: case Op::kMetaDelete: case Op::kMetaArithmetic:
    case Op::kMetaSet:
      if (!ValidMetaFlags(r.args, error)) return false;
      out->append(name).append(" ").append(r.key);
      if (r.op == Op::kMetaSet) {
        out->push_back(' ');
        AppendNumber(out, r.value.size());
      }
      if (!r.args.empty()) out->append(" ").append(r.args);
      if (r.op == Op::kMetaSet) out->append("\r\n").append(r.value);
      break;
    case Op::kMetaNoop:
      out->append(name);
      break;
  }
  out->append("\r\n");
  return true;
}

}  // namespace client
