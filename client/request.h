// Request: one client operation, described by value, built with the static
// factories below (Request::Get("k"), Request::Set("k", "v", flags, ttl), ...)
// and handed to a Client (Session or Cluster).
//
// Lifetime: a Request holds string_views. They need to stay valid only until
// Client::Submit / Async / Call returns: Submit encodes the request into the
// session's outbound buffer before it returns.
//
// Meta commands take their flags as one raw string, e.g. "v f t" for mg or
// "T30 F5" for ms. The quiet flag q is refused: quiet replies are
// suppressed, so a reply slot could not be matched to them.
#ifndef CLIENT_REQUEST_H_
#define CLIENT_REQUEST_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace client {

enum class Op : uint8_t {
  kGet, kGets, kGat, kGats, kMultiGet, kMultiGets, kMultiGat, kMultiGats,
  kSet, kAdd, kReplace, kAppend, kPrepend, kCas,
  kDelete, kIncr, kDecr, kTouch,
  kFlushAll, kVersion, kStats, kVerbosity,
  kMetaGet, kMetaSet, kMetaDelete, kMetaArithmetic, kMetaNoop,
};

const char* OpName(Op op);

// Longest key memcached accepts.
constexpr size_t kMaxKeyLength = 250;

struct Request {
  Op op = Op::kGet;
  std::string_view key;
  std::vector<std::string_view> keys;  // multi-key ops (IsMultiKey)
  std::string_view value;              // storage commands, ms
  std::string_view args;               // meta flags; stats sub-command
  uint32_t flags = 0;
  int64_t exptime = 0;                 // storage, touch, (multi-)gat(s); flush_all delay
  uint64_t cas = 0;                    // kCas
  uint64_t number = 0;                 // incr/decr delta; verbosity level
  bool has_delay = false;              // flush_all with a delay
  bool noreply = false;                // fire-and-forget (see NoReply)
  // Deadline for this request; zero means the session's default.
  std::chrono::milliseconds timeout{0};

  static Request Get(std::string_view key);
  static Request Gets(std::string_view key);
  static Request Gat(int64_t exptime, std::string_view key);
  static Request Gats(int64_t exptime, std::string_view key);
  static Request MultiGet(std::vector<std::string_view> keys);
  static Request MultiGets(std::vector<std::string_view> keys);
  // gat/gats of several keys: one command, every hit touched.
  static Request MultiGat(int64_t exptime, std::vector<std::string_view> keys);
  static Request MultiGats(int64_t exptime, std::vector<std::string_view> keys);
  static Request Set(std::string_view key, std::string_view value,
                     uint32_t flags = 0, int64_t exptime = 0);
  static Request Add(std::string_view key, std::string_view value,
                     uint32_t flags = 0, int64_t exptime = 0);
  static Request Replace(std::string_view key, std::string_view value,
                         uint32_t flags = 0, int64_t exptime = 0);
  static Request Append(std::string_view key, std::string_view value);
  static Request Prepend(std::string_view key, std::string_view value);
  static Request Cas(std::string_view key, std::string_view value, uint64_t cas,
                     uint32_t flags = 0, int64_t exptime = 0);
  static Request Delete(std::string_view key);
  static Request Incr(std::string_view key, uint64_t delta);
  static Request Decr(std::string_view key, uint64_t delta);
  static Request Touch(std::string_view key, int64_t exptime);
  static Request FlushAll();
  static Request FlushAll(int64_t delay);
  static Request Version();
  static Request Stats(std::string_view sub = {});  // "", "items", "slabs", ...
  static Request Verbosity(uint64_t level);
  static Request MetaGet(std::string_view key, std::string_view flags = "v");
  static Request MetaSet(std::string_view key, std::string_view value,
                         std::string_view flags = {});
  static Request MetaDelete(std::string_view key, std::string_view flags = {});
  static Request MetaArithmetic(std::string_view key, std::string_view flags = "v");
  static Request MetaNoop();

  // Fire-and-forget: the server sends no reply, so the request takes no reply
  // slot and completes (kOk) as soon as it is queued; errors are not reported.
  // Only for set/add/replace/append/prepend/cas/delete/incr/decr/touch/
  // flush_all/verbosity; elsewhere it is ignored.
  Request& NoReply() {
    noreply = true;
    return *this;
  }
  Request& WithTimeout(std::chrono::milliseconds t) {
    timeout = t;
    return *this;
  }

  // Whether the server sends a reply for this request.
  bool expects_reply() const;
};

// The key used for routing (empty for keyless commands and multi-gets).
inline std::string_view RoutingKey(const Request& r) { return r.key; }
bool HasKey(Op op);
// Ops that carry Request::keys (get/gets/gat/gats of several keys); the
// reply is VALUE lines for the hits, then END, collected in Result::items.
bool IsMultiKey(Op op);

// Appends the wire form of `request` to *out. On a request memcached would
// reject or misparse (bad key, meta q flag, line breaks in arguments) returns
// false with *error set and leaves *out unchanged.
bool EncodeRequest(const Request& request, std::string* out, std::string* error);

// memcached's key rule: 1..250 bytes, no spaces or control characters.
bool ValidKey(std::string_view key);

}  // namespace client

#endif  // CLIENT_REQUEST_H_
