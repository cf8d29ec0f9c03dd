// Splits a memcached text command line into tokens the way 1.6.18's
// tokenize_command() does: tokens are maximal runs of non-' ' bytes (only
// the space byte separates; tabs and other bytes belong to tokens), and at
// most kMaxTokens tokens are taken. If more follow, `rest` views the
// unprocessed tail (which get-type commands keep tokenizing for keys; other
// commands ignore it). Views point into the line and live as long as it.
#ifndef CODEC_TEXT_TOKENIZER_H_
#define CODEC_TEXT_TOKENIZER_H_

#include <array>
#include <cstddef>
#include <string_view>

namespace codec {

struct TextTokens {
  // memcached's MAX_TOKENS is 24 including its terminal pseudo-token.
  static constexpr size_t kMaxTokens = 23;

  std::array<std::string_view, kMaxTokens> token;
  size_t count = 0;
  // Non-empty only when tokenizing stopped at kMaxTokens with bytes left
  // (memcached's non-NULL terminal token).
  std::string_view rest;

  // memcached's `ntokens` (real tokens plus the terminal one).
  size_t ntokens() const { return count + 1; }
};

// Tokenizes `line` (already cut at its first NUL byte and without \r\n).
void TokenizeCommand(std::string_view line, TextTokens* out);

// Calls fn(token) for every space-separated token of `s`, in order.
template <typename Fn>
void ForEachToken(std::string_view s, Fn&& fn) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    while (i < n && s[i] == ' ') ++i;
    size_t start = i;
    while (i < n && s[i] != ' ') ++i;
    if (i > start) fn(s.substr(start, i - start));
  }
}

}  // namespace codec

#endif  // CODEC_TEXT_TOKENIZER_H_
