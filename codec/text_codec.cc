#include "codec/text_codec.h"

#include <event2/buffer.h>
#include <glog/logging.h>

#include <algorithm>
#include <cstring>

namespace codec {

using sock::DecodeResult;
using sock::DecodeStatus;

namespace {

constexpr size_t kNpos = sock::Buffer::kNpos;

DecodeResult NeedMore() { return {DecodeStatus::kNeedMore, 0}; }

// Offset of the first '\n' in [from, limit) of `buf`, or kNpos.
size_t SearchNewline(evbuffer* buf, size_t from, size_t limit) {
  if (from >= limit) return kNpos;
  evbuffer_ptr start;
  evbuffer_ptr end;
  if (evbuffer_ptr_set(buf, &start, from, EVBUFFER_PTR_SET) != 0 ||
      evbuffer_ptr_set(buf, &end, limit, EVBUFFER_PTR_SET) != 0) {
    return kNpos;
  }
  evbuffer_ptr hit = evbuffer_search_range(buf, "\n", 1, &start, &end);
  return hit.pos < 0 ? kNpos : static_cast<size_t>(hit.pos);
}

// The command line inside `raw` (which ends with '\n'), as memcached sees
// it: a \r before the \n is dropped (unless it is the only byte), and the
// line ends at its first NUL because memcached tokenizes a C string.
std::string_view CommandLine(std::string_view raw) {
  std::string_view line = raw.substr(0, raw.size() - 1);
  if (line.size() > 1 && line.back() == '\r') line.remove_suffix(1);
  const void* nul = memchr(line.data(), '\0', line.size());
  if (nul != nullptr) {
    line = line.substr(0, static_cast<const char*>(nul) - line.data());
  }
  return line;
}

}  // namespace

DecodeResult TextCodec::Decode(sock::Buffer* input, TextRequest* request) {
  request->Reset();
  if (swallow_ > 0 && !DrainSwallow(input)) return NeedMore();
  const size_t size = input->size();
  if (size < seen_size_) {
    // Someone drained behind our back: forget what we knew of the front.
    scanned_ = 0;
    pending_total_ = 0;
  }
  seen_size_ = size;
  if (size == 0) return NeedMore();
  if (pending_total_ > size) return NeedMore();
  bool close = false;
  size_t newline = FindLineEnd(input, &close);
  if (close) return Close(request);
  if (newline == kNpos) return NeedMore();
  return ParseLine(input, newline, request);
}

bool TextCodec::DrainSwallow(sock::Buffer* input) {
  uint64_t n = std::min<uint64_t>(swallow_, input->size());
  input->Drain(static_cast<size_t>(n));
  swallow_ -= n;
  scanned_ = 0;
  pending_total_ = 0;
  seen_size_ = 0;
  return swallow_ == 0;
}

size_t TextCodec::FindLineEnd(sock::Buffer* input, bool* close) {
  const size_t size = input->size();
  const size_t max_line = parser_.options().max_line_length;
  const size_t limit = std::min(size, max_line + 1);
  size_t newline = SearchNewline(input->raw(), std::min(scanned_, limit),
                                 limit);
  if (newline != kNpos) {
    scanned_ = 0;
    // memcached gives up on a line once more than 2048 bytes arrived
    // without a '\n', unless it looks like a multiget. We judge by the
    // line's length so that the verdict does not depend on how the bytes
    // were split into reads.
    if (newline > kMaxNonGetLineLength && !MayExceedShortLimit(input)) {
      *close = true;
    }
    return newline;
  }
  scanned_ = limit;
  if (size > kMaxNonGetLineLength && !MayExceedShortLimit(input)) {
    *close = true;
  } else if (size > max_line) {
    *close = true;  // our own cap; memcached would keep buffering
  }
  return kNpos;
}

bool TextCodec::MayExceedShortLimit(const sock::Buffer* input) const {
  // memcached: at most 100 leading spaces, then "get " or "gets ".
  char head[106];
  size_t n = input->CopyOut(head, sizeof(head));
  size_t i = 0;
  while (i < n && head[i] == ' ') ++i;
  if (i > 100) return false;
  std::string_view rest(head + i, n - i);
  return rest.substr(0, 4) == "get " || rest.substr(0, 5) == "gets ";
}

DecodeResult TextCodec::Close(TextRequest* request) {
  LOG_EVERY_N(WARNING, 100)
      << "text codec: closing a connection that sent an overlong or HTTP "
         "command line";
  request->error = {};
  request->close_after_error = true;
  scanned_ = 0;
  pending_total_ = 0;
  return {DecodeStatus::kError, 0};
}

DecodeResult TextCodec::ParseLine(sock::Buffer* input, size_t newline,
                                  TextRequest* request) {
  const size_t line_bytes = newline + 1;
  std::string_view raw = input->Peek(line_bytes);
  LineResult r = parser_.Parse(CommandLine(raw), request);
  VLOG(3) << "text codec: " << request->line;
  switch (r.kind) {
    case LineResult::Kind::kMessage:
      return {DecodeStatus::kMessage, line_bytes};
    case LineResult::Kind::kError:
      swallow_ = r.swallow;
      return {DecodeStatus::kError, line_bytes};
    case LineResult::Kind::kClose:
      return Close(request);
    case LineResult::Kind::kNeedData:
      break;
  }
  const size_t total = line_bytes + r.data_length + 2;
  if (input->size() < total) {
    pending_total_ = total;
    return NeedMore();
  }
  pending_total_ = 0;
  std::string_view all = input->Peek(total);
  if (all.data() != raw.data()) {
    // Making the data contiguous moved the line: parse it again so that the
    // request's views point at the new copy.
    request->Reset();
    r = parser_.Parse(CommandLine(all.substr(0, line_bytes)), request);
    DCHECK(r.kind == LineResult::Kind::kNeedData);
  }
  if (all[total - 2] != '\r' || all[total - 1] != '\n') {
    // memcached has read the whole block into the item and drops it; the
    // bytes after it are the next command.
    text_parse::Error(request, "CLIENT_ERROR bad data chunk", true);
    return {DecodeStatus::kError, total};
  }
  request->value = all.substr(line_bytes, r.data_length);
  return {DecodeStatus::kMessage, total};
}

}  // namespace codec
