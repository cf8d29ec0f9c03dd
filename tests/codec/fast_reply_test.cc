// ParseFastReply (codec/fast_reply.h) must agree with ReplyCodec's general
// parser on everything it accepts, and accept nothing incomplete.
#include "codec/fast_reply.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/reply_codec.h"
#include "sock/buffer.h"

namespace codec {
namespace {

std::string Describe(const TextReply& r) {
  return std::string(ReplyTypeName(r.type)) + " line=" + std::string(r.line) +
         " key=" + std::string(r.key) + " text=" + std::string(r.text) +
         " data=" + std::string(r.data) + " flags=" + std::to_string(r.flags) +
         " cas=" + std::to_string(r.cas) + (r.has_cas ? "+" : "-") +
         " n=" + std::to_string(r.number);
}

// What the codec's general parser makes of the first element of `bytes`
// (empty if it needs more or fails), and how many bytes it takes.
std::string CodecFirst(const std::string& bytes, size_t* consumed) {
  sock::Buffer in;
  in.Append(bytes);
  ReplyCodec codec(ReplyCodec::kDefaultMaxLine, /*fast_path=*/false);
  TextReply r;
  sock::DecodeResult d = codec.Decode(&in, &r);
  *consumed = d.status == sock::DecodeStatus::kMessage ? d.consumed : 0;
  return *consumed > 0 ? Describe(r) : "";
}

const std::vector<std::string>& Cases() {
  static const std::vector<std::string> cases = {
      "VALUE k1 5 3\r\nabc\r\n",
      "VALUE key:two 4294967295 0 99\r\n\r\n",
      std::string("VALUE bin 0 6\r\na\r\nb\0c\r\n", 23),
      "VALUE k 0 0\r\n\r\n",
      "VALUE k 1 2 1234567890123456789\r\nab\r\n",
      "END\r\n", "STORED\r\n", "NOT_STORED\r\n", "EXISTS\r\n", "NOT_FOUND\r\n",
      "DELETED\r\n", "TOUCHED\r\n",
  };
  return cases;
}

TEST(FastReplyTest, AgreesWithTheCodecOnCanonicalElements) {
  for (const std::string& c : Cases()) {
    std::string bytes = c + "END\r\n";  // something after the element
    TextReply fast;
    size_t n = ParseFastReply(bytes, &fast);
    size_t codec_n = 0;
    std::string expected = CodecFirst(bytes, &codec_n);
    EXPECT_EQ(n, c.size()) << c;
    EXPECT_EQ(n, codec_n) << c;
    EXPECT_EQ(Describe(fast), expected) << c;
  }
}

TEST(FastReplyTest, NeverTakesAnIncompleteElement) {
  for (const std::string& c : Cases()) {
    for (size_t cut = 0; cut < c.size(); ++cut) {
      TextReply r;
      EXPECT_EQ(ParseFastReply(std::string_view(c).substr(0, cut), &r), 0u)
          << c << " cut at " << cut;
    }
  }
}

TEST(FastReplyTest, LeavesEverythingElseToTheCodec) {
  const char* others[] = {
      "VALUE k  0 3\r\nabc\r\n",        // two spaces: the codec's business
      "VALUE k 0 3 \r\nabc\r\n",        // trailing space
      "VALUE k 0 3\nabc\r\n",           // bare \n
      "VALUE k 0 3\r\nabcd\r\n",        // block not ended by \r\n
      "VALUE k 4294967296 3\r\nabc\r\n",  // flags too large
      "VALUE k 0 3 12345678901234567890\r\nabc\r\n",  // 20-digit cas
      "VALUE  k 0 3\r\nabc\r\n",
      "VALUE\tk 0 3\r\nabc\r\n",
      "END \r\n", "END\n", "ENDX\r\n", "STORED \r\n", "ERROR\r\n",
      "SERVER_ERROR out of memory\r\n", "VA 3 f1\r\nabc\r\n", "HD\r\n", "EN\r\n",
      "42\r\n", "VERSION 1.6.18\r\n", "STAT pid 1\r\n",
  };
  for (const char* o : others) {
    TextReply r;
    EXPECT_EQ(ParseFastReply(o, &r), 0u) << o;
  }
}

TEST(FastReplyTest, LeavesLinesOverMaxLineToTheCodec) {
  const std::string value = "VALUE " + std::string(40, 'k') + " 0 1\r\nx\r\n";
  TextReply r;
  EXPECT_EQ(ParseFastReply(value, &r, 49), 0u);  // the line is 50 bytes
  EXPECT_EQ(ParseFastReply(value, &r, 50), value.size());
  // Through the codec, whole or not: the same "too long" error either way.
  ReplyCodec codec(40);
  sock::Buffer in;
  in.Append(value);
  EXPECT_EQ(codec.Decode(&in, &r).status, sock::DecodeStatus::kError);
}

TEST(FastReplyTest, ParsesABatchBackToBack) {
  std::string stream;
  for (int i = 0; i < 100; ++i) {
    std::string v(i, 'x');
    stream += "VALUE key" + std::to_string(i) + " " + std::to_string(i) + " " +
              std::to_string(v.size()) + "\r\n" + v + "\r\n";
  }
  stream += "END\r\n";
  std::string_view rest = stream;
  int values = 0;
  TextReply r;
  while (size_t n = ParseFastReply(rest, &r)) {
    if (r.type == ReplyType::kValue) {
      EXPECT_EQ(r.key, "key" + std::to_string(values));
      EXPECT_EQ(r.data.size(), static_cast<size_t>(values));
      EXPECT_EQ(r.flags, static_cast<uint32_t>(values));
      ++values;
    }
    rest.remove_prefix(n);
  }
  EXPECT_EQ(values, 100);
  EXPECT_TRUE(rest.empty());
  EXPECT_EQ(r.type, ReplyType::kEnd);
}

}  // namespace
}  // namespace codec
