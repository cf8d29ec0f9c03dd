// Test helpers for TextCodec: run byte streams through the codec the way
// sock::CodecHandler does and describe every decoded outcome as one string,
// so that different splits of the same bytes can be compared.
#ifndef TESTS_CODEC_TEXT_CODEC_HARNESS_H_
#define TESTS_CODEC_TEXT_CODEC_HARNESS_H_

#include <string>
#include <string_view>
#include <vector>

#include "codec/text_codec.h"
#include "codec/text_request.h"
#include "sock/buffer.h"

namespace codec {
namespace testing_util {

inline std::string Escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 32 || c >= 127) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

inline std::string Describe(const sock::DecodeResult& r, const TextRequest& q) {
  std::string s;
  if (r.status == sock::DecodeStatus::kError) {
    s = "ERR[" + std::string(q.error) + "]";
    if (q.close_after_error) s += " close";
    if (q.too_large) s += " too_large";
  } else {
    s = "MSG " + std::string(q.name) + " cmd=" +
        std::to_string(static_cast<int>(q.command));
    for (auto k : q.keys) s += " k=" + Escape(k);
    if (q.flags) s += " flags=" + std::to_string(q.flags);
    if (q.exptime) s += " exp=" + std::to_string(q.exptime);
    if (q.has_exptime) s += " has_exp";
    if (q.cas_unique) s += " cas=" + std::to_string(q.cas_unique);
    if (q.delta) s += " delta=" + std::to_string(q.delta);
    if (!q.value.empty() || q.command == TextCommand::kSet) {
      s += " val=" + Escape(q.value);
    }
    for (auto a : q.args) s += " a=" + Escape(a);
    for (const auto& f : q.meta_flags) {
      s += " f=" + std::string(1, f.letter) + Escape(f.token);
    }
  }
  if (q.noreply) s += " noreply";
  s += " @" + std::to_string(r.consumed);
  return s;
}

// Feeds `chunks` one after another, decoding after each like CodecHandler.
inline std::vector<std::string> RunChunks(const std::vector<std::string>& chunks,
                                    const TextCodecOptions& options = {}) {
  TextCodec codec(options);
  sock::Buffer in;
  TextRequest req;
  std::vector<std::string> out;
  for (const auto& chunk : chunks) {
    in.Append(chunk);
    while (!in.empty()) {
      sock::DecodeResult r = codec.Decode(&in, &req);
      if (r.status == sock::DecodeStatus::kNeedMore) break;
      out.push_back(Describe(r, req));
      if (r.status == sock::DecodeStatus::kError && req.close_after_error) {
        return out;
      }
      in.Drain(r.consumed);
    }
  }
  if (!in.empty()) out.push_back("pending=" + std::to_string(in.size()));
  if (codec.swallow_remaining() > 0) {
    out.push_back("swallow=" + std::to_string(codec.swallow_remaining()));
  }
  return out;
}

inline std::vector<std::string> RunWhole(const std::string& bytes,
                                         const TextCodecOptions& o = {}) {
  return RunChunks({bytes}, o);
}

inline std::vector<std::string> RunBytewise(const std::string& bytes,
                                            const TextCodecOptions& o = {}) {
  std::vector<std::string> chunks;
  for (char c : bytes) chunks.emplace_back(1, c);
  return RunChunks(chunks, o);
}

}  // namespace testing_util
}  // namespace codec

#endif  // TESTS_CODEC_TEXT_CODEC_HARNESS_H_
