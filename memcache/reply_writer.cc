#include "memcache/reply_writer.h"

#include <glog/logging.h>

#include <charconv>
#include <cstring>
#include <string>

namespace memcache {

namespace {

// Values shorter than this are copied into the output instead of referenced:
// a reference costs an evbuffer chain entry, a heap-held item reference and a
// cleanup call, which outweighs copying a few dozen bytes.
constexpr size_t kReferenceMinBytes = 64;

}  // namespace

ReplyLine& ReplyLine::Append(std::string_view s) {
  CHECK_LE(len_ + s.size(), kCapacity) << "reply line overflow";
  std::memcpy(buf_ + len_, s.data(), s.size());
  len_ += s.size();
  return *this;
}

ReplyLine& ReplyLine::Append(char c) {
  CHECK_LT(len_, kCapacity) << "reply line overflow";
  buf_[len_++] = c;
  return *this;
}

ReplyLine& ReplyLine::AppendUint(uint64_t v) {
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof(tmp), v);
  return Append(std::string_view(tmp, r.ptr - tmp));
}

ReplyLine& ReplyLine::AppendInt(int64_t v) {
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof(tmp), v);
  return Append(std::string_view(tmp, r.ptr - tmp));
}

ReplyLine& ReplyLine::Flag(char letter, std::string_view token) {
  Append(' ');
  Append(letter);
  return Append(token);
}

ReplyLine& ReplyLine::FlagUint(char letter, uint64_t v) {
  Append(' ');
  Append(letter);
  return AppendUint(v);
}

ReplyLine& ReplyLine::FlagInt(char letter, int64_t v) {
  Append(' ');
  Append(letter);
  return AppendInt(v);
}

void ReplyLine::Finish(sock::Buffer* out) {
  Append("\r\n");
  out->Append(buf_, len_);
}

void AppendLine(sock::Buffer* out, std::string_view line) {
  char tmp[256];
  if (line.size() + 2 <= sizeof(tmp)) {
    std::memcpy(tmp, line.data(), line.size());
    tmp[line.size()] = '\r';
    tmp[line.size() + 1] = '\n';
    out->Append(tmp, line.size() + 2);
  } else {
    out->Append(line);
    out->Append("\r\n");
  }
}

void AppendValueLine(sock::Buffer* out, const ItemRef& item) {
  std::string_view value = item->value();
  if (value.size() < kReferenceMinBytes) {
    char line[kReferenceMinBytes + 2];
    std::memcpy(line, value.data(), value.size());
    line[value.size()] = '\r';
    line[value.size() + 1] = '\n';
    out->Append(line, value.size() + 2);
    return;
  }
  // The buffer's reference is handed to the cleanup callback, which drops
  // it once the bytes are written (or the connection is gone). Items do not
  // store the CRLF; it is copied after the reference.
  ItemRef ref = item;
  out->AppendReference(value.data(), value.size(), &Item::ReleaseCallback,
                       ref.Detach());
  out->Append("\r\n", 2);
}

}  // namespace memcache
