// Parsing of the meta commands (mg ms md ma mn me) with memcached 1.6.18's
// checks and error strings, including its per-command differences (e.g. mg
// says "options flags are too long", ms/md/ma "options flags too long"; md
// and ma report any flag error as "invalid or duplicate flag").
#ifndef CODEC_META_COMMAND_PARSER_H_
#define CODEC_META_COMMAND_PARSER_H_

#include "codec/text_codec_options.h"
#include "codec/text_line_parser.h"
#include "codec/text_request.h"
#include "codec/text_tokenizer.h"

namespace codec {

// `t.token[0]` is a two-byte command starting with 'm'.
LineResult ParseMetaCommand(const TextTokens& t, const TextCodecOptions& o,
                            TextRequest* req);

}  // namespace codec

#endif  // CODEC_META_COMMAND_PARSER_H_
