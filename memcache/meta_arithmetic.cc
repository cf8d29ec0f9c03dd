// The meta commands md and ma (memcached 1.6.18 semantics). Both read and
// write the item atomically inside Store::Mutate.
#include <cstring>
#include <vector>

#include "memcache/arith_value.h"
#include "memcache/commands.h"
#include "memcache/meta_common.h"
#include "memcache/reply_writer.h"

namespace memcache {

using codec::MetaOptions;
using codec::TextRequest;
using sock::HandleResult;
using meta::AppendEcho;
using meta::AppendKeyFlag;
using meta::AppendOpaque;
using meta::Error;
using meta::kBadFormat;
using meta::kOpaqueTooLong;
using meta::Meta;
using meta::OpaqueTooLong;
using meta::ParseMeta;
using meta::RemainingTtl;

HandleResult HandleMetaDelete(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  Meta m;
  if (!ParseMeta(req, &m, out)) {
    return HandleResult::kContinue;
  }
  if (OpaqueTooLong(req)) return Error(out, kOpaqueTooLong);
  const MetaOptions& o = m.opts;
  Store* store = ctx.store;
  const int64_t new_exptime = o.has_ttl ? store->ToAbsoluteExptime(o.ttl) : 0;
  enum { kNotFound, kCasMismatch, kDone } outcome = kNotFound;
  store->Mutate(m.key, [&](const ItemRef& current) {
    Store::Mutation mutation;
    if (!current) return mutation;
    if (o.has_cas && current->cas() != o.cas) {
      outcome = kCasMismatch;
      return mutation;
    }
    outcome = kDone;
    if (o.set_stale) {
      // Invalidate: keep the value for stale reads, let the next mg win.
      if (o.has_ttl) current->set_exptime(new_exptime);
      current->set_stale(true);
      current->set_win_token_sent(false);
      current->set_cas(store->NextCas());
    } else {
      mutation.kind = Store::Mutation::kUnlink;
    }
    return mutation;
  });
  ReplyLine line;
  switch (outcome) {
    case kNotFound:
      NoteResult(CommandResult::kMiss);
      ctx.stats->Add(Counter::kDeleteMisses);
      line.Append("NF");
      break;
    case kCasMismatch:
      NoteResult(CommandResult::kBadval);
      ctx.stats->Add(Counter::kDeleteMisses);
      line.Append("EX");
      break;
    case kDone:
      NoteResult(CommandResult::kHit);
      if (!o.set_stale) ctx.stats->Add(Counter::kDeleteHits);
      if (o.quiet) return HandleResult::kContinue;
      line.Append("HD");
      break;
  }
  AppendEcho(&line, req, m.key, o.base64_key);
  line.Finish(out);
  return HandleResult::kContinue;
}

HandleResult HandleMetaArithmetic(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  Meta m;
  if (!ParseMeta(req, &m, out)) {
    return HandleResult::kContinue;
  }
  const MetaOptions& o = m.opts;
  bool incr = true;
  switch (o.mode) {
    case 0: case 'I': case '+': break;
    case 'D': case '-': incr = false; break;
    default: return Error(out, "CLIENT_ERROR invalid mode for ma M token");
  }
  if (OpaqueTooLong(req)) return Error(out, kOpaqueTooLong);

  Store* store = ctx.store;
  const int64_t now = store->Now();
  const int64_t new_exptime = o.has_ttl ? store->ToAbsoluteExptime(o.ttl) : 0;
  const int64_t viv_exptime = o.vivify ? store->ToAbsoluteExptime(o.autoviv_ttl) : 0;
  enum { kNotFound, kCasMismatch, kNonNumeric, kNoMemory, kOk } outcome = kNotFound;
  bool created = false;
  uint64_t value = 0;
  ItemRef result_item;
  std::vector<int64_t> ttls;

  store->Mutate(m.key, [&](const ItemRef& current) {
    Store::Mutation mutation;
    uint32_t flags = 0;
    int64_t exptime = 0;
    size_t min_len = 0;
    if (current) {
      if (o.has_cas && o.cas != 0 && current->cas() != o.cas) {
        outcome = kCasMismatch;
        return mutation;
      }
      uint64_t old;
      if (current->value_length() == 0 || !ParseArithValue(current->value(), &old)) {
        outcome = kNonNumeric;
        return mutation;
      }
      value = incr ? old + o.delta : (o.delta > old ? 0 : old - o.delta);
      flags = current->flags();
      exptime = current->exptime();
      // memcached rewrites a shorter number in place, space padded.
      min_len = current->value_length();
    } else if (o.vivify) {
      value = o.initial;
      created = true;
    } else {
      return mutation;  // kNotFound
    }
    char digits[24];
    size_t len = FormatDecimal(value, digits);
    size_t total = len <= min_len ? min_len : len;
    AllocError err;
    ItemRef item = store->Allocate(m.key, flags, exptime, total, &err);
    if (!item) {
      outcome = kNoMemory;
      return mutation;
    }
    std::memcpy(item->mutable_value(), digits, len);
    if (total > len) std::memset(item->mutable_value() + len, ' ', total - len);
    if (current && current->key_binary()) item->set_key_binary(true);
    if (current && len <= min_len) {
      // memcached rewrites such a value in place, so the item keeps its
      // state: a stale (invalidated) counter stays stale.
      item->set_stale(current->stale());
      item->set_win_token_sent(current->win_token_sent());
      item->set_fetched(current->fetched());
    }
    if (created && o.base64_key) item->set_key_binary(true);
    for (const codec::MetaFlag& f : req.meta_flags) {
      if (f.letter == 't') ttls.push_back(exptime);
      if (f.letter == 'T') exptime = new_exptime;
      if (f.letter == 'N' && created) exptime = viv_exptime;
    }
    item->set_exptime(exptime);
    outcome = kOk;
    result_item = item;
    mutation.kind = Store::Mutation::kLink;
    mutation.replacement = item;
    return mutation;
  });

  ReplyLine line;
  switch (outcome) {
    case kNonNumeric:
      return Error(out, "CLIENT_ERROR cannot increment or decrement non-numeric value");
    case kNoMemory:
      return Error(out, created ? "SERVER_ERROR Out of memory allocating new item"
                                : "SERVER_ERROR out of memory");
    case kNotFound:
      NoteResult(CommandResult::kMiss);
      ctx.stats->Add(incr ? Counter::kIncrMisses : Counter::kDecrMisses);
      line.Append("NF");
      AppendEcho(&line, req, m.key, o.base64_key);
      line.Finish(out);
      return HandleResult::kContinue;
    case kCasMismatch:
      NoteResult(CommandResult::kBadval);
      line.Append("EX");
      AppendEcho(&line, req, m.key, o.base64_key);
      line.Finish(out);
      return HandleResult::kContinue;
    case kOk:
      // An autovivified counter was a miss that created the key.
      NoteResult(created ? CommandResult::kMiss : CommandResult::kHit);
      break;
  }
  if (!created) {
    ctx.stats->Add(incr ? Counter::kIncrHits : Counter::kDecrHits);
    // memcached drops the whole nominal reply, value included, in quiet mode.
    if (o.quiet) return HandleResult::kContinue;
  }
  char digits[24];
  size_t len = FormatDecimal(value, digits);
  if (o.return_value) {
    line.Append("VA ").AppendUint(len);
  } else {
    line.Append("HD");
  }
  size_t ttl_index = 0;
  for (const codec::MetaFlag& f : req.meta_flags) {
    switch (f.letter) {
      case 'c': line.FlagUint('c', result_item->cas()); break;
      case 't': line.FlagInt('t', RemainingTtl(ttls[ttl_index++], now)); break;
      case 'O': AppendOpaque(&line, f); break;
      case 'k': AppendKeyFlag(&line, m.key, o.base64_key); break;
      default: break;
    }
  }
  if (o.return_value) {
    line.Append("\r\n").Append(std::string_view(digits, len));
  }
  line.Finish(out);
  return HandleResult::kContinue;
}

}  // namespace memcache
