#include "memcache/meta_common.h"

#include "codec/base64.h"
#include "memcache/command_metrics.h"
#include "memcache/item.h"

namespace memcache {
namespace meta {

// An error line: sent even in quiet mode (memcached's out_errstring).
sock::HandleResult Error(sock::Buffer* out, std::string_view line) {
  NoteResult(CommandResult::kError);
  AppendLine(out, line);
  return sock::HandleResult::kContinue;
}

// Takes the options the codec parsed (it already rejected bad flags with
// memcached's messages) and decodes a base64 key. Returns false after
// writing the error reply.
bool ParseMeta(const codec::TextRequest& req, Meta* m, sock::Buffer* out) {
  // Every early return below is an error reply.
  if (req.keys.empty()) {
    NoteResult(CommandResult::kError);
    AppendLine(out, "ERROR");
    return false;
  }
  m->opts = req.meta;
  m->raw_key = req.keys[0];
  if (m->raw_key.size() > Item::kMaxKeyLength) {
    NoteResult(CommandResult::kError);
    AppendLine(out, kBadFormat);
    return false;
  }
  m->key = m->raw_key;
  if (m->opts.base64_key) {
    if (codec::Base64Decode(m->raw_key, &m->decoded) == 0) {
      NoteResult(CommandResult::kError);
      AppendLine(out, "CLIENT_ERROR error decoding key");
      return false;
    }
    m->key = m->decoded;
  }
  return true;
}

bool OpaqueTooLong(const codec::TextRequest& req) {
  for (const codec::MetaFlag& f : req.meta_flags) {
    if (f.letter == 'O' && f.token.size() + 1 > codec::kMetaMaxOpaque) return true;
  }
  return false;
}

// " k<key>", base64-encoded plus " b" for binary keys.
void AppendKeyFlag(ReplyLine* line, std::string_view key, bool binary) {
  line->Append(" k");
  if (!binary) {
    line->Append(key);
    return;
  }
  std::string encoded;
  codec::Base64Encode(key, &encoded);
  line->Append(encoded).Append(" b");
}

void AppendOpaque(ReplyLine* line, const codec::MetaFlag& f) {
  line->Append(" O").Append(f.token);
}

// The O and k flags, which every meta reply echoes.
void AppendEcho(ReplyLine* line, const codec::TextRequest& req, std::string_view key,
                bool binary) {
  for (const codec::MetaFlag& f : req.meta_flags) {
    if (f.letter == 'O') AppendOpaque(line, f);
    if (f.letter == 'k') AppendKeyFlag(line, key, binary);
  }
}

}  // namespace meta
}  // namespace memcache
