// A socket-free harness for CommandHandler tests: a Store on a FakeClock,
// the shared counters, one TextCodec + CommandHandler "connection", and a
// Run() that feeds bytes through the same decode loop sock::CodecHandler
// runs and returns the reply bytes.
#ifndef TESTS_MEMCACHE_HANDLER_TEST_UTIL_H_
#define TESTS_MEMCACHE_HANDLER_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "codec/text_codec.h"
#include "codec/text_request.h"
#include "memcache/clock.h"
#include "memcache/command_context.h"
#include "memcache/command_handler.h"
#include "memcache/prefix_stats.h"
#include "memcache/server_stats.h"
#include "memcache/store.h"
#include "sock/buffer.h"

namespace memcache {
namespace testing_util {

class HandlerTest : public ::testing::Test {
 protected:
  HandlerTest() : clock_(1700000000) {}

  void SetUp() override { Rebuild(StoreOptions()); }

  // Recreates the store (e.g. with a smaller memory limit).
  void Rebuild(StoreOptions options) {
    options.clock = &clock_;
    store_ = std::make_unique<Store>(options);
    context_ = std::make_unique<CommandContext>();
    context_->store = store_.get();
    context_->stats = &stats_;
    context_->prefix_stats = &prefix_stats_;
    context_->start_time = clock_.NowUnix();
    context_->request_shutdown = [this] { ++shutdown_requests_; };
    handler_ = std::make_unique<CommandHandler>(context_.get());
    codec::TextCodecOptions codec_options;
    codec_options.max_item_size = options.max_item_size;
    codec_ = std::make_unique<codec::TextCodec>(codec_options);
    input_.Clear();
    closed_ = false;
  }

  // Feeds `bytes` and returns every reply they produce.
  std::string Run(const std::string& bytes) {
    input_.Append(bytes);
    sock::Buffer out;
    while (!input_.empty() && !closed_) {
      sock::DecodeResult r = codec_->Decode(&input_, &request_);
      if (r.status == sock::DecodeStatus::kNeedMore) break;
      sock::HandleResult h = r.status == sock::DecodeStatus::kMessage
                                 ? handler_->OnMessage(nullptr, request_, &out)
                                 : handler_->OnDecodeError(nullptr, request_, &out);
      input_.Drain(r.consumed);
      if (h != sock::HandleResult::kContinue) {
        closed_ = true;
        input_.Clear();
        break;
      }
      if (r.status == sock::DecodeStatus::kError && r.consumed == 0) break;
    }
    return out.ToString();
  }

  // "stats" as a name -> value map.
  std::map<std::string, std::string> Stats(const std::string& command = "stats") {
    std::string reply = Run(command + "\r\n");
    std::map<std::string, std::string> result;
    size_t pos = 0;
    while (pos < reply.size()) {
      size_t end = reply.find("\r\n", pos);
      if (end == std::string::npos) break;
      std::string line = reply.substr(pos, end - pos);
      pos = end + 2;
      if (line.rfind("STAT ", 0) != 0) continue;
      size_t space = line.find(' ', 5);
      result[line.substr(5, space - 5)] =
          space == std::string::npos ? "" : line.substr(space + 1);
    }
    return result;
  }

  uint64_t CasOf(const std::string& key) {
    ItemRef item = store_->Peek(key);
    return item ? item->cas() : 0;
  }

  FakeClock clock_;
  ServerStats stats_;
  PrefixStats prefix_stats_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CommandContext> context_;
  std::unique_ptr<CommandHandler> handler_;
  std::unique_ptr<codec::TextCodec> codec_;
  codec::TextRequest request_;
  sock::Buffer input_;
  bool closed_ = false;
  int shutdown_requests_ = 0;
};

}  // namespace testing_util
}  // namespace memcache

#endif  // TESTS_MEMCACHE_HANDLER_TEST_UTIL_H_
