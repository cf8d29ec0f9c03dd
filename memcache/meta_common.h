// Helpers shared by the meta command files (meta_commands.cc,
// meta_arithmetic.cc): request parsing and the echoed reply flags.
// Internal to memcache/.
#ifndef MEMCACHE_META_COMMON_H_
#define MEMCACHE_META_COMMON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "codec/meta_flags.h"
#include "codec/text_request.h"
#include "memcache/reply_writer.h"
#include "sock/buffer.h"
#include "sock/codec_handler.h"

namespace memcache {
namespace meta {

constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kOpaqueTooLong = "CLIENT_ERROR opaque token too long";

// A meta request's options (parsed by the codec) and its decoded key.
struct Meta {
  codec::MetaOptions opts;
  std::string_view key;      // decoded; valid while the request is
  std::string_view raw_key;  // as sent
  std::string decoded;       // storage for a base64 key
};

// An error line: sent even in quiet mode (memcached's out_errstring).
sock::HandleResult Error(sock::Buffer* out, std::string_view line);

// Fills *m from the request and decodes a base64 key. Returns false after
// writing the error reply.
bool ParseMeta(const codec::TextRequest& req, Meta* m, sock::Buffer* out);

// An O token longer than memcached's limit.
bool OpaqueTooLong(const codec::TextRequest& req);

// " k<key>", base64-encoded plus " b" for binary keys.
void AppendKeyFlag(ReplyLine* line, std::string_view key, bool binary);
// " O<opaque>".
void AppendOpaque(ReplyLine* line, const codec::MetaFlag& f);
// The O and k flags, which every meta reply echoes, in request order.
void AppendEcho(ReplyLine* line, const codec::TextRequest& req, std::string_view key,
                bool binary);

// TTL remaining as memcached prints it: -1 for "never".
inline int64_t RemainingTtl(int64_t exptime, int64_t now) {
  return exptime == 0 ? -1 : exptime - now;
}

}  // namespace meta
}  // namespace memcache

#endif  // MEMCACHE_META_COMMON_H_
