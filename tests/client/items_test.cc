#include "client/items.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "client/reply_assembler.h"
#include "client/result.h"

namespace client {
namespace {

TEST(ItemsTest, EmptyFindsNothing) {
  Items items;
  EXPECT_TRUE(items.empty());
  EXPECT_EQ(items.size(), 0u);
  EXPECT_EQ(items.begin(), items.end());
  EXPECT_EQ(items.find("k"), items.end());
  EXPECT_EQ(items.count("k"), 0u);
  EXPECT_FALSE(items.contains("k"));
  EXPECT_THROW(items.at("k"), std::out_of_range);
}

TEST(ItemsTest, KeepsReplyOrderAndLooksUpByKey) {
  Items items;
  items.ExpectHits(3);
  items.Add("b", "22", 2, 7);
  items.Add("a", "", 1, 0);
  items.Add("c", std::string(1000, 'x'), 3, 9);  // grows past the estimate
  ASSERT_EQ(items.size(), 3u);
  std::vector<std::string> keys;
  for (const ItemView& v : items) keys.emplace_back(v.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(items.at("b").value, "22");
  EXPECT_EQ(items.at("b").flags, 2u);
  EXPECT_EQ(items.at("b").cas, 7u);
  EXPECT_EQ(items.at("a").value, "");
  EXPECT_EQ(items.at("c").value.size(), 1000u);
  EXPECT_EQ(items.find("c")->flags, 3u);
  EXPECT_EQ(items.find("c") - items.begin(), 2);
  EXPECT_EQ(items[1].key, "a");
  EXPECT_EQ(items.count("a"), 1u);
  EXPECT_FALSE(items.contains("d"));
  EXPECT_FALSE(items.contains("bb"));
  EXPECT_EQ(items.bytes(), 1u + 2 + 1 + 0 + 1 + 1000);
  Item copy = items.at("b").ToItem();
  EXPECT_EQ(copy.value, "22");
}

TEST(ItemsTest, DuplicateKeysKeepBothAndFindTheFirst) {
  Items items;
  items.Add("k", "1", 0, 0);
  items.Add("k", "2", 0, 0);
  EXPECT_EQ(items.size(), 2u);
  EXPECT_EQ(items.count("k"), 2u);
  EXPECT_EQ(items.at("k").value, "1");
}

TEST(ItemsTest, AppendShiftsTheOtherPart) {
  Items a, b;
  a.Add("x", "1", 1, 0);
  b.Add("y", "22", 2, 0);
  b.Add("z", "333", 3, 0);
  a.Append(std::move(b));
  EXPECT_TRUE(b.empty());
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a.at("x").value, "1");
  EXPECT_EQ(a.at("y").value, "22");
  EXPECT_EQ(a.at("z").value, "333");
  Items c;
  c.Append(std::move(a));  // into an empty one: takes the buffers
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.at("z").flags, 3u);
  c.clear();
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.find("z"), c.end());
}

TEST(ItemsTest, ManyHits) {
  Items items;
  items.ExpectHits(500);
  for (int i = 0; i < 500; ++i) {
    items.Add("key:" + std::to_string(i), std::to_string(i * 7), i, i);
  }
  ASSERT_EQ(items.size(), 500u);
  for (int i = 0; i < 500; i += 37) {
    ItemView v = items.at("key:" + std::to_string(i));
    EXPECT_EQ(v.value, std::to_string(i * 7));
    EXPECT_EQ(v.cas, static_cast<uint64_t>(i));
  }
}

TEST(ItemsTest, AssemblerFillsItemsFromValueElements) {
  Result r;
  PrepareResult(Op::kMultiGets, &r);
  codec::TextReply v;
  v.type = codec::ReplyType::kValue;
  v.key = "a";
  v.data = "hello";
  v.flags = 4;
  v.cas = 11;
  EXPECT_EQ(ApplyReply(Op::kMultiGets, v, &r), ApplyOutcome::kMore);
  codec::TextReply end;
  end.type = codec::ReplyType::kEnd;
  EXPECT_EQ(ApplyReply(Op::kMultiGets, end, &r), ApplyOutcome::kDone);
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items.at("a").value, "hello");
  EXPECT_EQ(r.items.at("a").cas, 11u);
}

}  // namespace
}  // namespace client
