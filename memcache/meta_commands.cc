// The meta commands mg, ms, mn and me (memcached 1.6.18 semantics); md and
// ma are in meta_arithmetic.cc.
//
// Reply lines list the requested return flags in the order the client sent
// them, as memcached does. mg runs inside Store::Mutate so its T/N/R
// handling and win-token bookkeeping are atomic per key; the reply is built
// after Mutate returns from what the callback recorded, because a new item
// only gets its cas when the Store links it.
#include <cstring>
#include <string>
#include <vector>

#include "codec/base64.h"
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

namespace {

struct MgState {
  ItemRef item;
  bool created = false;
  bool won = false;
  bool token_already_sent = false;
  bool stale = false;
  bool fetched_before = false;
  bool ttl_set = false;
  int64_t last_access = 0;
  std::vector<int64_t> ttls;  // exptime at each 't', in flag order
};

}  // namespace

HandleResult HandleMetaGet(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  Meta m;
  if (!ParseMeta(req, &m, out)) {
    return HandleResult::kContinue;
  }
  if (OpaqueTooLong(req)) return Error(out, kOpaqueTooLong);
  const MetaOptions& o = m.opts;
  Store* store = ctx.store;
  const int64_t now = store->Now();
  const int64_t new_exptime = o.has_ttl ? store->ToAbsoluteExptime(o.ttl) : 0;
  const int64_t viv_exptime = o.vivify ? store->ToAbsoluteExptime(o.autoviv_ttl) : 0;
  const int64_t recache = o.has_recache ? store->ToAbsoluteExptime(o.recache_ttl) : 0;

  MgState st;
  store->Mutate(m.key, [&](const ItemRef& current) {
    Store::Mutation mutation;
    ItemRef item = current;
    if (!item && o.vivify) {
      AllocError err;
      item = store->Allocate(m.key, 0, 0, 0, &err);
      if (!item) return mutation;
      if (o.base64_key) item->set_key_binary(true);
      st.created = true;
      mutation.kind = Store::Mutation::kLink;
      mutation.replacement = item;
    }
    if (!item) return mutation;
    st.fetched_before = item->fetched();
    st.last_access = item->last_access();
    int64_t exptime = item->exptime();
    for (const codec::MetaFlag& f : req.meta_flags) {
      switch (f.letter) {
        case 'T':
          st.ttl_set = true;
          exptime = new_exptime;
          break;
        case 'N':
          if (st.created) {
            exptime = viv_exptime;
            st.won = true;
          }
          break;
        case 'R':
          if (!item->win_token_sent() && !st.created && exptime != 0 &&
              exptime < recache) {
            st.won = true;
          }
          break;
        case 't':
          st.ttls.push_back(exptime);
          break;
        default:
          break;
      }
    }
    if (exptime != item->exptime()) item->set_exptime(exptime);
    st.token_already_sent = item->win_token_sent();
    st.stale = item->stale();
    if (st.stale && !st.token_already_sent) st.won = true;
    if (st.won) item->set_win_token_sent(true);
    st.item = item;
    return mutation;
  });

  ItemRef& item = st.item;
  if (!item) {
    NoteResult(CommandResult::kMiss);
    ctx.stats->Add(Counter::kCmdGet);
    ctx.stats->Add(Counter::kGetMisses);
    if (o.quiet) return HandleResult::kContinue;
    ReplyLine line;
    line.Append("EN");
    AppendEcho(&line, req, m.key, o.base64_key);
    line.Finish(out);
    return HandleResult::kContinue;
  }
  if (!o.no_update) store->MarkAccessed(item);
  NoteResult(CommandResult::kHit);
  if (st.ttl_set) {
    ctx.stats->Add(Counter::kCmdTouch);
    ctx.stats->Add(Counter::kTouchHits);
  } else {
    ctx.stats->Add(Counter::kCmdGet);
    ctx.stats->Add(Counter::kGetHits);
  }

  ReplyLine line;
  if (o.return_value) {
    line.Append("VA ").AppendUint(item->value_length());
  } else {
    line.Append("HD");
  }
  size_t ttl_index = 0;
  for (const codec::MetaFlag& f : req.meta_flags) {
    switch (f.letter) {
      case 's': line.FlagUint('s', item->value_length()); break;
      case 't': line.FlagInt('t', RemainingTtl(st.ttls[ttl_index++], now)); break;
      case 'c': line.FlagUint('c', item->cas()); break;
      case 'f': line.FlagUint('f', item->flags()); break;
      case 'l': line.FlagInt('l', now - st.last_access); break;
      case 'h': line.Flag('h', st.fetched_before ? "1" : "0"); break;
      case 'O': AppendOpaque(&line, f); break;
      case 'k': AppendKeyFlag(&line, item->key(), item->key_binary()); break;
      default: break;
    }
  }
  if (st.token_already_sent) line.Append(" Z");
  if (st.stale) line.Append(" X");
  if (st.won) line.Append(" W");
  line.Finish(out);
  if (o.return_value) AppendValueLine(out, item);
  return HandleResult::kContinue;
}

