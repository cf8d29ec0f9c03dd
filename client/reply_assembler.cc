#include "client/reply_assembler.h"

#include <string>

namespace client {
namespace {

using codec::ReplyType;
using codec::TextReply;

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

ApplyOutcome Finish(Result* result, Status status) {
  result->status = status;
  return ApplyOutcome::kDone;
}

bool IsRetrieval(Op op) {
  return op == Op::kGet || op == Op::kGets || op == Op::kGat || op == Op::kGats;
}

ApplyOutcome ApplyMeta(Op op, const TextReply& reply, Result* result) {
  if (reply.type != ReplyType::kMetaNoop) result->meta_flags.assign(reply.text);
  switch (reply.type) {
    case ReplyType::kMetaValue:
      if (op != Op::kMetaGet && op != Op::kMetaArithmetic) break;
      result->value.assign(reply.data);
      ParseMetaReturnFlags(reply.text, result);
      if (op == Op::kMetaArithmetic) ParseU64(reply.data, &result->number);
      return Finish(result, Status::kOk);
    case ReplyType::kMetaHit:
      if (op == Op::kMetaNoop) break;
      ParseMetaReturnFlags(reply.text, result);
      return Finish(result, Status::kOk);
    case ReplyType::kMetaMiss:
      if (op != Op::kMetaGet) break;
      return Finish(result, Status::kNotFound);
    case ReplyType::kMetaNotFound:
      if (op == Op::kMetaGet || op == Op::kMetaNoop) break;
      return Finish(result, Status::kNotFound);
    case ReplyType::kMetaNotStored:
      if (op != Op::kMetaSet && op != Op::kMetaArithmetic) break;
      return Finish(result, Status::kNotStored);
    case ReplyType::kMetaExists:
      if (op == Op::kMetaGet || op == Op::kMetaNoop) break;
      return Finish(result, Status::kExists);
    case ReplyType::kMetaNoop:
      if (op != Op::kMetaNoop) break;
      return Finish(result, Status::kOk);
    default:
      break;
  }
  return ApplyOutcome::kMismatch;
}

}  // namespace

void PrepareResult(Op op, Result* result) {
  result->status = IsRetrieval(op) ? Status::kNotFound : Status::kOk;
}

void ParseMetaReturnFlags(std::string_view flags, Result* result) {
  size_t i = 0;
  while (i < flags.size()) {
    size_t end = flags.find(' ', i);
    if (end == std::string_view::npos) end = flags.size();
    std::string_view token = flags.substr(i, end - i);
    if (token.size() > 1) {
      uint64_t v = 0;
      if (token[0] == 'f' && ParseU64(token.substr(1), &v) && v <= UINT32_MAX) {
        result->flags = static_cast<uint32_t>(v);
      } else if (token[0] == 'c' && ParseU64(token.substr(1), &v)) {
        result->cas = v;
      }
    }
    i = end + 1;
  }
}

ApplyOutcome ApplyReply(Op op, const TextReply& reply, Result* result) {
  switch (reply.type) {
    case ReplyType::kError:
      result->message.assign(reply.text.empty() ? std::string_view("ERROR") : reply.text);
      return Finish(result, Status::kError);
    case ReplyType::kClientError:
      result->message.assign(reply.text);
      return Finish(result, Status::kClientError);
    case ReplyType::kServerError:
      result->message.assign(reply.text);
      return Finish(result, Status::kServerError);
    default:
      break;
  }
  switch (op) {
    case Op::kGet: case Op::kGets: case Op::kGat: case Op::kGats:
    case Op::kMultiGet: case Op::kMultiGets: case Op::kMultiGat: case Op::kMultiGats:
      if (reply.type == ReplyType::kValue) {
        if (IsRetrieval(op)) {
          // A single-key get has at most one VALUE; keep the first.
          if (result->status != Status::kOk) {
            result->value.assign(reply.data);
            result->flags = reply.flags;
            result->cas = reply.cas;
            result->status = Status::kOk;
          }
        } else {
          result->items.Add(reply.key, reply.data, reply.flags, reply.cas);
        }
        return ApplyOutcome::kMore;
      }
      if (reply.type == ReplyType::kEnd) {
        return ApplyOutcome::kDone;  // status: kOk on a hit, else kNotFound
      }
      return ApplyOutcome::kMismatch;
    case Op::kSet: case Op::kAdd: case Op::kReplace: case Op::kAppend:
    case Op::kPrepend: case Op::kCas:
      if (reply.type == ReplyType::kStored) return Finish(result, Status::kOk);
      if (reply.type == ReplyType::kNotStored) return Finish(result, Status::kNotStored);
      if (reply.type == ReplyType::kExists) return Finish(result, Status::kExists);
      if (reply.type == ReplyType::kNotFound) return Finish(result, Status::kNotFound);
      return ApplyOutcome::kMismatch;
    case Op::kDelete:
      if (reply.type == ReplyType::kDeleted) return Finish(result, Status::kOk);
      if (reply.type == ReplyType::kNotFound) return Finish(result, Status::kNotFound);
      return ApplyOutcome::kMismatch;
    case Op::kIncr: case Op::kDecr:
      if (reply.type == ReplyType::kNumber) {
        result->number = reply.number;
        return Finish(result, Status::kOk);
      }
      if (reply.type == ReplyType::kNotFound) return Finish(result, Status::kNotFound);
      return ApplyOutcome::kMismatch;
    case Op::kTouch:
      if (reply.type == ReplyType::kTouched) return Finish(result, Status::kOk);
      if (reply.type == ReplyType::kNotFound) return Finish(result, Status::kNotFound);
      return ApplyOutcome::kMismatch;
    case Op::kFlushAll: case Op::kVerbosity:
      if (reply.type == ReplyType::kOk) return Finish(result, Status::kOk);
      return ApplyOutcome::kMismatch;
    case Op::kVersion:
      if (reply.type != ReplyType::kVersion) return ApplyOutcome::kMismatch;
      result->message.assign(reply.text);
      return Finish(result, Status::kOk);
    case Op::kStats:
      switch (reply.type) {
        case ReplyType::kStat:
          result->stats.emplace_back(std::string(reply.key), std::string(reply.text));
          return ApplyOutcome::kMore;
        case ReplyType::kLine:
          result->stats.emplace_back(std::string(reply.text), std::string());
          return ApplyOutcome::kMore;
        case ReplyType::kEnd: case ReplyType::kReset: case ReplyType::kOk:
          return Finish(result, Status::kOk);
        default:
          return ApplyOutcome::kMismatch;
      }
    case Op::kMetaGet: case Op::kMetaSet: case Op::kMetaDelete:
    case Op::kMetaArithmetic: case Op::kMetaNoop:
      return ApplyMeta(op, reply, result);
  }
  return ApplyOutcome::kMismatch;
}

}  // namespace client
