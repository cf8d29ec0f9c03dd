// ApplyReply: folds one decoded reply element (codec::TextReply) into the
// Result of the request it answers. Retrieval and stats replies take several
// elements; everything else completes with one.
//
// Pure function of its inputs (no I/O, no locks): the session calls it on its
// loop thread for the request at the head of its in-flight queue.
#ifndef CLIENT_REPLY_ASSEMBLER_H_
#define CLIENT_REPLY_ASSEMBLER_H_

#include "client/request.h"
#include "client/result.h"
#include "codec/text_reply.h"

namespace client {

enum class ApplyOutcome {
  kMore,      // the request needs more elements
  kDone,      // *result is complete
  kMismatch,  // this element cannot answer this request: the stream is out of sync
};

// Sets the status a reply starts from (a single-key get is a miss until a
// VALUE arrives). Call once before the first ApplyReply.
void PrepareResult(Op op, Result* result);

ApplyOutcome ApplyReply(Op op, const codec::TextReply& reply, Result* result);

// Reads the f (client flags) and c (cas) return flags of a meta reply.
void ParseMetaReturnFlags(std::string_view flags, Result* result);

}  // namespace client

#endif  // CLIENT_REPLY_ASSEMBLER_H_