HandleResult HandleMetaSet(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  Meta m;
  if (!ParseMeta(req, &m, out)) {
    return HandleResult::kContinue;
  }
  const MetaOptions& o = m.opts;
  StoreMode mode;
  switch (o.mode) {
    case 0:
    case 'S': mode = StoreMode::kSet; break;
    case 'E': mode = StoreMode::kAdd; break;
    case 'A': mode = StoreMode::kAppend; break;
    case 'P': mode = StoreMode::kPrepend; break;
    case 'R': mode = StoreMode::kReplace; break;
    default: return Error(out, "CLIENT_ERROR invalid mode for ms M token");
  }
  if (OpaqueTooLong(req)) return Error(out, kOpaqueTooLong);
  // A cas turns set and replace into a compare-and-swap, as in memcached.
  if (o.has_cas && (mode == StoreMode::kSet || mode == StoreMode::kReplace)) {
    mode = StoreMode::kCas;
  }

  Store* store = ctx.store;
  AllocError error = AllocError::kNone;
  ItemRef item = store->Allocate(m.key, o.client_flags,
                                 o.has_ttl ? store->ToAbsoluteExptime(o.ttl) : 0,
                                 req.value.size(), &error);
  if (!item) {
    // The old value must not outlive a failed write.
    store->Delete(m.key);
    if (error == AllocError::kTooLarge) {
      ctx.stats->Add(Counter::kStoreTooLarge);
      return Error(out, "SERVER_ERROR object too large for cache");
    }
    ctx.stats->Add(Counter::kStoreNoMemory);
    return Error(out, "SERVER_ERROR out of memory storing object");
  }
  if (!req.value.empty()) {
    std::memcpy(item->mutable_value(), req.value.data(), req.value.size());
  }
  if (o.base64_key) item->set_key_binary(true);
  ctx.stats->Add(Counter::kCmdSet);
  const bool set_stale = o.set_stale && mode == StoreMode::kCas;
  StoreResult result = store->Put(mode, item, o.has_cas ? o.cas : 0, set_stale);
  // kNoMemory is noted by Error() below.
  if (result != StoreResult::kNoMemory) NoteResult(StoreOutcome(mode, result));
  if (mode == StoreMode::kCas) {
    switch (result) {
      case StoreResult::kStored: ctx.stats->Add(Counter::kCasHits); break;
      case StoreResult::kExists: ctx.stats->Add(Counter::kCasBadval); break;
      case StoreResult::kNotFound: ctx.stats->Add(Counter::kCasMisses); break;
      default: break;
    }
  }
  ReplyLine line;
  switch (result) {
    case StoreResult::kStored:
      if (o.quiet) return HandleResult::kContinue;
      line.Append("HD");
      break;
    case StoreResult::kExists: line.Append("EX"); break;
    case StoreResult::kNotFound: line.Append("NF"); break;
    case StoreResult::kNotStored: line.Append("NS"); break;
    case StoreResult::kNoMemory:
      ctx.stats->Add(Counter::kStoreNoMemory);
      return Error(out, "SERVER_ERROR out of memory storing object");
  }
  const uint64_t cas = result == StoreResult::kStored ? item->cas() : 0;
  for (const codec::MetaFlag& f : req.meta_flags) {
    if (f.letter == 'O') AppendOpaque(&line, f);
    if (f.letter == 'k') AppendKeyFlag(&line, item->key(), item->key_binary());
    if (f.letter == 'c') line.FlagUint('c', cas);
  }
  line.Finish(out);
  return HandleResult::kContinue;
}

HandleResult HandleMetaNoop(CommandContext&, TextRequest&, sock::Buffer* out) {
  out->Append("MN\r\n");
  return HandleResult::kContinue;
}

HandleResult HandleMetaDebug(CommandContext& ctx, TextRequest& req, sock::Buffer* out) {
  if (req.keys.empty() || req.keys[0].size() > Item::kMaxKeyLength) {
    return Error(out, kBadFormat);
  }
  std::string_view key = req.keys[0];
  std::string decoded;
  bool binary = false;
  for (const codec::MetaFlag& f : req.meta_flags) {
    if (f.letter == 'b' && f.token.empty()) binary = true;
  }
  if (!req.args.empty() && req.args[0] == "b") binary = true;
  if (binary) {
    if (codec::Base64Decode(key, &decoded) == 0) return Error(out, kBadFormat);
    key = decoded;
  }
  ctx.stats->Add(Counter::kCmdMeta);
  ItemRef item = ctx.store->Peek(key);
  NoteResult(item ? CommandResult::kHit : CommandResult::kMiss);
  if (!item) {
    out->Append("EN\r\n");
    return HandleResult::kContinue;
  }
  const int64_t now = ctx.store->Now();
  ReplyLine line;
  line.Append("ME ");
  if (item->key_binary()) {
    std::string encoded;
    codec::Base64Encode(item->key(), &encoded);
    line.Append(encoded);
  } else {
    line.Append(item->key());
  }
  // memcached prints exp as now - exptime (negative while the item lives).
  line.Append(" exp=").AppendInt(item->exptime() == 0 ? -1 : now - item->exptime());
  line.Append(" la=").AppendInt(now - item->last_access());
  line.Append(" cas=").AppendUint(item->cas());
  line.Append(" fetch=").Append(item->fetched() ? "yes" : "no");
  line.Append(" cls=1 size=")
      .AppendUint(Item::MemcachedSize(item->key_length(), item->flags(),
                                      item->value_length(),
                                      ctx.store->options().use_cas));
  line.Finish(out);
  return HandleResult::kContinue;
}

}  // namespace memcache
