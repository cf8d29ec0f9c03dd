// AuthFile parsing and the AuthHandler exchange (memcached's -Y ASCII
// authentication), without sockets: a fake connection records what is sent.
#include "memcache/auth_handler.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "memcache/auth_file.h"

namespace memcache {
namespace {

class FakeConnection : public sock::Connection {
 public:
  FakeConnection() : sock::Connection(1, "fake") {}
  void Send(std::string_view data) override { sent += std::string(data); }
  void Send(sock::Buffer* data) override {
    sent += data->ToString();
    data->Clear();
  }
  void Close() override { closed = true; }
  void Abort() override { closed = true; }
  bool connected() const override { return !closed; }
  size_t pending_output() const override { return 0; }

  std::string sent;
  bool closed = false;
};

// Echoes every byte it gets, so the test sees what reached it.
class EchoHandler : public sock::ConnectionHandler {
 public:
  void OnInput(sock::Connection* conn, sock::Buffer* input) override {
    conn->Send("<" + input->ToString() + ">");
    input->Clear();
  }
};

std::shared_ptr<const AuthFile> TestFile() {
  std::string error;
  auto file = AuthFile::Parse("foo:bar\nbaaaz:quux\r\n", &error);
  EXPECT_NE(nullptr, file) << error;
  return file;
}

class AuthHandlerTest : public ::testing::Test {
 protected:
  AuthHandlerTest() : handler_(TestFile(), std::make_unique<EchoHandler>(), &counters_) {}

  // Feeds `bytes` (optionally one byte per call) and returns what was sent.
  std::string Feed(const std::string& bytes, bool bytewise = false) {
    conn_.sent.clear();
    if (bytewise) {
      for (char c : bytes) {
        input_.Append(&c, 1);
        handler_.OnInput(&conn_, &input_);
      }
    } else {
      input_.Append(bytes);
      handler_.OnInput(&conn_, &input_);
    }
    return conn_.sent;
  }

  AuthCounters counters_;
  AuthHandler handler_;
  FakeConnection conn_;
  sock::Buffer input_;
};

TEST(AuthFileTest, ParsesMemcachedFormat) {
  std::string error;
  auto file = AuthFile::Parse("foo:bar\nbaaaz:quux\r\nempty:\ncolon:a:b", &error);
  ASSERT_NE(nullptr, file) << error;
  EXPECT_EQ(4u, file->size());
  EXPECT_TRUE(file->Check("foo", "bar"));
  EXPECT_TRUE(file->Check("baaaz", "quux"));  // \r\n line end stripped
  EXPECT_TRUE(file->Check("empty", ""));
  EXPECT_TRUE(file->Check("colon", "a:b"));  // only the first ':' splits
  EXPECT_FALSE(file->Check("foo", "ba"));
  EXPECT_FALSE(file->Check("foo", "barr"));
  EXPECT_FALSE(file->Check("baaaz", "bar"));
  EXPECT_FALSE(file->Check("", ""));
}

TEST(AuthFileTest, RejectsMalformedFiles) {
  std::string error;
  EXPECT_EQ(nullptr, AuthFile::Parse("foo:bar\nnocolon\n", &error));
  EXPECT_NE(std::string::npos, error.find("malformed"));
  EXPECT_EQ(nullptr, AuthFile::Parse("foo:bar\n\nbaz:qux\n", &error));  // empty line
  EXPECT_EQ(nullptr, AuthFile::Parse("u:" + std::string(300, 'p') + "\n", &error));
  EXPECT_EQ(nullptr, AuthFile::Load("/nonexistent/auth", &error));
  EXPECT_NE(std::string::npos, error.find("could not open"));
}

TEST(AuthFileTest, KeepsAtMostEightEntries) {
  std::string contents;
  for (int i = 0; i < 10; ++i) contents += "u" + std::to_string(i) + ":p\n";
  std::string error;
  auto file = AuthFile::Parse(contents, &error);
  ASSERT_NE(nullptr, file);
  EXPECT_EQ(8u, file->size());
  EXPECT_TRUE(file->Check("u7", "p"));
  EXPECT_FALSE(file->Check("u8", "p"));
}

// memcached's t/ascii-auth.t, byte for byte.
TEST_F(AuthHandlerTest, MemcachedAsciiAuthScript) {
  EXPECT_EQ("CLIENT_ERROR bad authentication token format\r\n",
            Feed("set foo 0 0 2\r\nhi\r\n"));
  EXPECT_EQ("CLIENT_ERROR unauthenticated\r\n", Feed("get foo\r\n"));
  EXPECT_EQ("CLIENT_ERROR authentication failure\r\n", Feed("set foo 0 0 7\r\nfoo bab\r\n"));
  EXPECT_FALSE(handler_.authenticated());
  EXPECT_EQ("STORED\r\n", Feed("set foo 0 0 7\r\nfoo bar\r\n"));
  EXPECT_TRUE(handler_.authenticated());
  // From now on everything goes to the real handler.
  EXPECT_EQ("<set toast 0 0 2\r\nhi\r\n>", Feed("set toast 0 0 2\r\nhi\r\n"));
  EXPECT_EQ(2u, counters_.commands.load());
  EXPECT_EQ(1u, counters_.errors.load());
}

TEST_F(AuthHandlerTest, ByteAtATimeAndPipelinedCommandsAfterLogin) {
  EXPECT_EQ("STORED\r\n<g>", Feed("set x 1 2 10\r\nbaaaz quux\r\ng", /*bytewise=*/true));
  EXPECT_FALSE(conn_.closed);
}

TEST_F(AuthHandlerTest, LoginAndCommandsInOneRead) {
  EXPECT_EQ("STORED\r\n<get a\r\n>", Feed("set a 0 0 7\r\nfoo bar\r\nget a\r\n"));
}

TEST_F(AuthHandlerTest, BadFramingAndOversizedTokens) {
  EXPECT_EQ("CLIENT_ERROR unauthenticated\r\n", Feed("set a 0 0\r\n"));
  EXPECT_EQ("CLIENT_ERROR unauthenticated\r\n", Feed("set a 0 0 -1\r\n"));
  EXPECT_EQ("CLIENT_ERROR unauthenticated\r\n", Feed("add a 0 0 7\r\n"));
  EXPECT_EQ("CLIENT_ERROR bad command line termination\r\n",
            Feed("set a 0 0 7\r\nfoo barXY"));
  EXPECT_FALSE(conn_.closed);
  // An unauthenticated client may not make us buffer a big "token".
  EXPECT_EQ("", Feed("set a 0 0 4294967296\r\n"));
  EXPECT_TRUE(conn_.closed);
}

TEST_F(AuthHandlerTest, LongLineWithoutNewlineCloses) {
  Feed(std::string(2000, 'x'));
  EXPECT_FALSE(conn_.closed);
  Feed(std::string(100, 'x'));
  EXPECT_TRUE(conn_.closed);
}

}  // namespace
}  // namespace memcache
