#include "codec/text_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/base64.h"

namespace codec {
namespace {

TEST(TextTokenizerTest, SplitsOnSpacesOnly) {
  TextTokens t;
  TokenizeCommand("  get\ta  b\r ", &t);
  ASSERT_EQ(t.count, 2u);
  EXPECT_EQ(t.token[0], "get\ta");
  EXPECT_EQ(t.token[1], "b\r");
  EXPECT_TRUE(t.rest.empty());
  TokenizeCommand("", &t);
  EXPECT_EQ(t.count, 0u);
  TokenizeCommand("    ", &t);
  EXPECT_EQ(t.count, 0u);
}

TEST(TextTokenizerTest, StopsAfter23Tokens) {
  std::string line;
  for (int i = 0; i < 30; ++i) line += "t" + std::to_string(i) + " ";
  TextTokens t;
  TokenizeCommand(line, &t);
  ASSERT_EQ(t.count, 23u);
  EXPECT_EQ(t.token[22], "t22");
  EXPECT_EQ(t.rest.substr(0, 4), "t23 ");
  std::vector<std::string_view> rest;
  ForEachToken(t.rest, [&](std::string_view s) { rest.push_back(s); });
  EXPECT_EQ(rest.size(), 7u);

  // Exactly 23 tokens, with or without a trailing space: nothing left.
  std::string exact;
  for (int i = 0; i < 23; ++i) exact += "x ";
  TokenizeCommand(exact, &t);
  EXPECT_EQ(t.count, 23u);
  EXPECT_TRUE(t.rest.empty());
  exact.pop_back();
  TokenizeCommand(exact, &t);
  EXPECT_EQ(t.count, 23u);
  EXPECT_TRUE(t.rest.empty());
}

TEST(Base64Test, DecodeLikeMemcached) {
  std::string out;
  EXPECT_EQ(Base64Decode("Zm9v", &out), 3u);
  EXPECT_EQ(out, "foo");
  EXPECT_EQ(Base64Decode("Zm8=", &out), 2u);
  EXPECT_EQ(out, "fo");
  EXPECT_EQ(Base64Decode("Zg==", &out), 1u);
  EXPECT_EQ(out, "f");
  EXPECT_EQ(Base64Decode("Z!g=*=", &out), 1u);  // junk bytes are skipped
  EXPECT_EQ(Base64Decode("Zg==Zm9v", &out), 1u);  // stops after padding
  EXPECT_EQ(Base64Decode("Zm9", &out), 0u);
  EXPECT_EQ(Base64Decode("", &out), 0u);
  EXPECT_EQ(Base64Decode("!!!!", &out), 0u);
  EXPECT_EQ(Base64Decode("Z===", &out), 0u);
  EXPECT_EQ(Base64DecodedLength("Zm9vYmFy"), 6u);
}

TEST(Base64Test, EncodeRoundTrip) {
  std::string enc;
  std::string dec;
  for (const std::string& s : std::vector<std::string>{"f", "fo", "foo", "foob", std::string("\0\xff\r\n", 4)}) {
    Base64Encode(s, &enc);
    EXPECT_EQ(Base64Decode(enc, &dec), s.size());
    EXPECT_EQ(dec, s);
  }
  Base64Encode("fo", &enc);
  EXPECT_EQ(enc, "Zm8=");
}

}  // namespace
}  // namespace codec
