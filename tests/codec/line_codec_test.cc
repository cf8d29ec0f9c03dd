#include "codec/line_codec.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace codec {
namespace {

using sock::Buffer;
using sock::DecodeStatus;

// Decodes everything available; returns the lines, appends errors as "!err".
std::vector<std::string> DecodeAll(LineCodec* codec, Buffer* in) {
  std::vector<std::string> out;
  LineMessage m;
  while (!in->empty()) {
    sock::DecodeResult r = codec->Decode(in, &m);
    if (r.status == DecodeStatus::kNeedMore) break;
    if (r.status == DecodeStatus::kError) {
      out.push_back("!" + std::string(m.error));
      if (r.consumed == 0) break;
    } else {
      out.emplace_back(m.line);
    }
    in->Drain(r.consumed);
  }
  return out;
}

TEST(LineCodecTest, CrLfAndBareLfAndEmptyLines) {
  LineCodec codec;
  Buffer in;
  in.Append("one\r\ntwo\n\r\n\nthree\r\npartial");
  EXPECT_EQ(DecodeAll(&codec, &in),
            (std::vector<std::string>{"one", "two", "", "", "three"}));
  EXPECT_EQ(in.ToString(), "partial");
}

TEST(LineCodecTest, NeedMoreConsumesNothing) {
  LineCodec codec;
  Buffer in;
  in.Append("abc\r");
  LineMessage m;
  sock::DecodeResult r = codec.Decode(&in, &m);
  EXPECT_EQ(r.status, DecodeStatus::kNeedMore);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(in.size(), 4u);
}

TEST(LineCodecTest, EverySplitPoint) {
  const std::string stream = "get a\r\n\nset b 0 0 1\r\nx\r\n\r\nlast\n";
  const std::vector<std::string> want = {"get a", "", "set b 0 0 1", "x", "", "last"};
  for (size_t split = 0; split <= stream.size(); ++split) {
    LineCodec codec;
    Buffer in;
    in.Append(stream.substr(0, split));
    std::vector<std::string> got = DecodeAll(&codec, &in);
    in.Append(stream.substr(split));
    for (auto& line : DecodeAll(&codec, &in)) got.push_back(line);
    EXPECT_EQ(got, want) << "split at " << split;
    EXPECT_TRUE(in.empty());
  }
}

TEST(LineCodecTest, ByteByByte) {
  const std::string stream = "alpha\r\nbeta\ngamma\r\n";
  LineCodec codec;
  Buffer in;
  std::vector<std::string> got;
  for (char ch : stream) {
    in.Append(std::string(1, ch));
    for (auto& line : DecodeAll(&codec, &in)) got.push_back(line);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"alpha", "beta", "gamma"}));
}

TEST(LineCodecTest, ManyPipelinedLinesInOneBuffer) {
  LineCodec codec;
  Buffer in;
  std::string s;
  for (int i = 0; i < 10000; ++i) s += "line " + std::to_string(i) + (i % 2 ? "\n" : "\r\n");
  in.Append(s);
  std::vector<std::string> got = DecodeAll(&codec, &in);
  ASSERT_EQ(got.size(), 10000u);
  EXPECT_EQ(got[0], "line 0");
  EXPECT_EQ(got[9999], "line 9999");
}

TEST(LineCodecTest, MaxLengthBoundary) {
  LineCodec codec(8);
  Buffer in;
  in.Append("12345678\r\n12345678\n");
  EXPECT_EQ(DecodeAll(&codec, &in), (std::vector<std::string>{"12345678", "12345678"}));
  in.Append("123456789\n");
  EXPECT_EQ(DecodeAll(&codec, &in), (std::vector<std::string>{"!line too long"}));
}

TEST(LineCodecTest, OverlongWithoutNewlineIsErrorWithoutConsuming) {
  LineCodec codec(8);
  Buffer in;
  in.Append("123456789");  // 9 bytes: could still be 8 + "\r"? no: 9 > 8 + "\r"
  LineMessage m;
  // 9 bytes < limit (10) so the codec may still wait; 10 without "\n" is an error.
  sock::DecodeResult r = codec.Decode(&in, &m);
  EXPECT_EQ(r.status, DecodeStatus::kNeedMore);
  in.Append("0");
  r = codec.Decode(&in, &m);
  EXPECT_EQ(r.status, DecodeStatus::kError);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(m.error, "line too long");
}

TEST(LineCodecTest, DefaultLimitIs8192) {
  LineCodec codec;
  EXPECT_EQ(codec.max_line_length(), 8192u);
  Buffer in;
  in.Append(std::string(8192, 'a') + "\r\n");
  EXPECT_EQ(DecodeAll(&codec, &in).at(0).size(), 8192u);
  in.Append(std::string(100000, 'b'));
  EXPECT_EQ(DecodeAll(&codec, &in), (std::vector<std::string>{"!line too long"}));
}

}  // namespace
}  // namespace codec
