// CodecHandler over real connections: replies of a pipelined batch go out
// together, and the per-thread scratch (Message and reply Buffer) never
// carries one connection's replies into another's.

#include "sock/codec_handler.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <string>
#include <string_view>

#include "sock/server.h"
#include "tests/sock/test_util.h"

namespace sock {
namespace {

using sock_test::Client;

// One "\n"-terminated line per message.
struct Line {
  std::string text;
};

class LineSplitter : public Codec<Line> {
 public:
  DecodeResult Decode(Buffer* input, Line* message) override {
    size_t newline = input->FindNewline();
    if (newline == Buffer::kNpos) return {DecodeStatus::kNeedMore, 0};
    message->text = std::string(input->Peek(newline));
    return {DecodeStatus::kMessage, newline + 1};
  }
};

// "ok:<line>" per line; "abort" aborts, "quit" closes after the replies.
class Answerer {
 public:
  HandleResult OnMessage(Connection*, Line& line, Buffer* out) {
    if (line.text == "abort") return HandleResult::kAbort;
    if (line.text == "quit") return HandleResult::kClose;
    out->Append("ok:" + line.text + "\r\n");
    return HandleResult::kContinue;
  }
  HandleResult OnDecodeError(Connection*, Line&, Buffer*) { return HandleResult::kAbort; }
};

using LineHandler = CodecHandler<Line, LineSplitter, Answerer>;

class CodecHandlerTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.port = 0;
    options.engine = GetParam();
    options.io_threads = 1;  // every connection shares one thread's scratch
    server_ = std::make_unique<Server>(options, [] {
      return std::make_unique<LineHandler>(LineSplitter(), Answerer());
    });
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
  }
  void TearDown() override { server_->Stop(); }

  std::unique_ptr<Server> server_;
};

TEST_P(CodecHandlerTest, PipelinedBatchIsAnsweredInOrder) {
  Client c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.SendAll("a\nb\nc\n"));
  EXPECT_EQ(c.ReadExactly(18), "ok:a\r\nok:b\r\nok:c\r\n");
}

TEST_P(CodecHandlerTest, AbortedBatchRepliesReachNoOtherConnection) {
  Client doomed;
  Client bystander;
  ASSERT_TRUE(doomed.Connect(server_->port()));
  ASSERT_TRUE(bystander.Connect(server_->port()));
  // The replies to "x" and "y" are built, then dropped by the abort.
  ASSERT_TRUE(doomed.SendAll("x\ny\nabort\n"));
  bool eof = false;
  EXPECT_EQ(doomed.ReadToEof(&eof), "");
  EXPECT_EQ(doomed.last_errno(), ECONNRESET);  // aborted: reset, not EOF
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(bystander.SendAll("z\n"));
    EXPECT_EQ(bystander.ReadExactly(6), "ok:z\r\n");
  }
}

TEST_P(CodecHandlerTest, CloseSendsTheBatchSoFarThenEof) {
  Client c;
  Client other;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(other.Connect(server_->port()));
  ASSERT_TRUE(c.SendAll("p\nquit\nnever\n"));
  bool eof = false;
  EXPECT_EQ(c.ReadToEof(&eof), "ok:p\r\n");
  EXPECT_TRUE(eof);
  ASSERT_TRUE(other.SendAll("q\n"));
  EXPECT_EQ(other.ReadExactly(6), "ok:q\r\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, CodecHandlerTest,
                         ::testing::Values(Engine::kEvent, Engine::kThreaded),
                         [](const ::testing::TestParamInfo<Engine>& info) {
                           return std::string(EngineName(info.param));
                         });

}  // namespace
}  // namespace sock
