// The classic storage and retrieval commands: get/gets/gat/gats,
// set/add/replace/append/prepend/cas, delete, incr/decr, touch.
#include <cstring>

#include "codec/number_parse.h"
#include "memcache/command_metrics.h"
#include "memcache/commands.h"
#include "memcache/reply_writer.h"

namespace memcache {

using codec::TextCommand;
using codec::TextRequest;
using sock::HandleResult;

namespace {

StoreMode ModeOf(TextCommand command) {
  switch (command) {
    case TextCommand::kAdd: return StoreMode::kAdd;
    case TextCommand::kReplace: return StoreMode::kReplace;
    case TextCommand::kAppend: return StoreMode::kAppend;
    case TextCommand::kPrepend: return StoreMode::kPrepend;
    case TextCommand::kCas: return StoreMode::kCas;
    default: return StoreMode::kSet;
  }
}

}  // namespace

CommandResult StoreOutcome(StoreMode mode, StoreResult result) {
  switch (result) {
    case StoreResult::kStored:
      return mode == StoreMode::kCas ? CommandResult::kHit : CommandResult::kStored;
    case StoreResult::kNotStored: return CommandResult::kNotStored;
    case StoreResult::kExists: return CommandResult::kBadval;
    case StoreResult::kNotFound: return CommandResult::kMiss;
    case StoreResult::kNoMemory: return CommandResult::kError;
  }
  return CommandResult::kError;
}

void ClassicReply(const TextRequest& req, sock::Buffer* out, std::string_view line) {
  if (!req.noreply) AppendLine(out, line);
}

bool ParseUint64(std::string_view s, uint64_t* out) {
  return codec::SafeStrtoull(s, out);
}

bool ParseUint32(std::string_view s, uint32_t* out) {
  return codec::SafeStrtoul(s, out);
}

bool ParseInt32(std::string_view s, int32_t* out) {
  return codec::SafeStrtol(s, out);
}

HandleResult HandleGet(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  const bool with_cas =
      req.command == TextCommand::kGets || req.command == TextCommand::kGats;
  const bool touch =
      req.command == TextCommand::kGat || req.command == TextCommand::kGats;
  const int64_t exptime = touch ? ctx.store->ToAbsoluteExptime(req.exptime) : 0;
  const bool detail = ctx.prefix_stats->enabled();
  auto answer = [&](std::string_view key, const ItemRef& item) {
    if (detail) ctx.prefix_stats->RecordGet(key, item != nullptr);
    NoteResult(item ? CommandResult::kHit : CommandResult::kMiss);
    if (touch) {
      ctx.stats->Add(Counter::kCmdTouch);
      ctx.stats->Add(item ? Counter::kTouchHits : Counter::kTouchMisses);
    } else {
      ctx.stats->Add(Counter::kCmdGet);
      ctx.stats->Add(item ? Counter::kGetHits : Counter::kGetMisses);
    }
    if (!item) return;
    ReplyLine line;
    line.Append("VALUE ").Append(item->key()).Append(' ').AppendUint(item->flags());
    line.Append(' ').AppendUint(item->value_length());
    if (with_cas) line.Append(' ').AppendUint(item->cas());
    line.Finish(out);
    AppendValueLine(out, item);
  };
  if (touch) {
    for (std::string_view key : req.keys) answer(key, ctx.store->GetAndTouch(key, exptime));
  } else if (req.keys.size() == 1) {
    answer(req.keys[0], ctx.store->Get(req.keys[0]));
  } else {
    // Multi-get: the store overlaps the keys' memory misses.
    ctx.store->GetEach(req.keys, [&](size_t i, const ItemRef& item) { answer(req.keys[i], item); });
  }
  out->Append("END\r\n");
  return HandleResult::kContinue;
}

HandleResult HandleStore(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  std::string_view key = req.keys.empty() ? std::string_view() : req.keys[0];
  const StoreMode mode = ModeOf(req.command);
  if (ctx.prefix_stats->enabled()) ctx.prefix_stats->RecordSet(key);

  AllocError error = AllocError::kNone;
  ItemRef item = ctx.store->Allocate(key, req.flags,
                                     ctx.store->ToAbsoluteExptime(req.exptime),
                                     req.value.size(), &error);
  if (!item) {
    NoteResult(CommandResult::kError);
    if (error == AllocError::kTooLarge) {
      ctx.stats->Add(Counter::kStoreTooLarge);
      ClassicReply(req, out, "SERVER_ERROR object too large for cache");
    } else {
      ctx.stats->Add(Counter::kStoreNoMemory);
      ClassicReply(req, out, "SERVER_ERROR out of memory storing object");
    }
    // A failed set must not leave the old value readable.
    if (mode == StoreMode::kSet) ctx.store->Delete(key);
    return HandleResult::kContinue;
  }
  if (!req.value.empty()) {
    std::memcpy(item->mutable_value(), req.value.data(), req.value.size());
  }
  ctx.stats->Add(Counter::kCmdSet);
  StoreResult result = ctx.store->Put(mode, item, req.cas_unique);
  NoteResult(StoreOutcome(mode, result));
  if (mode == StoreMode::kCas) {
    switch (result) {
      case StoreResult::kStored: ctx.stats->Add(Counter::kCasHits); break;
      case StoreResult::kExists: ctx.stats->Add(Counter::kCasBadval); break;
      case StoreResult::kNotFound: ctx.stats->Add(Counter::kCasMisses); break;
      default: break;
    }
  }
  switch (result) {
    case StoreResult::kStored: ClassicReply(req, out, "STORED"); break;
    case StoreResult::kNotStored: ClassicReply(req, out, "NOT_STORED"); break;
    case StoreResult::kExists: ClassicReply(req, out, "EXISTS"); break;
    case StoreResult::kNotFound: ClassicReply(req, out, "NOT_FOUND"); break;
    case StoreResult::kNoMemory:
      ctx.stats->Add(Counter::kStoreNoMemory);
      ClassicReply(req, out, "SERVER_ERROR out of memory storing object");
      break;
  }
  return HandleResult::kContinue;
}

HandleResult HandleDelete(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  std::string_view key = req.keys.empty() ? std::string_view() : req.keys[0];
  if (ctx.prefix_stats->enabled()) ctx.prefix_stats->RecordDelete(key);
  if (ctx.store->Delete(key) == DeleteResult::kDeleted) {
    NoteResult(CommandResult::kHit);
    ctx.stats->Add(Counter::kDeleteHits);
    ClassicReply(req, out, "DELETED");
  } else {
    NoteResult(CommandResult::kMiss);
    ctx.stats->Add(Counter::kDeleteMisses);
    ClassicReply(req, out, "NOT_FOUND");
  }
  return HandleResult::kContinue;
}

HandleResult HandleArith(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  std::string_view key = req.keys.empty() ? std::string_view() : req.keys[0];
  const bool incr = req.command == TextCommand::kIncr;
  uint64_t value = 0;
  uint64_t cas = 0;
  switch (ctx.store->Arith(key, incr, req.delta, &value, &cas)) {
    case ArithResult::kOk: {
      NoteResult(CommandResult::kHit);
      ctx.stats->Add(incr ? Counter::kIncrHits : Counter::kDecrHits);
      if (!req.noreply) {
        ReplyLine line;
        line.AppendUint(value).Finish(out);
      }
      break;
    }
    case ArithResult::kNotFound:
      NoteResult(CommandResult::kMiss);
      ctx.stats->Add(incr ? Counter::kIncrMisses : Counter::kDecrMisses);
      ClassicReply(req, out, "NOT_FOUND");
      break;
    case ArithResult::kNonNumeric:
      NoteResult(CommandResult::kError);
      ClassicReply(req, out, "CLIENT_ERROR cannot increment or decrement non-numeric value");
      break;
    case ArithResult::kNoMemory:
      NoteResult(CommandResult::kError);
      ClassicReply(req, out, "SERVER_ERROR out of memory");
      break;
  }
  return HandleResult::kContinue;
}

HandleResult HandleTouch(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  std::string_view key = req.keys.empty() ? std::string_view() : req.keys[0];
  ctx.stats->Add(Counter::kCmdTouch);
  if (ctx.store->Touch(key, ctx.store->ToAbsoluteExptime(req.exptime))) {
    NoteResult(CommandResult::kHit);
    ctx.stats->Add(Counter::kTouchHits);
    ClassicReply(req, out, "TOUCHED");
  } else {
    NoteResult(CommandResult::kMiss);
    ctx.stats->Add(Counter::kTouchMisses);
    ClassicReply(req, out, "NOT_FOUND");
  }
  return HandleResult::kContinue;
}

}  // namespace memcache
