#include "codec/fast_reply.h"

#include <cstdint>
#include <cstring>

namespace codec {
namespace {

// Largest data block the codec accepts (codec/reply_codec.cc).
constexpr uint64_t kMaxDataBytes = uint64_t{1} << 31;

// Reads digits at s[*pos] up to (not including) the first non-digit. At
// most 19 digits, so no overflow; longer numbers are left to the codec.
bool Digits(std::string_view s, size_t* pos, uint64_t* out) {
  size_t i = *pos;
  uint64_t v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
  }
  if (i == *pos || i - *pos > 19) return false;
  *pos = i;
  *out = v;
  return true;
}

// "VALUE <key> <flags> <bytes>[ <cas>]\r\n<data>\r\n"
size_t ParseValue(std::string_view s, TextReply* r, size_t max_line) {
  size_t i = 6;  // after "VALUE "
  size_t key_start = i;
  while (i < s.size() && static_cast<unsigned char>(s[i]) > ' ') ++i;
  if (i == key_start || i >= s.size() || s[i] != ' ') return 0;
  std::string_view key = s.substr(key_start, i - key_start);
  ++i;
  uint64_t flags = 0, bytes = 0, cas = 0;
  if (!Digits(s, &i, &flags) || flags > UINT32_MAX) return 0;
  if (i >= s.size() || s[i] != ' ') return 0;
  ++i;
  if (!Digits(s, &i, &bytes) || bytes > kMaxDataBytes) return 0;
  bool has_cas = false;
  if (i < s.size() && s[i] == ' ') {
    ++i;
    if (!Digits(s, &i, &cas)) return 0;
    has_cas = true;
  }
  if (i + 1 >= s.size() || s[i] != '\r' || s[i + 1] != '\n') return 0;
  const size_t line_end = i;
  if (line_end > max_line) return 0;
  const size_t data = i + 2;
  if (s.size() - data < bytes + 2) return 0;  // the block is not all here
  const size_t data_end = data + static_cast<size_t>(bytes);
  if (s[data_end] != '\r' || s[data_end + 1] != '\n') return 0;
  r->Reset();
  r->type = ReplyType::kValue;
  r->line = s.substr(0, line_end);
  r->key = key;
  r->data = s.substr(data, static_cast<size_t>(bytes));
  r->flags = static_cast<uint32_t>(flags);
  r->cas = cas;
  r->has_cas = has_cas;
  return data_end + 2;
}

struct Word {
  std::string_view text;  // with its \r\n
  ReplyType type;
};

constexpr Word kWords[] = {
    {"END\r\n", ReplyType::kEnd},
    {"STORED\r\n", ReplyType::kStored},
    {"DELETED\r\n", ReplyType::kDeleted},
    {"NOT_FOUND\r\n", ReplyType::kNotFound},
    {"NOT_STORED\r\n", ReplyType::kNotStored},
    {"EXISTS\r\n", ReplyType::kExists},
    {"TOUCHED\r\n", ReplyType::kTouched},
};

}  // namespace

size_t ParseFastReply(std::string_view s, TextReply* r, size_t max_line) {
  if (s.size() < 5) return 0;
  if (s[0] == 'V') {
    if (s.size() < 6 || std::memcmp(s.data(), "VALUE ", 6) != 0) return 0;
    return ParseValue(s, r, max_line);
  }
  for (const Word& w : kWords) {
    if (s[0] == w.text[0] && s.size() >= w.text.size() &&
        std::memcmp(s.data(), w.text.data(), w.text.size()) == 0) {
      r->Reset();
      r->type = w.type;
      r->line = s.substr(0, w.text.size() - 2);
      return w.text.size();
    }
  }
  return 0;
}

}  // namespace codec
