#include "codec/reply_codec.h"

#include <string_view>

#include "codec/fast_reply.h"

namespace codec {
namespace {

using sock::DecodeResult;
using sock::DecodeStatus;

// Splits off the next space-separated token of *rest.
std::string_view NextToken(std::string_view* rest) {
  size_t start = rest->find_first_not_of(' ');
  if (start == std::string_view::npos) {
    *rest = {};
    return {};
  }
  size_t end = rest->find(' ', start);
  std::string_view token = rest->substr(start, end == std::string_view::npos
                                                    ? std::string_view::npos
                                                    : end - start);
  *rest = end == std::string_view::npos ? std::string_view() : rest->substr(end + 1);
  return token;
}

std::string_view TrimLeft(std::string_view s) {
  size_t start = s.find_first_not_of(' ');
  return start == std::string_view::npos ? std::string_view() : s.substr(start);
}

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool IsNumber(std::string_view s) {
  uint64_t ignored;
  return ParseU64(s, &ignored);
}

// Largest data block we accept; memcached's item size limit is far below.
constexpr uint64_t kMaxDataBytes = uint64_t{1} << 31;

// Fills *r from one line (without \r\n). For elements with a data block sets
// *data_bytes to its size (without \r\n). Returns false on a malformed line.
bool ClassifyLine(std::string_view line, ReplyContext context, TextReply* r,
                  size_t* data_bytes) {
  r->line = line;
  *data_bytes = 0;
  std::string_view rest = line;
  std::string_view word = NextToken(&rest);
  auto exact = [&](ReplyType type) {
    if (!TrimLeft(rest).empty()) return false;
    r->type = type;
    return true;
  };
  auto with_text = [&](ReplyType type) {
    r->type = type;
    r->text = TrimLeft(rest);
    return true;
  };
  if (word == "ERROR") return with_text(ReplyType::kError);
  if (word == "CLIENT_ERROR") return with_text(ReplyType::kClientError);
  if (word == "SERVER_ERROR") return with_text(ReplyType::kServerError);
  if (word == "END") return exact(ReplyType::kEnd);
  if (context == ReplyContext::kStats) {
    if (word == "STAT") {
      r->type = ReplyType::kStat;
      r->key = NextToken(&rest);
      r->text = TrimLeft(rest);
      return !r->key.empty();
    }
    if (word == "RESET" && TrimLeft(rest).empty()) return exact(ReplyType::kReset);
    if (word == "OK" && TrimLeft(rest).empty()) return exact(ReplyType::kOk);
    r->type = ReplyType::kLine;
    r->text = line;
    return true;
  }
  if (word == "VALUE") {
    r->type = ReplyType::kValue;
    r->key = NextToken(&rest);
    uint64_t flags = 0, bytes = 0;
    if (r->key.empty() || !ParseU64(NextToken(&rest), &flags) || flags > UINT32_MAX ||
        !ParseU64(NextToken(&rest), &bytes) || bytes > kMaxDataBytes) {
      return false;
    }
    r->flags = static_cast<uint32_t>(flags);
    std::string_view cas = NextToken(&rest);
    if (!cas.empty()) {
      if (!ParseU64(cas, &r->cas)) return false;
      r->has_cas = true;
    }
    *data_bytes = static_cast<size_t>(bytes);
    return TrimLeft(rest).empty();
  }
  if (word == "STORED") return exact(ReplyType::kStored);
  if (word == "NOT_STORED") return exact(ReplyType::kNotStored);
  if (word == "EXISTS") return exact(ReplyType::kExists);
  if (word == "NOT_FOUND") return exact(ReplyType::kNotFound);
  if (word == "DELETED") return exact(ReplyType::kDeleted);
  if (word == "TOUCHED") return exact(ReplyType::kTouched);
  if (word == "OK") return exact(ReplyType::kOk);
  if (word == "RESET") return exact(ReplyType::kReset);
  if (word == "VERSION") return with_text(ReplyType::kVersion);
  if (word.size() == 2) {
    if (word == "VA") {
      uint64_t bytes = 0;
      if (!ParseU64(NextToken(&rest), &bytes) || bytes > kMaxDataBytes) return false;
      *data_bytes = static_cast<size_t>(bytes);
      return with_text(ReplyType::kMetaValue);
    }
    if (word == "HD") return with_text(ReplyType::kMetaHit);
    if (word == "EN") return with_text(ReplyType::kMetaMiss);
    if (word == "NF") return with_text(ReplyType::kMetaNotFound);
    if (word == "NS") return with_text(ReplyType::kMetaNotStored);
    if (word == "EX") return with_text(ReplyType::kMetaExists);
    if (word == "MN") return exact(ReplyType::kMetaNoop);
    if (word == "ME") {
      r->type = ReplyType::kMetaDebug;
      r->key = NextToken(&rest);
      r->text = TrimLeft(rest);
      return !r->key.empty();
    }
  }
  if (IsNumber(word) && TrimLeft(rest).empty()) {
    r->type = ReplyType::kNumber;
    ParseU64(word, &r->number);
    return true;
  }
  return false;
}

// Strips the line terminator: "\r\n", or a bare "\n".
std::string_view LineOf(std::string_view head) {
  head.remove_suffix(1);
  if (!head.empty() && head.back() == '\r') head.remove_suffix(1);
  return head;
}

}  // namespace

const char* ReplyTypeName(ReplyType type) {
  switch (type) {
    case ReplyType::kNone: return "NONE";
    case ReplyType::kValue: return "VALUE";
    case ReplyType::kEnd: return "END";
    case ReplyType::kStat: return "STAT";
    case ReplyType::kLine: return "LINE";
    case ReplyType::kStored: return "STORED";
    case ReplyType::kNotStored: return "NOT_STORED";
    case ReplyType::kExists: return "EXISTS";
    case ReplyType::kNotFound: return "NOT_FOUND";
    case ReplyType::kDeleted: return "DELETED";
    case ReplyType::kTouched: return "TOUCHED";
    case ReplyType::kOk: return "OK";
    case ReplyType::kReset: return "RESET";
    case ReplyType::kVersion: return "VERSION";
    case ReplyType::kNumber: return "NUMBER";
    case ReplyType::kError: return "ERROR";
    case ReplyType::kClientError: return "CLIENT_ERROR";
    case ReplyType::kServerError: return "SERVER_ERROR";
    case ReplyType::kMetaValue: return "VA";
    case ReplyType::kMetaHit: return "HD";
    case ReplyType::kMetaMiss: return "EN";
    case ReplyType::kMetaNotFound: return "NF";
    case ReplyType::kMetaNotStored: return "NS";
    case ReplyType::kMetaExists: return "EX";
    case ReplyType::kMetaNoop: return "MN";
    case ReplyType::kMetaDebug: return "ME";
  }
  return "?";
}

DecodeResult ReplyCodec::Decode(sock::Buffer* input, TextReply* reply) {
  size_t avail = input->size();
  // A data block is still arriving: don't rescan the header for every piece.
  if (awaiting_ > 0 && avail < awaiting_) {
    reply->Reset();
    return {DecodeStatus::kNeedMore, 0};
  }
  // Common elements straight from the contiguous front (inside a stats
  // reply VALUE and STORED are ordinary lines, so not there). It fills the
  // whole *reply on success and leaves it alone otherwise.
  if (fast_path_ && context_ == ReplyContext::kGeneric) {
    if (size_t n = ParseFastReply(input->Front(), reply, max_line_)) {
      awaiting_ = 0;
      return {DecodeStatus::kMessage, n};
    }
  }
  reply->Reset();
  size_t nl = input->FindNewline(max_line_ + 2);
  if (nl == sock::Buffer::kNpos) {
    if (avail > max_line_ + 1) {
      reply->text = "reply line too long";
      return {DecodeStatus::kError, 0};
    }
    return {DecodeStatus::kNeedMore, 0};
  }
  return ParseLine(input, nl, reply);
}

DecodeResult ReplyCodec::ParseLine(sock::Buffer* input, size_t line_end,
                                   TextReply* reply) {
  std::string_view head = input->Peek(line_end + 1);
  size_t data_bytes = 0;
  if (!ClassifyLine(LineOf(head), context_, reply, &data_bytes)) {
    std::string_view line = reply->line;
    reply->Reset();
    reply->line = line;
    reply->text = "malformed reply line";
    awaiting_ = 0;
    return {DecodeStatus::kError, line_end + 1};
  }
  if (reply->type != ReplyType::kValue && reply->type != ReplyType::kMetaValue) {
    awaiting_ = 0;
    return {DecodeStatus::kMessage, line_end + 1};
  }
  return ParseBlock(input, line_end, data_bytes, reply);
}

DecodeResult ReplyCodec::ParseBlock(sock::Buffer* input, size_t line_end,
                                    size_t data_bytes, TextReply* reply) {
  size_t total = line_end + 1 + data_bytes + 2;
  if (input->size() < total) {
    awaiting_ = total;
    return {DecodeStatus::kNeedMore, 0};
  }
  awaiting_ = 0;
  // Making the block contiguous may move the bytes: classify again on the
  // stable view so every view in *reply points into it.
  std::string_view all = input->Peek(total);
  reply->Reset();
  size_t ignored;
  ClassifyLine(LineOf(all.substr(0, line_end + 1)), context_, reply, &ignored);
  if (all.substr(total - 2) != "\r\n") {
    reply->text = "data block not terminated by \\r\\n";
    reply->type = ReplyType::kNone;
    return {DecodeStatus::kError, 0};
  }
  reply->data = all.substr(line_end + 1, data_bytes);
  return {DecodeStatus::kMessage, total};
}

}  // namespace codec
