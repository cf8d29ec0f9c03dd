#include "codec/base64.h"

#include <array>
#include <cstdint>

namespace codec {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kSkip = 0x80;

constexpr std::array<uint8_t, 256> MakeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kSkip;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = i;
  t['='] = 0;
  return t;
}
constexpr std::array<uint8_t, 256> kTable = MakeTable();

// Walks the quads of `in`; calls emit(byte) for each decoded byte. Returns
// the decoded length or 0 when memcached would reject the input.
template <typename Emit>
size_t Decode(std::string_view in, Emit&& emit) {
  size_t symbols = 0;
  for (unsigned char c : in) {
    if (kTable[c] != kSkip) ++symbols;
  }
  if (symbols == 0 || symbols % 4 != 0) return 0;
  uint8_t quad[4];
  int n = 0;
  int pad = 0;
  size_t len = 0;
  for (unsigned char c : in) {
    uint8_t v = kTable[c];
    if (v == kSkip) continue;
    if (c == '=') ++pad;
    quad[n++] = v;
    if (n < 4) continue;
    n = 0;
    uint8_t bytes[3] = {static_cast<uint8_t>((quad[0] << 2) | (quad[1] >> 4)),
                        static_cast<uint8_t>((quad[1] << 4) | (quad[2] >> 2)),
                        static_cast<uint8_t>((quad[2] << 6) | quad[3])};
    if (pad > 2) return 0;
    int keep = 3 - pad;
    for (int i = 0; i < keep; ++i) emit(static_cast<char>(bytes[i]));
    len += keep;
    if (pad > 0) break;  // anything after a padded quad is ignored
  }
  return len;
}

}  // namespace

size_t Base64DecodedLength(std::string_view in) {
  return Decode(in, [](char) {});
}

size_t Base64Decode(std::string_view in, std::string* out) {
  out->clear();
  size_t n = Decode(in, [out](char c) { out->push_back(c); });
  if (n == 0) out->clear();
  return n;
}

void Base64Encode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&in](size_t k) { return static_cast<uint8_t>(in[k]); };
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out->push_back(kAlphabet[(v >> 18) & 63]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  size_t left = in.size() - i;
  if (left == 0) return;
  uint32_t v = at(i) << 16;
  if (left == 2) v |= at(i + 1) << 8;
  out->push_back(kAlphabet[(v >> 18) & 63]);
  out->push_back(kAlphabet[(v >> 12) & 63]);
  out->push_back(left == 2 ? kAlphabet[(v >> 6) & 63] : '=');
  out->push_back('=');
}

}  // namespace codec
