#include "memcache/command_handler.h"

#include <glog/logging.h>

#include <array>
#include <chrono>
#include <string>

#include "codec/base64.h"
#include "memcache/commands.h"
#include "memcache/reply_writer.h"

namespace memcache {

using codec::TextCommand;
using sock::HandleResult;

namespace {

constexpr size_t kNumCommands = static_cast<size_t>(TextCommand::kMetaDebug) + 1;

// One function per command, indexed by TextCommand (memcached's command
// table in proto_text.c plays the same role).
constexpr std::array<CommandFn, kNumCommands> MakeTable() {
  std::array<CommandFn, kNumCommands> t{};
  auto set = [&t](TextCommand c, CommandFn fn) { t[static_cast<size_t>(c)] = fn; };
  set(TextCommand::kGet, &HandleGet);
  set(TextCommand::kGets, &HandleGet);
  set(TextCommand::kGat, &HandleGet);
  set(TextCommand::kGats, &HandleGet);
  set(TextCommand::kSet, &HandleStore);
  set(TextCommand::kAdd, &HandleStore);
  set(TextCommand::kReplace, &HandleStore);
  set(TextCommand::kAppend, &HandleStore);
  set(TextCommand::kPrepend, &HandleStore);
  set(TextCommand::kCas, &HandleStore);
  set(TextCommand::kDelete, &HandleDelete);
  set(TextCommand::kIncr, &HandleArith);
  set(TextCommand::kDecr, &HandleArith);
  set(TextCommand::kTouch, &HandleTouch);
  set(TextCommand::kFlushAll, &HandleFlushAll);
  set(TextCommand::kVersion, &HandleVersion);
  set(TextCommand::kVerbosity, &HandleVerbosity);
  set(TextCommand::kQuit, &HandleQuit);
  set(TextCommand::kShutdown, &HandleShutdown);
  set(TextCommand::kStats, &HandleStats);
  set(TextCommand::kCacheMemlimit, &HandleCacheMemlimit);
  set(TextCommand::kAdmin, &HandleAdmin);
  set(TextCommand::kMetaGet, &HandleMetaGet);
  set(TextCommand::kMetaSet, &HandleMetaSet);
  set(TextCommand::kMetaDelete, &HandleMetaDelete);
  set(TextCommand::kMetaArithmetic, &HandleMetaArithmetic);
  set(TextCommand::kMetaNoop, &HandleMetaNoop);
  set(TextCommand::kMetaDebug, &HandleMetaDebug);
  return t;
}

const std::array<CommandFn, kNumCommands> kCommandTable = MakeTable();

// What "verbosity <n>" turns on, as in memcached: 1 logs client errors, 2
// also logs every command line (memcached -vv prints "<fd line"). Lines are
// cut so a hostile client cannot flood the log with one command.
constexpr int kLogClientErrors = 1;
constexpr int kLogCommands = 2;
constexpr size_t kMaxLoggedLine = 200;

void LogLine(const sock::Connection* conn, std::string_view line, std::string_view error) {
  std::string_view shown = line.substr(0, kMaxLoggedLine);
  LOG(INFO) << '<' << (conn != nullptr ? conn->id() : 0) << ' ' << shown
            << (shown.size() < line.size() ? "..." : "")
            << (error.empty() ? "" : " -> ") << error;
}

}  // namespace

HandleResult CommandHandler::OnMessage(sock::Connection* conn,
                                       codec::TextRequest& request,
                                       sock::Buffer* out) {
  if (context_->verbosity.load(std::memory_order_relaxed) >= kLogCommands) {
    LogLine(conn, request.line, "");
  }
  size_t index = static_cast<size_t>(request.command);
  CommandFn fn = index < kCommandTable.size() ? kCommandTable[index] : nullptr;
  if (fn == nullptr) {
    // The codec only returns commands it knows; anything else is a bug there,
    // but answering like memcached keeps the connection usable.
    LOG_EVERY_N(WARNING, 1000) << "no handler for command " << index;
    out->Append("ERROR\r\n");
    return HandleResult::kContinue;
  }
  VLOG(3) << "command " << request.name;
  CommandMetrics* metrics = context_->metrics;
  if (metrics == nullptr) return fn(*context_, request, out);
  // Two clock reads (vDSO, no syscall) and a few relaxed adds per request.
  const RequestTally& tally = CommandMetrics::BeginRequest();
  const auto start = std::chrono::steady_clock::now();
  HandleResult result = fn(*context_, request, out);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  metrics->Record(request.command, tally,
                  static_cast<uint64_t>(
                      std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed)
                          .count()));
  return result;
}

HandleResult CommandHandler::OnDecodeError(sock::Connection* conn,
                                           codec::TextRequest& request,
                                           sock::Buffer* out) {
  if (context_->verbosity.load(std::memory_order_relaxed) >= kLogClientErrors) {
    LogLine(conn, request.line, request.error);
  }
  if (request.too_large && !request.keys.empty()) {
    // memcached unlinks the old item when a set / ms is too large, so a
    // failed write never leaves a stale value readable.
    context_->stats->Add(Counter::kStoreTooLarge);
    std::string_view key = request.keys[0];
    std::string decoded;
    if (request.command == TextCommand::kMetaSet && request.meta.base64_key) {
      if (codec::Base64Decode(key, &decoded) == 0) decoded.clear();
      key = decoded;
    }
    if (!key.empty()) context_->store->Delete(key);
  }
  if (!request.error.empty()) AppendLine(out, request.error);
  return request.close_after_error ? HandleResult::kClose : HandleResult::kContinue;
}

}  // namespace memcache
