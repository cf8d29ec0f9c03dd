#include "codec/meta_flags.h"

#include <bitset>

#include "codec/base64.h"
#include "codec/number_parse.h"
#include "codec/text_request.h"

namespace codec {
namespace {

constexpr std::string_view kBadToken =
    "CLIENT_ERROR bad token in command line format";

}  // namespace

bool ParseMetaFlags(const std::string_view* flags, size_t nflags,
                    std::string_view key, MetaOptions* o,
                    std::vector<MetaFlag>* out_flags,
                    std::string_view* errstr) {
  std::bitset<127> seen;
  bool has_error = false;
  for (size_t i = 0; i < nflags; ++i) {
    std::string_view tok = flags[i];
    uint8_t letter = static_cast<uint8_t>(tok[0]);
    // memcached reports a byte >= 127 as a duplicate, not as invalid.
    if (letter >= 127 || seen[letter]) {
      *errstr = "CLIENT_ERROR duplicate flag";
      return false;
    }
    seen[letter] = true;
    std::string_view arg = tok.substr(1);
    switch (letter) {
      case 'b':
        o->base64_key = true;
        if (Base64DecodedLength(key) == 0) {
          *errstr = "CLIENT_ERROR error decoding key";
          has_error = true;
        }
        break;
      case 'N':
        o->locked = o->vivify = true;
        if (!SafeStrtol(arg, &o->autoviv_ttl)) {
          *errstr = kBadToken;
          has_error = true;
        }
        break;
      case 'T':
        o->locked = true;
        if (!SafeStrtol(arg, &o->ttl)) {
          *errstr = kBadToken;
          has_error = true;
        } else {
          o->has_ttl = true;
        }
        break;
      case 'R':
        o->locked = true;
        if (!SafeStrtol(arg, &o->recache_ttl)) {
          *errstr = kBadToken;
          has_error = true;
        } else {
          o->has_recache = true;
        }
        break;
      case 'l':
      case 'h':
        o->locked = true;
        break;
      case 'O':
        o->opaque = tok;
        break;
      case 'P':
      case 'L':
      case 'k':
      case 's':
      case 't':
      case 'c':
      case 'f':
        break;
      case 'v':
        o->return_value = true;
        break;
      case 'u':
        o->no_update = true;
        break;
      case 'q':
        o->quiet = true;
        break;
      case 'F':
        // memcached leaves errstr untouched here.
        if (!SafeStrtoul(arg, &o->client_flags)) {
          has_error = true;
        } else {
          o->has_flags = true;
        }
        break;
      case 'C':
        if (!SafeStrtoull(arg, &o->cas)) {
          *errstr = kBadToken;
          has_error = true;
        } else {
          o->has_cas = true;
        }
        break;
      case 'M':
        if (tok.size() != 2) {
          *errstr = "CLIENT_ERROR incorrect length for M token";
          has_error = true;
        } else {
          o->mode = tok[1];
        }
        break;
      case 'J':
        if (!SafeStrtoull(arg, &o->initial)) {
          *errstr = "CLIENT_ERROR invalid numeric initial value";
          has_error = true;
        } else {
          o->has_initial = true;
        }
        break;
      case 'D':
        if (!SafeStrtoull(arg, &o->delta)) {
          *errstr = "CLIENT_ERROR invalid numeric delta value";
          has_error = true;
        } else {
          o->has_delta = true;
        }
        break;
      case 'I':
        o->set_stale = true;
        break;
      default:
        *errstr = "CLIENT_ERROR invalid flag";
        return false;
    }
    out_flags->push_back(MetaFlag{static_cast<char>(letter), arg});
  }
  return !has_error;
}

}  // namespace codec
