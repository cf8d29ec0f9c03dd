// Number parsing with memcached 1.6.18's exact acceptance rules (util.c's
// safe_strto* family, which wrap strtoul/strtol on an LP64 machine).
//
// Each function parses one protocol token (a space-free view) the way
// memcached parses the NUL-terminated token in place:
//   - leading isspace() bytes are skipped, then an optional '+' or '-';
//   - at least one decimal digit is required;
//   - the digits must be followed by the end of the token or an isspace()
//     byte (tokens split only on ' ', so "5\tjunk" is accepted as 5);
//   - values outside the 64-bit range of strtoul/strtol are rejected;
//   - the unsigned parsers accept '-' (strtoul negates modulo 2^64) unless the
//     result, read as signed, is negative AND the token contains a '-': so
//     "-0" -> 0 is accepted but "-1" is rejected;
//   - the 32-bit variants truncate the 64-bit result like memcached's
//     assignments do: SafeStrtoul("4294967297") == 1, SafeStrtol likewise.
// No allocation, no locale, no errno.
#ifndef CODEC_NUMBER_PARSE_H_
#define CODEC_NUMBER_PARSE_H_

#include <cstdint>
#include <string_view>

namespace codec {

bool SafeStrtoull(std::string_view token, uint64_t* out);
bool SafeStrtoul(std::string_view token, uint32_t* out);
bool SafeStrtoll(std::string_view token, int64_t* out);
bool SafeStrtol(std::string_view token, int32_t* out);

// isspace() in the C locale.
inline bool IsCSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

}  // namespace codec

#endif  // CODEC_NUMBER_PARSE_H_
