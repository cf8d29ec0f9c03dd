// Decimal parsing and formatting for incr/decr, matching memcached 1.6.
//
// memcached runs strtoull over the stored value (which it keeps followed by
// "\r\n") and accepts what safe_strtoull accepts: optional leading
// whitespace, an optional sign, digits, then whitespace or the end. So "12 "
// (the space padding left by an in-place decr) is numeric, "12abc" and "-1"
// are not, and a value that overflows 64 bits is not.
#ifndef MEMCACHE_ARITH_VALUE_H_
#define MEMCACHE_ARITH_VALUE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace memcache {

// True and *out set if `value` is a number memcached would incr/decr.
bool ParseArithValue(std::string_view value, uint64_t* out);

// Writes `v` in decimal to buf (at least 20 bytes); returns the length.
size_t FormatDecimal(uint64_t v, char* buf);

}  // namespace memcache

#endif  // MEMCACHE_ARITH_VALUE_H_
