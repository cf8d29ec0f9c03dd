// Base64 as memcached 1.6.18 applies it to binary meta-command keys (the 'b'
// flag): decoding skips bytes outside the alphabet, requires the count of
// alphabet bytes ('=' included) to be a positive multiple of 4, and stops
// after the first quad holding padding (more than two '=' in it is invalid).
// A result of 0 bytes means failure, as in memcached.
#ifndef CODEC_BASE64_H_
#define CODEC_BASE64_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace codec {

// Length Base64Decode would produce, without writing it; 0 if invalid.
size_t Base64DecodedLength(std::string_view in);
// Decodes `in` into `out` (replacing its contents); returns the decoded
// length, 0 (and `out` empty) if `in` is invalid.
size_t Base64Decode(std::string_view in, std::string* out);
// Standard padded encoding (what memcached sends back for binary keys).
void Base64Encode(std::string_view in, std::string* out);

}  // namespace codec

#endif  // CODEC_BASE64_H_
