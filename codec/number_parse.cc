#include "codec/number_parse.h"

namespace codec {
namespace {

// What strtoul/strtol see: sign, magnitude (saturated flag on overflow of
// 64 bits), and whether the byte after the digits ends the number the way
// memcached requires.
struct Scan {
  bool ok = false;        // digits present and followed by end / isspace
  bool negative = false;
  bool overflow = false;  // magnitude >= 2^64
  uint64_t magnitude = 0;
};

Scan ScanDecimal(std::string_view s) {
  Scan r;
  size_t i = 0;
  while (i < s.size() && IsCSpace(s[i])) ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    r.negative = s[i] == '-';
    ++i;
  }
  size_t digits_start = i;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (r.magnitude > (UINT64_MAX - d) / 10) r.overflow = true;
    r.magnitude = r.magnitude * 10 + d;
  }
  if (i == digits_start) return r;  // strtoul sets endptr = str: rejected
  r.ok = i == s.size() || IsCSpace(s[i]);
  return r;
}

bool HasMinus(std::string_view s) {
  return s.find('-') != std::string_view::npos;
}

}  // namespace

bool SafeStrtoull(std::string_view token, uint64_t* out) {
  *out = 0;
  Scan r = ScanDecimal(token);
  if (!r.ok || r.overflow) return false;  // ERANGE
  uint64_t v = r.negative ? (~r.magnitude + 1) : r.magnitude;
  if (static_cast<int64_t>(v) < 0 && HasMinus(token)) return false;
  *out = v;
  return true;
}

bool SafeStrtoul(std::string_view token, uint32_t* out) {
  uint64_t v;
  *out = 0;
  if (!SafeStrtoull(token, &v)) return false;
  *out = static_cast<uint32_t>(v);  // memcached assigns a long to uint32_t
  return true;
}

bool SafeStrtoll(std::string_view token, int64_t* out) {
  *out = 0;
  Scan r = ScanDecimal(token);
  if (!r.ok || r.overflow) return false;
  if (r.negative) {
    if (r.magnitude > (uint64_t{1} << 63)) return false;  // ERANGE
    *out = static_cast<int64_t>(~r.magnitude + 1);
  } else {
    if (r.magnitude > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(r.magnitude);
  }
  return true;
}

bool SafeStrtol(std::string_view token, int32_t* out) {
  int64_t v;
  *out = 0;
  if (!SafeStrtoll(token, &v)) return false;
  // memcached stores strtol's long into an int32_t: keep the low 32 bits.
  *out = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
  return true;
}

}  // namespace codec
