// ParseFastReply: a fast path for the reply elements a busy client sees most
// (VALUE blocks, END, STORED, DELETED, NOT_FOUND, NOT_STORED, EXISTS,
// TOUCHED), parsed straight from contiguous bytes in one pass.
//
// Why: ReplyCodec's general parser handles every reply and every way bytes
// can arrive, at the price of an evbuffer search, pull-up and drain per
// element and of classifying a VALUE line twice; for multi-gets that was a
// third of the client's CPU. This parser accepts only the canonical form
// memcached sends (single spaces, \r\n, plain digits) of a complete element,
// and produces exactly the TextReply the general parser would. Anything else,
// including an element cut short by the end of `bytes`, returns 0 and
// ReplyCodec::Decode falls back to the general parser, which stays the
// authority.
//
// Not for stats replies (inside them, VALUE and STORED are ordinary lines).
// Pure function; the views in *reply point into `bytes`.
#ifndef CODEC_FAST_REPLY_H_
#define CODEC_FAST_REPLY_H_

#include <cstddef>
#include <limits>
#include <string_view>

#include "codec/text_reply.h"

namespace codec {

// Returns the bytes the element takes (line, data block and their \r\n), or
// 0 when the fast path does not apply. On 0, *reply is untouched. A line
// longer than `max_line` (without its \r\n) is left to the general parser,
// which rejects it (ReplyCodec's max_line).
size_t ParseFastReply(std::string_view bytes, TextReply* reply,
                      size_t max_line = std::numeric_limits<size_t>::max());

}  // namespace codec

#endif  // CODEC_FAST_REPLY_H_
