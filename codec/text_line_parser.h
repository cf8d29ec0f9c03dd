// TextLineParser: turns one complete command line of memcached's text
// protocol into a TextRequest, deciding exactly what memcached 1.6.18 would
// accept or answer for it. Used by TextCodec, which owns the framing (line
// search, data blocks, swallowing); not thread-safe, one per codec.
//
// Views stored in the request point into `line`.
#ifndef CODEC_TEXT_LINE_PARSER_H_
#define CODEC_TEXT_LINE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "codec/text_codec_options.h"
#include "codec/text_request.h"
#include "codec/text_tokenizer.h"

namespace codec {

// The verdict on one line.
struct LineResult {
  enum class Kind {
    kMessage,   // complete request
    kNeedData,  // storage header: `data_length` bytes + \r\n must follow
    kError,     // request->error holds the reply ("" when suppressed by
                // noreply); then discard `swallow` bytes after the line
    kClose,     // memcached closes the connection without a reply
  };
  Kind kind = Kind::kMessage;
  size_t data_length = 0;
  uint64_t swallow = 0;
};

class TextLineParser {
 public:
  explicit TextLineParser(const TextCodecOptions& options)
      : options_(options) {}

  // `line` has no \r\n and is already cut at its first NUL byte.
  LineResult Parse(std::string_view line, TextRequest* req);

  const TextCodecOptions& options() const { return options_; }

 private:
  LineResult ParseGet(TextCommand command, bool touch, TextRequest* req);
  LineResult ParseUpdate(TextCommand command, bool cas, TextRequest* req);
  LineResult ParseDelete(TextRequest* req);
  LineResult ParseArithmetic(TextCommand command, TextRequest* req);
  LineResult ParseTouch(TextRequest* req);
  LineResult ParseFlushAll(TextRequest* req);
  LineResult ParseVerbosity(TextRequest* req);
  LineResult ParseMemlimit(TextRequest* req);
  LineResult WithArgs(TextCommand command, TextRequest* req);
  LineResult ParseOther(TextRequest* req);

  TextCodecOptions options_;
  TextTokens tokens_;
};

// Helpers shared with the meta-command parser.
namespace text_parse {

// Sets req->error (or nothing when `suppressible` and req->noreply).
LineResult Error(TextRequest* req, std::string_view reply,
                 bool suppressible = false, uint64_t swallow = 0);

// Whether an item of this shape exceeds the configured item size.
bool ItemTooLarge(const TextCodecOptions& o, size_t nkey, uint32_t flags,
                  int64_t data_length);

}  // namespace text_parse

}  // namespace codec

#endif  // CODEC_TEXT_LINE_PARSER_H_
