// Implementation of tests/fuzz/fuzz_replay.h (inline, header-only; include
// fuzz_replay.h, not this file).
#ifndef TESTS_FUZZ_FUZZ_REPLAY_IMPL_H_
#define TESTS_FUZZ_FUZZ_REPLAY_IMPL_H_

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "codec/line_codec.h"
#include "codec/reply_codec.h"
#include "codec/text_codec.h"
#include "codec/text_reply.h"
#include "codec/text_request.h"
#include "memcache/clock.h"
#include "memcache/command_context.h"
#include "memcache/command_handler.h"
#include "memcache/prefix_stats.h"
#include "memcache/server_stats.h"
#include "memcache/store.h"
#include "sock/buffer.h"
#include "sock/codec.h"
#include "sock/codec_handler.h"

namespace fuzz {
namespace internal {

inline bool Within(std::string_view view, const char* begin, size_t n) {
  if (view.empty()) return true;
  return view.data() >= begin && view.data() + view.size() <= begin + n;
}

inline std::string Describe(const std::string& what, size_t at_byte) {
  return what + " (stream offset " + std::to_string(at_byte) + ")";
}

// Where two outputs first differ, with a little context, for the report.
inline std::string FirstDifference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  size_t from = i > 40 ? i - 40 : 0;
  return "outputs differ at byte " + std::to_string(i) + ": whole=\"" +
         a.substr(from, 80) + "\" split=\"" + b.substr(from, 80) + "\"";
}

}  // namespace internal

inline ReplayResult ReplayServer(std::string_view data,
                                 const std::vector<size_t>& chunks, int variant) {
  ReplayResult result;
  memcache::FakeClock clock(1700000000);
  memcache::StoreOptions store_options;
  store_options.memory_limit = 4 << 20;
  store_options.max_item_size = (variant & 1) ? 2048 : (1 << 20);
  store_options.shard_bits = 2;
  store_options.use_cas = (variant & 2) == 0;
  store_options.clock = &clock;
  memcache::Store store(store_options);
  memcache::ServerStats stats;
  memcache::PrefixStats prefix_stats;
  memcache::CommandContext context;
  context.store = &store;
  context.stats = &stats;
  context.prefix_stats = &prefix_stats;
  context.start_time = clock.NowUnix();
  context.request_shutdown = [] {};
  memcache::CommandHandler handler(&context);
  codec::TextCodecOptions codec_options;
  codec_options.max_item_size = store_options.max_item_size;
  codec_options.item_header_size = store_options.use_cas ? 56 : 48;
  codec::TextCodec codec(codec_options);
  codec::TextRequest request;
  sock::Buffer input;

  size_t fed = 0;
  for (size_t n : chunks) {
    if (result.closed || !result.violation.empty()) break;
    input.Append(data.substr(fed, n));
    fed += n;
    sock::Buffer out;
    // The decode loop of sock::CodecHandler::OnInput.
    while (!input.empty()) {
      sock::DecodeResult r = codec.Decode(&input, &request);
      if (r.consumed > input.size()) {
        result.violation = internal::Describe("consumed more than buffered", fed);
        break;
      }
      if (r.status == sock::DecodeStatus::kNeedMore) {
        if (r.consumed != 0) {
          result.violation = internal::Describe("kNeedMore with consumed != 0", fed);
        }
        break;
      }
      if (r.status == sock::DecodeStatus::kMessage) {
        ++result.messages;
        if (r.consumed == 0) {
          result.violation = internal::Describe("kMessage consumed nothing", fed);
          break;
        }
        for (std::string_view key : request.keys) {
          if (key.empty() || key.size() > codec::kMaxKeyLength) {
            result.violation = internal::Describe(
                "key of " + std::to_string(key.size()) + " bytes accepted", fed);
          }
        }
        const char* front = input.Peek(r.consumed).data();
        if (!internal::Within(request.value, front, r.consumed) ||
            !internal::Within(request.line, front, r.consumed)) {
          result.violation = internal::Describe("view outside the request's bytes", fed);
        }
        if (!result.violation.empty()) break;
      }
      sock::HandleResult h = r.status == sock::DecodeStatus::kMessage
                                 ? handler.OnMessage(nullptr, request, &out)
                                 : handler.OnDecodeError(nullptr, request, &out);
      input.Drain(r.consumed);
      if (h != sock::HandleResult::kContinue) {
        result.closed = true;
        if (h == sock::HandleResult::kAbort) out.Clear();
        break;
      }
      if (r.status == sock::DecodeStatus::kError && r.consumed == 0) break;
    }
    result.output += out.ToString();
  }
  return result;
}

