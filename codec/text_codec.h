// TextCodec: the server-direction codec of memcached's text protocol
// (classic and meta commands), accepting and rejecting exactly what
// memcached 1.6.18 does, with its error strings (see doc/protocol_notes.md).
//
// Decode() looks at the front of the connection's input and returns
//   kMessage  - a request; `consumed` = command line (+ data block + \r\n
//               for storage commands and ms). request->value views the data.
//   kNeedMore - nothing consumed (or only bytes owed to a swallow, drained
//               by Decode itself).
//   kError    - request->error is memcached's reply line without \r\n; when
//               it is empty nothing is sent (noreply, or a silent close).
//               `consumed` is the bad line (or line + data for "bad data
//               chunk"); close_after_error says memcached hangs up
//               (then consumed is 0).
// After a rejected storage header whose length was valid (e.g. object too
// large), the codec drains the data block + \r\n itself as it arrives,
// without buffering it, before decoding the next command.
//
// One codec per connection, used by the connection's thread only. Views in
// the request stay valid until the caller drains `consumed` bytes. Steady
// state allocates nothing: the request's vectors keep their capacity.
#ifndef CODEC_TEXT_CODEC_H_
#define CODEC_TEXT_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "codec/text_codec_options.h"
#include "codec/text_line_parser.h"
#include "codec/text_request.h"
#include "sock/buffer.h"
#include "sock/codec.h"

namespace codec {

class TextCodec : public sock::Codec<TextRequest> {
 public:
  explicit TextCodec(const TextCodecOptions& options = TextCodecOptions())
      : parser_(options) {}

  sock::DecodeResult Decode(sock::Buffer* input, TextRequest* request) override;

  // Bytes of a rejected data block still to be discarded.
  uint64_t swallow_remaining() const { return swallow_; }
  const TextCodecOptions& options() const { return parser_.options(); }

 private:
  // Drops owed bytes; false if more are still owed.
  bool DrainSwallow(sock::Buffer* input);
  // Offset of the line's '\n', kNpos if not there yet; sets *close when the
  // line may not grow any further.
  size_t FindLineEnd(sock::Buffer* input, bool* close);
  bool MayExceedShortLimit(const sock::Buffer* input) const;
  sock::DecodeResult Close(TextRequest* request);
  sock::DecodeResult ParseLine(sock::Buffer* input, size_t newline,
                               TextRequest* request);

  TextLineParser parser_;
  uint64_t swallow_ = 0;
  // Bytes at the front already known to hold no '\n' (avoids rescanning a
  // long get line on every read).
  size_t scanned_ = 0;
  // Bytes needed before a pending storage command can complete (0: none).
  size_t pending_total_ = 0;
  // Input size at the last call (detects input drained by someone else).
  size_t seen_size_ = 0;
};

}  // namespace codec

#endif  // CODEC_TEXT_CODEC_H_
