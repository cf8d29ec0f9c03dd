// Meta-command flags (mg/ms/md/ma): the per-request options memcached 1.6.18
// derives from them in _meta_flag_preparse, with the same error precedence.
//
// A flag is one token: a letter, optionally followed by its argument glued
// to it ("T30", "Oabc"). The preparse is shared by all meta commands, so
// e.g. mg also validates a 'D' argument even though only ma uses it.
#ifndef CODEC_META_FLAGS_H_
#define CODEC_META_FLAGS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace codec {

struct MetaFlag;

// Parsed meta options. Return-value flags (k s t c f l h O v) are only
// recorded in TextRequest::meta_flags, in order; handlers walk that list to
// build the reply line in the order memcached does.
struct MetaOptions {
  bool base64_key = false;  // b: keys[0] is base64; decode with Base64Decode
  bool quiet = false;       // q: suppress the nominal reply (HD / EN / NF...)
  bool no_update = false;   // u: no LRU bump
  bool return_value = false;  // v
  bool set_stale = false;   // I: md marks stale; ms with C sets stale
  bool vivify = false;      // N<ttl>: autovivify on miss (mg, ma)
  bool has_ttl = false;     // T<ttl> given
  bool has_cas = false;     // C<cas> given
  bool has_flags = false;   // F<flags> given
  bool has_recache = false; // R<ttl> given
  bool has_initial = false; // J<n> given
  bool has_delta = false;   // D<n> given
  // mg with T/N/R/l/h: memcached locks the item and bumps it late.
  bool locked = false;
  char mode = 0;            // M<c>: ms E/A/P/R/S, ma I/+/D/-; 0 if absent
  int32_t ttl = 0;          // T, raw seconds as sent (after int32 truncation)
  int32_t autoviv_ttl = 0;  // N
  int32_t recache_ttl = 0;  // R
  uint32_t client_flags = 0;  // F
  uint64_t cas = 0;           // C
  uint64_t delta = 1;         // D (ma's default step is 1)
  uint64_t initial = 0;       // J
  std::string_view opaque;    // O: the whole token, e.g. "Oabc"

  void Reset() { *this = MetaOptions(); }
};

// memcached's limits on meta commands.
constexpr size_t kMetaMaxTokens = 20;    // MFLAG_MAX_OPT_LENGTH (ntokens)
constexpr size_t kMetaMaxOpaque = 32;    // MFLAG_MAX_OPAQUE_LENGTH (token)

// Parses `flags` (the tokens after the key, or after ms's datalen) like
// _meta_flag_preparse. `key` is the raw key token (checked for 'b').
// Appends each flag to `out_flags`. On error returns false and sets *errstr
// to the string memcached would report, starting from `errstr`'s incoming
// value (its per-command default): some failures (a bad F argument) keep it.
bool ParseMetaFlags(const std::string_view* flags, size_t nflags,
                    std::string_view key, MetaOptions* opts,
                    std::vector<MetaFlag>* out_flags, std::string_view* errstr);

}  // namespace codec

#endif  // CODEC_META_FLAGS_H_