inline ReplayResult ReplayReplies(std::string_view data,
                                  const std::vector<size_t>& chunks,
                                  uint64_t context_seed) {
  ReplayResult result;
  codec::ReplyCodec codec(1024);
  codec::TextReply reply;
  sock::Buffer input;
  // The context of element i must not depend on the split: derive it from i.
  auto context_of = [context_seed](size_t i) {
    return (Rng(context_seed ^ (i * 0x9e3779b97f4a7c15ULL)).Next() & 3) == 0
               ? codec::ReplyContext::kStats
               : codec::ReplyContext::kGeneric;
  };
  size_t fed = 0;
  for (size_t n : chunks) {
    if (result.closed || !result.violation.empty()) break;
    input.Append(data.substr(fed, n));
    fed += n;
    while (!input.empty()) {
      codec.set_context(context_of(result.messages));
      reply.Reset();
      sock::DecodeResult r = codec.Decode(&input, &reply);
      if (r.consumed > input.size()) {
        result.violation = internal::Describe("consumed more than buffered", fed);
        break;
      }
      if (r.status == sock::DecodeStatus::kNeedMore) {
        if (r.consumed != 0) {
          result.violation = internal::Describe("kNeedMore with consumed != 0", fed);
        }
        break;
      }
      if (r.status == sock::DecodeStatus::kError) {
        result.output += "<error>\n";
        result.closed = true;
        break;
      }
      ++result.messages;
      if (r.consumed == 0) {
        result.violation = internal::Describe("kMessage consumed nothing", fed);
        break;
      }
      result.output += std::string(codec::ReplyTypeName(reply.type)) + "|" +
                       std::string(reply.line) + "|" + std::string(reply.key) + "|" +
                       std::string(reply.text) + "|" + std::string(reply.data) + "|" +
                       std::to_string(reply.flags) + "|" + std::to_string(reply.cas) +
                       "|" + std::to_string(reply.number) + "\n";
      const char* front = input.Peek(r.consumed).data();
      for (std::string_view v : {reply.line, reply.key, reply.text, reply.data}) {
        if (!internal::Within(v, front, r.consumed)) {
          result.violation = internal::Describe("view outside the element's bytes", fed);
        }
      }
      if (!result.violation.empty()) break;
      input.Drain(r.consumed);
    }
  }
  return result;
}

inline ReplayResult ReplayLines(std::string_view data,
                                const std::vector<size_t>& chunks) {
  ReplayResult result;
  codec::LineCodec codec(64);
  codec::LineMessage message;
  sock::Buffer input;
  size_t fed = 0;
  for (size_t n : chunks) {
    if (result.closed || !result.violation.empty()) break;
    input.Append(data.substr(fed, n));
    fed += n;
    while (!input.empty()) {
      sock::DecodeResult r = codec.Decode(&input, &message);
      if (r.consumed > input.size()) {
        result.violation = internal::Describe("consumed more than buffered", fed);
        break;
      }
      if (r.status == sock::DecodeStatus::kNeedMore) break;
      if (r.status == sock::DecodeStatus::kError) {
        // A long line that already ended may be skipped; one without its
        // '\n' yet must close (consumed 0), as the echo server does.
        result.output += "<error " + std::to_string(r.consumed) + ">\n";
        if (r.consumed == 0) {
          result.closed = true;
          break;
        }
        input.Drain(r.consumed);
        continue;
      }
      ++result.messages;
      std::string_view bytes = input.Peek(r.consumed);
      std::string_view line = message.line;
      const bool crlf = r.consumed == line.size() + 2 &&
                        bytes.substr(line.size()) == "\r\n";
      const bool lf = r.consumed == line.size() + 1 && bytes.back() == '\n';
      if (line.size() > codec.max_line_length() || (!crlf && !lf) ||
          line.data() != bytes.data() ||
          line.find('\n') != std::string_view::npos) {
        result.violation = internal::Describe("bad line boundaries", fed);
        break;
      }
      result.output += std::string(line) + "\n";
      input.Drain(r.consumed);
    }
  }
  return result;
}

// Replays `data` whole and in two random splittings. `comparable(whole)`
// says whether outputs must match (false when they legitimately vary).
template <typename ReplayFn, typename ComparableFn>
inline std::string CompareSplits(std::string_view data, ReplayFn replay,
                                 ComparableFn comparable) {
  const uint64_t seed = Fnv1a(data);
  ReplayResult whole = replay(data, OneChunk(data.size()));
  if (!whole.violation.empty()) return "fed whole: " + whole.violation;
  const bool compare = comparable(whole);
  for (uint64_t round = 0; round < 2; ++round) {
    ReplayResult split = replay(data, RandomChunks(data.size(), seed + round));
    if (!split.violation.empty()) return "fed in pieces: " + split.violation;
    if (!compare) continue;
    if (whole.output != split.output) {
      return internal::FirstDifference(whole.output, split.output);
    }
    if (whole.closed != split.closed) return "close differs between splits";
  }
  return "";
}

inline bool Always(const ReplayResult&) { return true; }

inline std::string CheckServerInput(std::string_view data) {
  const int variant = static_cast<int>(Fnv1a(data) >> 60) & 3;
  return CompareSplits(
      data,
      [variant](std::string_view d, const std::vector<size_t>& chunks) {
        return ReplayServer(d, chunks, variant);
      },
      // "stats" reports rusage and the like, which differ between runs;
      // metadump and watch refuse to follow replies of the same read, as
      // in memcached, so their answer depends on the split.
      [](const ReplayResult& whole) {
        return whole.output.find("STAT ") == std::string::npos &&
               whole.output.find("cannot pipeline") == std::string::npos &&
               whole.output.find("key=") == std::string::npos;
      });
}

inline std::string CheckReplyInput(std::string_view data) {
  const uint64_t context_seed = Fnv1a(data) * 31 + 7;
  return CompareSplits(
      data,
      [context_seed](std::string_view d, const std::vector<size_t>& chunks) {
        return ReplayReplies(d, chunks, context_seed);
      },
      Always);
}

inline std::string CheckLineInput(std::string_view data) {
  return CompareSplits(data, ReplayLines, Always);
}

}  // namespace fuzz

#endif  // TESTS_FUZZ_FUZZ_REPLAY_IMPL_H_
