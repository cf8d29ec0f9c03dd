// The command functions behind CommandHandler's dispatch table, one per
// command (internal to memcache/; tests go through CommandHandler).
//
// Each writes its reply (if any) to `out` and says whether the connection
// goes on. They run on the connection's reader thread; the request's views
// are valid only during the call.
#ifndef MEMCACHE_COMMANDS_H_
#define MEMCACHE_COMMANDS_H_

#include <cstdint>
#include <string_view>

#include "codec/text_request.h"
#include "memcache/command_context.h"
#include "memcache/command_metrics.h"
#include "sock/buffer.h"
#include "sock/codec_handler.h"

namespace memcache {

using CommandFn = sock::HandleResult (*)(CommandContext& ctx,
                                         codec::TextRequest& req,
                                         sock::Buffer* out);

// classic_commands.cc
sock::HandleResult HandleGet(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleStore(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleDelete(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleArith(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleTouch(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);

// admin_commands.cc
sock::HandleResult HandleFlushAll(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleVersion(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleVerbosity(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleQuit(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleShutdown(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleCacheMemlimit(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleAdmin(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);

// stats_commands.cc
sock::HandleResult HandleStats(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);

// meta_commands.cc
sock::HandleResult HandleMetaGet(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleMetaSet(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleMetaDelete(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleMetaArithmetic(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleMetaNoop(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);
sock::HandleResult HandleMetaDebug(CommandContext& ctx, codec::TextRequest& req, sock::Buffer* out);

// Helpers shared by the command files.

// The metrics result of a Store::Put (cas-mode outcomes count as cas hits,
// misses and badvals, like memcached's cas_* counters).
CommandResult StoreOutcome(StoreMode mode, StoreResult result);

// A classic reply line: suppressed when the request said noreply (memcached
// suppresses every classic reply then, errors included).
void ClassicReply(const codec::TextRequest& req, sock::Buffer* out, std::string_view line);

// memcached's safe_strtoul / safe_strtoull / safe_strtol: the whole token
// must be a number (no sign for unsigned, in range).
bool ParseUint32(std::string_view s, uint32_t* out);
bool ParseUint64(std::string_view s, uint64_t* out);
bool ParseInt32(std::string_view s, int32_t* out);

}  // namespace memcache

#endif  // MEMCACHE_COMMANDS_H_
