// TextRequest: one decoded request of memcached's text protocol (classic and
// meta commands), as produced by TextCodec (server direction).
//
// The codec does all syntax checking: a request it returns as kMessage is
// well formed (numbers parsed, key lengths checked, data block present and
// terminated by \r\n). Semantic work (looking keys up, base64-decoding meta
// keys, building replies) belongs to the command handlers in memcache/.
//
// Lifetime: every string_view points into the connection's input buffer and is
// valid only until the bytes of this request are drained, i.e. until the
// handler returns.
#ifndef CODEC_TEXT_REQUEST_H_
#define CODEC_TEXT_REQUEST_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "codec/meta_flags.h"

namespace codec {

enum class TextCommand : uint8_t {
  kNone,
  // retrieval
  kGet, kGets, kGat, kGats,
  // storage (carry a data block)
  kSet, kAdd, kReplace, kAppend, kPrepend, kCas,
  // others
  kDelete, kIncr, kDecr, kTouch,
  kFlushAll, kVersion, kVerbosity, kQuit, kShutdown, kStats, kCacheMemlimit,
  // administrative commands memcached answers (slabs, lru, lru_crawler,
  // watch, misbehave, ...): the handler gets the tokens and decides.
  kAdmin,
  // meta
  kMetaGet, kMetaSet, kMetaDelete, kMetaArithmetic, kMetaNoop, kMetaDebug,
};

// A meta command flag: its letter and the token glued to it ("T30" -> 'T', "30").
struct MetaFlag {
  char letter = 0;
  std::string_view token;
};

struct TextRequest {
  TextCommand command = TextCommand::kNone;
  std::string_view name;  // the command word as sent
  // Tokens after the command word, in order (for kStats, kAdmin, kVerbosity...).
  std::vector<std::string_view> args;

  // get/gets/gat/gats: every key. Others: keys[0] is the key when there is one.
  std::vector<std::string_view> keys;

  uint32_t flags = 0;        // storage commands
  int64_t exptime = 0;       // storage, touch, gat/gats, flush_all delay (raw, as sent)
  bool has_exptime = false;  // flush_all with a delay argument
  uint64_t cas_unique = 0;   // cas
  uint64_t delta = 0;        // incr/decr, cache_memlimit (megabytes), verbosity level
  bool noreply = false;
  std::string_view value;    // data block of storage commands and ms, without \r\n

  std::vector<MetaFlag> meta_flags;  // meta commands, in the order sent
  MetaOptions meta;                  // meta commands: the flags, parsed

  // The command line without \r\n, cut at a NUL byte (for logging).
  std::string_view line;
  // kError "SERVER_ERROR object too large for cache" (keys[0], flags... are
  // filled): memcached also unlinks the existing item under keys[0] for
  // plain set and for ms in any mode (not for add/replace/append/prepend/cas).
  bool too_large = false;

  // For DecodeStatus::kError: the exact reply line memcached sends, without
  // \r\n (e.g. "ERROR", "CLIENT_ERROR bad data chunk"), and whether memcached
  // closes the connection after sending it. An empty error means memcached
  // sends nothing (noreply was given, or a silent close).
  std::string_view error;
  bool close_after_error = false;

  void Reset() {
    command = TextCommand::kNone;
    name = {};
    args.clear();
    keys.clear();
    flags = 0;
    exptime = 0;
    has_exptime = false;
    cas_unique = 0;
    delta = 0;
    noreply = false;
    value = {};
    meta_flags.clear();
    meta.Reset();
    line = {};
    too_large = false;
    error = {};
    close_after_error = false;
  }
};

}  // namespace codec

#endif  // CODEC_TEXT_REQUEST_H_
