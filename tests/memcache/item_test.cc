#include "memcache/item.h"

#include <cstring>

#include <gtest/gtest.h>

#include "memcache/arith_value.h"

namespace memcache {
namespace {

TEST(ItemTest, HeaderIsSmall) {
  EXPECT_EQ(Item::kHeaderSize, 50u);
  EXPECT_EQ(sizeof(Item), 56u);
}

TEST(ItemTest, CreateLaysOutKeyValueAndFlags) {
  ItemRef item = Item::Create("key", 42, 1234, 5);
  ASSERT_TRUE(item);
  std::memcpy(item->mutable_value(), "hello", 5);
  EXPECT_EQ(item->key(), "key");
  EXPECT_EQ(item->value(), "hello");
  EXPECT_EQ(item->flags(), 42u);
  EXPECT_EQ(item->exptime(), 1234);
  EXPECT_EQ(item->cas(), 0u);
  EXPECT_EQ(item->refcount(), 1u);
  EXPECT_FALSE(item->linked());
  EXPECT_FALSE(item->fetched());
}

TEST(ItemTest, EmptyValueAndMaxKey) {
  ItemRef empty = Item::Create("k", 0, 0, 0);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->value(), "");
  EXPECT_EQ(empty->flags(), 0u);
  std::string key(Item::kMaxKeyLength, 'k');
  EXPECT_TRUE(Item::Create(key, 0, 0, 1));
  EXPECT_FALSE(Item::Create(key + "k", 0, 0, 1));
}

TEST(ItemTest, StateBits) {
  ItemRef item = Item::Create("k", 0, 0, 1);
  item->set_fetched(true);
  item->set_stale(true);
  EXPECT_TRUE(item->fetched());
  EXPECT_TRUE(item->stale());
  EXPECT_FALSE(item->win_token_sent());
  item->set_win_token_sent(true);
  item->set_stale(false);
  EXPECT_FALSE(item->stale());
  EXPECT_TRUE(item->win_token_sent());
  EXPECT_TRUE(item->fetched());
}

TEST(ItemTest, ExptimeClamps) {
  ItemRef item = Item::Create("k", 0, -5, 1);
  EXPECT_EQ(item->exptime(), 1);  // negative means long expired, not never
  item->set_exptime(0);
  EXPECT_EQ(item->exptime(), 0);
  item->set_exptime(int64_t{1} << 40);
  EXPECT_EQ(item->exptime(), 0xffffffffLL);
}

TEST(ItemRefTest, CopyMoveDetachAdopt) {
  ItemRef a = Item::Create("k", 0, 0, 1);
  Item* raw = a.get();
  {
    ItemRef b = a;
    EXPECT_EQ(raw->refcount(), 2u);
    ItemRef c = std::move(b);
    EXPECT_FALSE(b);  // NOLINT: moved-from is empty by contract
    EXPECT_EQ(raw->refcount(), 2u);
  }
  EXPECT_EQ(raw->refcount(), 1u);
  ItemRef d = a;
  Item* detached = d.Detach();
  EXPECT_FALSE(d);
  EXPECT_EQ(raw->refcount(), 2u);
  // As sock::Buffer would call it once the bytes are written.
  Item::ReleaseCallback(raw->value().data(), raw->value().size(), detached);
  EXPECT_EQ(raw->refcount(), 1u);
  ItemRef e = ItemRef::Share(raw);
  EXPECT_EQ(raw->refcount(), 2u);
  ItemRef f = ItemRef::Adopt(e.Detach());
  EXPECT_EQ(raw->refcount(), 2u);
  f.reset();
  EXPECT_EQ(raw->refcount(), 1u);
  EXPECT_TRUE(a == ItemRef::Share(raw));
  EXPECT_TRUE(f == nullptr);
}

TEST(ItemTest, FlagsAreStoredOnlyWhenNonZero) {
  // Flags sit after the value; the value bytes must not clobber them.
  for (uint32_t flags : {0u, 1u, 0xdeadbeefu, 0xffffffffu}) {
    ItemRef item = Item::Create("key", flags, 0, 7);
    ASSERT_TRUE(item);
    std::memcpy(item->mutable_value(), "abcdefg", 7);
    item->set_fetched(true);
    item->set_stale(true);
    item->set_fetched(false);
    EXPECT_EQ(item->flags(), flags);
    EXPECT_EQ(item->value(), "abcdefg");
    EXPECT_EQ(item->key(), "key");
  }
  EXPECT_EQ(Item::ChargedSize(18, 7, 100), Item::ChargedSize(22, 0, 100));
}

TEST(ItemTest, ChargedSizeFollowsMallocRounding) {
  // 50 header + 18 key + 100 value = 168, + 8 -> 176.
  EXPECT_EQ(Item::ChargedSize(18, 0, 100), 176u);
  EXPECT_EQ(Item::ChargedSize(19, 0, 100), 192u);
  EXPECT_EQ(Item::ChargedSize(14, 5, 100), 176u);  // 4 bytes of flags
  EXPECT_EQ(Item::ChargedSize(15, 5, 100), 192u);
  EXPECT_EQ(Item::ChargedSize(0, 0, 0) % 16, 0u);
  ItemRef item = Item::Create("0123456789abcdefgh", 0, 0, 100);
  EXPECT_EQ(item->charged_size(), 176u);
  ItemRef flagged = Item::Create("0123456789abcd", 9, 0, 100);
  EXPECT_EQ(flagged->charged_size(), 176u);
  // memcached: 48 + 8 cas + key + 1 + (flags ? 4 : 0) + value + 2.
  EXPECT_EQ(Item::MemcachedSize(10, 0, 100, true), 169u);
  EXPECT_EQ(Item::MemcachedSize(10, 7, 100, false), 165u);
}

TEST(ArithValueTest, ParsesLikeMemcached) {
  uint64_t v = 99;
  EXPECT_TRUE(ParseArithValue("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseArithValue("12", &v));
  EXPECT_EQ(v, 12u);
  EXPECT_TRUE(ParseArithValue("9 ", &v));  // padding left by decr
  EXPECT_EQ(v, 9u);
  EXPECT_TRUE(ParseArithValue("  7", &v));
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(ParseArithValue("+5", &v));
  EXPECT_EQ(v, 5u);
  EXPECT_TRUE(ParseArithValue("-0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseArithValue("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_TRUE(ParseArithValue(std::string_view("3\0xyz", 5), &v));
  EXPECT_EQ(v, 3u);
  EXPECT_TRUE(ParseArithValue("5 junk", &v));
  EXPECT_EQ(v, 5u);
  // strtoull's wrap of a big negative number is positive as signed: allowed.
  EXPECT_TRUE(ParseArithValue("-9223372036854775809", &v));
  EXPECT_EQ(v, 9223372036854775807u);

  EXPECT_FALSE(ParseArithValue("", &v));
  EXPECT_FALSE(ParseArithValue("   ", &v));
  EXPECT_FALSE(ParseArithValue("abc", &v));
  EXPECT_FALSE(ParseArithValue("12abc", &v));
  EXPECT_FALSE(ParseArithValue("-1", &v));
  EXPECT_FALSE(ParseArithValue("18446744073709551616", &v));
  EXPECT_FALSE(ParseArithValue("1.5", &v));
  EXPECT_FALSE(ParseArithValue("+", &v));
}

TEST(ArithValueTest, FormatDecimal) {
  char buf[24];
  EXPECT_EQ(std::string(buf, FormatDecimal(0, buf)), "0");
  EXPECT_EQ(std::string(buf, FormatDecimal(1234567890, buf)), "1234567890");
  EXPECT_EQ(std::string(buf, FormatDecimal(UINT64_MAX, buf)),
            "18446744073709551615");
}

}  // namespace
}  // namespace memcache
