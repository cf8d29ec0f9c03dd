// Session multi-gets (client/items.h results, codec/fast_reply.h parsing)
// against memcached 1.6.18 and against our server.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "client/session.h"
#include "tests/client/server_under_test.h"

namespace client {
namespace {

class SessionMultiGetTest : public ServerUnderTest {};

INSTANTIATE_TEST_SUITE_P(Servers, SessionMultiGetTest,
                         ::testing::Values("memcached", "ours"));

TEST_P(SessionMultiGetTest, MultiGetReturnsHitsByKey) {
  Session s(OptionsFor(server_.port()));
  ASSERT_TRUE(s.Set("a", "1", 1).ok());
  ASSERT_TRUE(s.Set("b", "22", 2).ok());
  Result r = s.MultiGet({"a", "missing", "b"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.items.size(), 2u);
  EXPECT_EQ(r.items.at("a").value, "1");
  EXPECT_EQ(r.items.at("b").flags, 2u);
  Result rs = s.MultiGets({"a", "b"});
  EXPECT_NE(rs.items.at("a").cas, 0u);
  EXPECT_TRUE(s.MultiGet({"x", "y"}).items.empty());
}

// The TTL memcached reports for `key` (mg's t flag: -1 means never expires).
long long TtlOf(Session& s, std::string_view key) {
  Result r = s.MetaGet(key, "t");
  if (!r.ok()) return -2;
  size_t t = r.meta_flags.find('t');
  return t == std::string::npos ? -3 : std::stoll(r.meta_flags.substr(t + 1));
}

TEST_P(SessionMultiGetTest, MultiGatReturnsAndTouchesEveryHit) {
  Session s(OptionsFor(server_.port()));
  ASSERT_TRUE(s.Set("ga", "1", 1).ok());
  ASSERT_TRUE(s.Set("gb", "22", 2, 5000).ok());
  ASSERT_EQ(TtlOf(s, "ga"), -1);
  Result r = s.MultiGat(1000, {"ga", "missing", "gb"});
  ASSERT_TRUE(r.ok()) << r.Describe();
  ASSERT_EQ(r.items.size(), 2u);
  EXPECT_EQ(r.items.at("ga").value, "1");
  EXPECT_EQ(r.items.at("gb").flags, 2u);
  EXPECT_EQ(r.items.at("gb").cas, 0u);  // gat does not report CAS
  for (const char* key : {"ga", "gb"}) {
    long long ttl = TtlOf(s, key);
    EXPECT_TRUE(ttl >= 998 && ttl <= 1000) << key << " ttl " << ttl;
  }
  Result rs = s.MultiGats(0, {"ga", "gb"});
  ASSERT_EQ(rs.items.size(), 2u);
  EXPECT_NE(rs.items.at("ga").cas, 0u);
  EXPECT_EQ(TtlOf(s, "gb"), -1);  // exptime 0: never expires
  EXPECT_TRUE(s.MultiGat(10, {"x", "y"}).items.empty());
}

TEST_P(SessionMultiGetTest, MultiGetOfManyKeysAndSizes) {
  // Replies span many reads and buffer chains: the fast path and the codec
  // take turns (values up to 200 KB arrive in pieces).
  Session s(OptionsFor(server_.port()));
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) {
    keys.push_back("many:" + std::to_string(i));
    size_t size = i % 50 == 0 ? 200000 + i : static_cast<size_t>(i * 7);
    if (i % 3 != 2) {
      ASSERT_TRUE(s.Set(keys.back(), std::string(size, 'a' + i % 26), i).ok());
    }
  }
  std::vector<std::string_view> views(keys.begin(), keys.end());
  for (int round = 0; round < 3; ++round) {
    Result r = round == 1 ? s.MultiGets(views) : s.MultiGet(views);
    ASSERT_TRUE(r.ok()) << r.Describe();
    ASSERT_EQ(r.items.size(), 200u);
    size_t n = 0;
    for (const ItemView& item : r.items) {
      while (n % 3 == 2) ++n;  // misses are absent; hits come in request order
      EXPECT_EQ(item.key, keys[n]);
      size_t size = n % 50 == 0 ? 200000 + n : n * 7;
      EXPECT_EQ(item.value, std::string(size, 'a' + n % 26));
      EXPECT_EQ(item.flags, n);
      if (round == 1) {
        EXPECT_NE(item.cas, 0u);
      }
      ++n;
    }
    EXPECT_FALSE(r.items.contains("many:2"));
    EXPECT_EQ(r.items.at("many:298").flags, 298u);  // 299 is a miss
  }
}

}  // namespace
}  // namespace client
