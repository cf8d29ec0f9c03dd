#include "sock/buffer.h"

#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

namespace sock {
namespace {

TEST(BufferTest, AppendPeekDrain) {
  Buffer b;
  EXPECT_TRUE(b.empty());
  b.Append("hello ");
  b.Append(std::string("world"));
  EXPECT_EQ(b.size(), 11u);
  EXPECT_EQ(b.Peek(5), "hello");
  b.Drain(6);
  EXPECT_EQ(b.ToString(), "world");
  b.Drain(100);
  EXPECT_TRUE(b.empty());
}

TEST(BufferTest, FindNewlineAcrossChainsAndLimit) {
  Buffer b;
  Buffer other;
  for (int i = 0; i < 100; ++i) b.Append(std::string(1000, 'a'));
  other.Append("xy\nz");
  b.AppendBuffer(&other);
  EXPECT_TRUE(other.empty());
  EXPECT_EQ(b.FindNewline(), 100002u);
  EXPECT_EQ(b.FindNewline(100002), Buffer::kNpos);
  EXPECT_EQ(b.FindNewline(100003), 100002u);
  EXPECT_EQ(b.Peek(100003).substr(100000), "xy\n");
}

TEST(BufferTest, AppendReferenceRunsCleanupOnce) {
  static int cleanups;
  cleanups = 0;
  static const char kData[] = "referenced";
  {
    Buffer b;
    b.AppendReference(kData, 10, [](const void*, size_t n, void*) {
      EXPECT_EQ(n, 10u);
      ++cleanups;
    }, nullptr);
    EXPECT_EQ(b.ToString(), "referenced");
    EXPECT_EQ(cleanups, 0);
  }
  EXPECT_EQ(cleanups, 1);
}

TEST(BufferTest, CopyOutDoesNotDrain) {
  Buffer b;
  b.Append("abcdef");
  char out[4];
  EXPECT_EQ(b.CopyOut(out, 4), 4u);
  EXPECT_EQ(std::string(out, 4), "abcd");
  EXPECT_EQ(b.size(), 6u);
}

TEST(BufferTest, MoveTransfersContents) {
  Buffer a;
  a.Append("x");
  Buffer b(std::move(a));
  EXPECT_EQ(b.ToString(), "x");
  Buffer c;
  c = std::move(b);
  EXPECT_EQ(c.ToString(), "x");
}

TEST(BufferTest, ReadFromAndWriteToSocket) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  Buffer out;
  out.Append("one ");
  out.Append("two ");
  out.Append("three");
  EXPECT_EQ(out.WriteTo(sv[0]), 13);
  EXPECT_TRUE(out.empty());
  Buffer in;
  EXPECT_EQ(in.ReadFrom(sv[1], 4), 4);
  EXPECT_EQ(in.ReadFrom(sv[1], 100), 9);
  EXPECT_EQ(in.ToString(), "one two three");
  close(sv[0]);
  EXPECT_EQ(in.ReadFrom(sv[1], 100), 0);
  close(sv[1]);
}

// libevent 2.1's evbuffer_read stops at 4096 bytes; ReadFrom must not.
TEST(BufferTest, ReadFromReadsWholeChunks) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  std::string data(100000, 'z');
  data[70000] = 'q';
  ASSERT_EQ(write(sv[0], data.data(), data.size()), 100000);
  Buffer in;
  in.Append("prefix");
  EXPECT_EQ(in.ReadFrom(sv[1], 65536), 65536);
  long more = 0;
  while (in.size() < 100006) {
    long n = in.ReadFrom(sv[1], 65536);
    ASSERT_GT(n, 0);
    more += n;
  }
  EXPECT_EQ(more, 100000 - 65536);
  EXPECT_EQ(in.ToString(), "prefix" + data);
  close(sv[0]);
  close(sv[1]);
}

TEST(BufferTest, FrontIsAPrefixOfTheContents) {
  Buffer b;
  EXPECT_TRUE(b.Front().empty());
  b.Append("hello ");
  b.Append(std::string(10000, 'w'));
  std::string all = b.ToString();
  std::string_view front = b.Front();
  ASSERT_FALSE(front.empty());
  EXPECT_EQ(all.compare(0, front.size(), front), 0);
  b.Drain(3);
  EXPECT_EQ(b.Front().substr(0, 3), "lo ");
}

}  // namespace
}  // namespace sock
