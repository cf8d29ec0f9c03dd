// LineCodec: splits a byte stream into lines ending in "\r\n" or a bare "\n".
//
// The simplest codec (used by the echo server and as a template for others).
// Decode never consumes a partial line. A line longer than max_line_length
// (not counting its terminator) is a kError with error "line too long"; the
// bytes are not consumed (consumed == 0) when no terminator has arrived yet,
// so the handler is expected to close the connection.
//
// Lifetime: LineMessage::line points into the input Buffer and is valid until
// the caller drains the `consumed` bytes (after handling the message).
#ifndef CODEC_LINE_CODEC_H_
#define CODEC_LINE_CODEC_H_

#include <cstddef>
#include <string_view>

#include "sock/buffer.h"
#include "sock/codec.h"

namespace codec {

struct LineMessage {
  std::string_view line;   // without the "\r\n" / "\n"
  std::string_view error;  // set on kError (a static string)
};

class LineCodec : public sock::Codec<LineMessage> {
 public:
  static constexpr size_t kDefaultMaxLineLength = 8192;

  explicit LineCodec(size_t max_line_length = kDefaultMaxLineLength)
      : max_line_length_(max_line_length) {}

  sock::DecodeResult Decode(sock::Buffer* input, LineMessage* message) override;

  size_t max_line_length() const { return max_line_length_; }

 private:
  size_t max_line_length_;
};

}  // namespace codec

#endif  // CODEC_LINE_CODEC_H_
