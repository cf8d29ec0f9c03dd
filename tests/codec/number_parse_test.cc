// The rules are memcached 1.6.18's util.c safe_strto* on LP64 glibc; the
// odd cases (tab suffix, "-0", truncation to 32 bits) were checked against
// the daemon with "set k <flags> <exptime> <len>".
#include "codec/number_parse.h"

#include <gtest/gtest.h>

namespace codec {
namespace {

TEST(SafeStrtoulTest, AcceptsPlainAndOddForms) {
  uint32_t v;
  EXPECT_TRUE(SafeStrtoul("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(SafeStrtoul("4294967295", &v));
  EXPECT_EQ(v, 4294967295u);
  EXPECT_TRUE(SafeStrtoul("+7", &v));
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(SafeStrtoul("\t7", &v));  // strtoul skips leading isspace
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(SafeStrtoul("7\tjunk", &v));  // stops at isspace
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(SafeStrtoul("-0", &v));
  EXPECT_EQ(v, 0u);
  // 64-bit strtoul result truncated into 32 bits, as memcached does.
  EXPECT_TRUE(SafeStrtoul("4294967296", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(SafeStrtoul("4294967297", &v));
  EXPECT_EQ(v, 1u);
  EXPECT_TRUE(SafeStrtoul("18446744073709551615", &v));
  EXPECT_EQ(v, 4294967295u);
  // strtoul("-5") wraps positive-as-signed only for huge magnitudes.
  EXPECT_TRUE(SafeStrtoul("-18446744073709551615", &v));
  EXPECT_EQ(v, 1u);
}

TEST(SafeStrtoulTest, Rejects) {
  uint32_t v = 9;
  for (const char* s : {"", "-", "+", "-1", "-5", "abc", "5x", "0x10",
                        "18446744073709551616", " ", "1.5",
                        "18446744073709551615-"}) {
    EXPECT_FALSE(SafeStrtoul(s, &v)) << s;
    EXPECT_EQ(v, 0u);
  }
}

TEST(SafeStrtoullTest, Range) {
  uint64_t v;
  EXPECT_TRUE(SafeStrtoull("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_FALSE(SafeStrtoull("18446744073709551616", &v));
  EXPECT_FALSE(SafeStrtoull("-1", &v));
  EXPECT_TRUE(SafeStrtoull("9223372036854775807", &v));
  EXPECT_TRUE(SafeStrtoull("9223372036854775808", &v));  // no '-': fine
  EXPECT_EQ(v, 9223372036854775808ull);
}

TEST(SafeStrtolTest, SignedAndTruncated) {
  int32_t v;
  EXPECT_TRUE(SafeStrtol("-1", &v));
  EXPECT_EQ(v, -1);
  EXPECT_TRUE(SafeStrtol("2147483647", &v));
  EXPECT_EQ(v, 2147483647);
  EXPECT_TRUE(SafeStrtol("2147483648", &v));  // long -> int32_t wraps
  EXPECT_EQ(v, INT32_MIN);
  EXPECT_TRUE(SafeStrtol("4294967297", &v));
  EXPECT_EQ(v, 1);
  EXPECT_TRUE(SafeStrtol("-9223372036854775808", &v));
  EXPECT_EQ(v, 0);
  EXPECT_FALSE(SafeStrtol("9223372036854775808", &v));
  EXPECT_FALSE(SafeStrtol("-9223372036854775809", &v));
  EXPECT_FALSE(SafeStrtol("", &v));
  EXPECT_FALSE(SafeStrtol("1a", &v));
}

TEST(SafeStrtollTest, Range) {
  int64_t v;
  EXPECT_TRUE(SafeStrtoll("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(SafeStrtoll("9223372036854775807", &v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_FALSE(SafeStrtoll("9223372036854775808", &v));
}

}  // namespace
}  // namespace codec
