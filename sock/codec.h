// Codec: the interface between bytes and messages.
//
// A codec is a resumable decoder fed whatever bytes have arrived. It never
// blocks and never consumes a partial message: each Decode call looks at the
// front of the input and reports one of
//   kMessage  - a complete message; `consumed` bytes make it up. Views inside
//               the message point into the input and stay valid until the
//               caller drains those bytes (after handling the message).
//   kNeedMore - not enough bytes yet; nothing is consumed.
//   kError    - a protocol error; `consumed` bytes should be skipped (maybe 0
//               when the connection is to be closed) and the message holds
//               whatever the codec could tell about the error.
// Codecs keep per-connection state (e.g. bytes of a value still to swallow),
// so each connection owns its own codec instance.
#ifndef SOCK_CODEC_H_
#define SOCK_CODEC_H_

#include <cstddef>

#include "sock/buffer.h"

namespace sock {

enum class DecodeStatus { kMessage, kNeedMore, kError };

struct DecodeResult {
  DecodeStatus status = DecodeStatus::kNeedMore;
  size_t consumed = 0;
};

template <typename Message>
class Codec {
 public:
  virtual ~Codec() = default;
  virtual DecodeResult Decode(Buffer* input, Message* message) = 0;
};

}  // namespace sock

#endif  // SOCK_CODEC_H_
