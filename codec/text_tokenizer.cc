#include "codec/text_tokenizer.h"

namespace codec {

void TokenizeCommand(std::string_view line, TextTokens* out) {
  out->count = 0;
  out->rest = {};
  size_t i = 0;
  const size_t n = line.size();
  while (i < n) {
    while (i < n && line[i] == ' ') ++i;
    size_t start = i;
    while (i < n && line[i] != ' ') ++i;
    if (i == start) break;
    out->token[out->count++] = line.substr(start, i - start);
    if (out->count == TextTokens::kMaxTokens) {
      // memcached skips exactly the one space that ended the last token; an
      // empty tail means "fully processed".
      if (i < n) out->rest = line.substr(i + 1);
      break;
    }
  }
}

}  // namespace codec
