#include "codec/line_codec.h"

namespace codec {

sock::DecodeResult LineCodec::Decode(sock::Buffer* input, LineMessage* message) {
  message->line = {};
  message->error = {};
  sock::DecodeResult result;
  // A legal line plus "\r\n" fits in max + 2 bytes, so never scan further:
  // a client sending no newline cannot make us scan (or buffer) forever.
  const size_t limit = max_line_length_ + 2;
  size_t newline = input->FindNewline(limit);
  if (newline == sock::Buffer::kNpos) {
    if (input->size() < limit) return result;  // kNeedMore
    // limit bytes without "\n": the line is too long whatever comes next.
    result.status = sock::DecodeStatus::kError;
    message->error = "line too long";
    return result;
  }
  std::string_view bytes = input->Peek(newline + 1);
  size_t length = newline;
  if (length > 0 && bytes[length - 1] == '\r') --length;
  result.consumed = newline + 1;
  if (length > max_line_length_) {
    result.status = sock::DecodeStatus::kError;
    message->error = "line too long";
    return result;
  }
  result.status = sock::DecodeStatus::kMessage;
  message->line = bytes.substr(0, length);
  return result;
}

}  // namespace codec
