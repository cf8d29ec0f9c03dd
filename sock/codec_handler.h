// CodecHandler: joins a codec to a message handler on a connection.
//
// On each OnInput it decodes every complete message in the input, hands each
// to the message handler together with one output Buffer, drains the bytes of
// each message after it is handled, and sends all the replies of the batch
// with one Send, so pipelined requests in one read cost one write.
//
// MessageHandler must provide
//   HandleResult OnMessage(Connection*, Message&, Buffer* out);
//   HandleResult OnDecodeError(Connection*, Message&, Buffer* out);
// and may keep per-connection state (one MessageHandler per connection).
//
// The Message and the reply Buffer are scratch owned by the calling thread,
// not by the connection: both are empty between OnInput calls (the codec
// resets the Message on every Decode and keeps any partial-input state in
// itself; the replies are moved out by Send), so one pair per thread serves
// every connection. With a thousand connections that keeps them in cache,
// where a pair per connection would be a handful of cache misses per
// request, and it saves their memory on every idle connection.
#ifndef SOCK_CODEC_HANDLER_H_
#define SOCK_CODEC_HANDLER_H_

#include <memory>
#include <utility>

#include "sock/codec.h"
#include "sock/connection.h"

namespace sock {

enum class HandleResult {
  kContinue,  // go on decoding
  kClose,     // flush replies so far, then close the connection
  kAbort,     // close at once, dropping replies
};

template <typename Message, typename CodecT, typename MessageHandler>
class CodecHandler : public ConnectionHandler {
 public:
  CodecHandler(CodecT codec, MessageHandler handler)
      : codec_(std::move(codec)), handler_(std::move(handler)) {}

  void OnInput(Connection* conn, Buffer* input) override {
    if (closing_) {
      input->Clear();
      return;
    }
    Scratch& scratch = ThreadScratch();
    Buffer& out = scratch.out;
    Message& message = scratch.message;  // its vectors keep their capacity
    while (!input->empty()) {
      DecodeResult r = codec_.Decode(input, &message);
      if (r.status == DecodeStatus::kNeedMore) break;
      HandleResult h = r.status == DecodeStatus::kMessage
                           ? handler_.OnMessage(conn, message, &out)
                           : handler_.OnDecodeError(conn, message, &out);
      input->Drain(r.consumed);
      if (h != HandleResult::kContinue) {
        closing_ = true;
        input->Clear();
        if (h == HandleResult::kAbort) {
          out.Clear();  // dropped: must not reach the thread's next connection
          conn->Abort();
          return;
        }
        if (!out.empty()) conn->Send(&out);
        conn->Close();
        return;
      }
      if (r.status == DecodeStatus::kError && r.consumed == 0) break;
    }
    if (!out.empty()) conn->Send(&out);
  }

  MessageHandler& handler() { return handler_; }
  CodecT& codec() { return codec_; }

 private:
  struct Scratch {
    Message message{};
    Buffer out;
  };
  static Scratch& ThreadScratch() {
    static thread_local Scratch scratch;
    return scratch;
  }

  CodecT codec_;
  MessageHandler handler_;
  bool closing_ = false;
};

}  // namespace sock

#endif  // SOCK_CODEC_HANDLER_H_
