#include "memcache/arith_value.h"

#include <cstring>

namespace memcache {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

}  // namespace

bool ParseArithValue(std::string_view value, uint64_t* out) {
  *out = 0;
  if (value.empty()) return false;  // memcached: nbytes <= 2 is non-numeric
  // strtoull sees the value as a C string followed by memcached's "\r\n":
  // it stops at a NUL, and running off the end lands on '\r' (a space).
  size_t n = value.size();
  const void* nul = std::memchr(value.data(), '\0', n);
  if (nul != nullptr) n = static_cast<const char*>(nul) - value.data();
  size_t i = 0;
  while (i < n && IsSpace(value[i])) ++i;
  bool negative = false;
  if (i < n && (value[i] == '+' || value[i] == '-')) {
    negative = value[i] == '-';
    ++i;
  }
  size_t digits_start = i;
  uint64_t magnitude = 0;
  bool overflow = false;
  while (i < n && value[i] >= '0' && value[i] <= '9') {
    uint64_t d = static_cast<uint64_t>(value[i] - '0');
    if (magnitude > (UINT64_MAX - d) / 10) overflow = true;
    magnitude = magnitude * 10 + d;
    ++i;
  }
  if (i == digits_start || overflow) return false;  // no number, or ERANGE
  // What follows must be whitespace, a NUL or the end (the stored '\r').
  if (i < n && !IsSpace(value[i])) return false;
  uint64_t result = negative ? (0 - magnitude) : magnitude;
  // safe_strtoull rejects a '-' only when the result looks negative signed.
  if (static_cast<int64_t>(result) < 0 &&
      std::memchr(value.data(), '-', n) != nullptr) {
    return false;
  }
  *out = result;
  return true;
}

size_t FormatDecimal(uint64_t v, char* buf) {
  char tmp[20];
  size_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (size_t i = 0; i < n; ++i) buf[i] = tmp[n - 1 - i];
  return n;
}

}  // namespace memcache
