// ReplyCodec: the client-direction codec of memcached's text protocol. It
// decodes what a server sends (classic and meta replies) into TextReply
// elements, one per Decode call, following the sock::Codec contract: a
// partial element consumes nothing; a data block is returned only once all
// of it and its \r\n have arrived.
//
// Replies are not self-describing in one case: inside a stats reply any line
// is content (e.g. "ITEM key [1 b; 0 s]" of stats cachedump). The owner says
// what it expects next with set_context() before each Decode (the client
// session derives it from the request at the head of its in-flight queue).
//
// One ReplyCodec per connection; it keeps the size of a data block it is
// waiting for so a large value arriving in pieces is not re-parsed each time.
// Not thread-safe.
#ifndef CODEC_REPLY_CODEC_H_
#define CODEC_REPLY_CODEC_H_

#include <cstddef>

#include "codec/text_reply.h"
#include "sock/buffer.h"
#include "sock/codec.h"

namespace codec {

enum class ReplyContext : uint8_t {
  kGeneric,  // any reply; unknown lines are protocol errors
  kStats,    // inside a stats reply: unknown lines are kLine
};

class ReplyCodec : public sock::Codec<TextReply> {
 public:
  // Longest first line we wait for (VALUE header, STAT line, meta flags).
  static constexpr size_t kDefaultMaxLine = 64 << 10;

  // `fast_path`: try ParseFastReply (codec/fast_reply.h) on the contiguous
  // front of the input before the general parser. Only tests turn it off,
  // to check the two against each other.
  explicit ReplyCodec(size_t max_line = kDefaultMaxLine, bool fast_path = true)
      : max_line_(max_line), fast_path_(fast_path) {}

  void set_context(ReplyContext context) { context_ = context; }
  ReplyContext context() const { return context_; }

  // kError means the stream cannot be trusted any more (the caller should
  // close the connection); reply->line / reply->text say what was wrong.
  sock::DecodeResult Decode(sock::Buffer* input, TextReply* reply) override;

  // Forgets a partly received data block (a new connection).
  void Reset() { awaiting_ = 0; }

 private:
  sock::DecodeResult ParseLine(sock::Buffer* input, size_t line_end,
                               TextReply* reply);
  sock::DecodeResult ParseBlock(sock::Buffer* input, size_t line_end,
                                size_t data_bytes, TextReply* reply);

  size_t max_line_;
  bool fast_path_;
  ReplyContext context_ = ReplyContext::kGeneric;
  size_t awaiting_ = 0;  // total bytes of the element whose data is arriving
};

}  // namespace codec

#endif  // CODEC_REPLY_CODEC_H_
