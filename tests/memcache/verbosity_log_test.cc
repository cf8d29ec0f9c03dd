// "verbosity N" changes what the server logs, as in memcached: 1 logs client
// errors, 2 also every command line.

#include <glog/logging.h>
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "tests/memcache/handler_test_util.h"

namespace memcache {
namespace {

// Collects the INFO lines logged while it is registered.
class CapturingSink : public google::LogSink {
 public:
  CapturingSink() { google::AddLogSink(this); }
  ~CapturingSink() override { google::RemoveLogSink(this); }
  void send(google::LogSeverity severity, const char* /*full_filename*/,
            const char* /*base_filename*/, int /*line*/, const struct ::tm* /*tm_time*/,
            const char* message, size_t message_len) override {
    if (severity != google::GLOG_INFO) return;
    std::lock_guard<std::mutex> lock(mu_);
    lines_.emplace_back(message, message_len);
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

class VerbosityLogTest : public testing_util::HandlerTest {};

TEST_F(VerbosityLogTest, LevelZeroLogsNothingPerRequest) {
  CapturingSink sink;
  EXPECT_EQ(Run("get a\r\nbogus\r\n"), "END\r\nERROR\r\n");
  EXPECT_TRUE(sink.lines().empty());
}

TEST_F(VerbosityLogTest, LevelOneLogsClientErrorsOnly) {
  EXPECT_EQ(Run("verbosity 1\r\n"), "OK\r\n");
  CapturingSink sink;
  EXPECT_EQ(Run("get a\r\nincr a notanumber\r\n"),
            "END\r\nCLIENT_ERROR invalid numeric delta argument\r\n");
  std::vector<std::string> lines = sink.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "<0 incr a notanumber -> CLIENT_ERROR invalid numeric delta argument");
}

TEST_F(VerbosityLogTest, LevelTwoLogsEveryCommandLine) {
  EXPECT_EQ(Run("verbosity 2\r\n"), "OK\r\n");
  CapturingSink sink;
  EXPECT_EQ(Run("set k 0 0 1\r\nv\r\nget k\r\n"), "STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n");
  std::vector<std::string> lines = sink.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "<0 set k 0 0 1");
  EXPECT_EQ(lines[1], "<0 get k");
  // Back to quiet.
  EXPECT_EQ(Run("verbosity 0\r\n"), "OK\r\n");
  EXPECT_EQ(Run("get k\r\n"), "VALUE k 0 1\r\nv\r\nEND\r\n");
  EXPECT_EQ(sink.lines().size(), 3u);  // only the "verbosity 0" line itself
}

TEST_F(VerbosityLogTest, LongLinesAreCut) {
  EXPECT_EQ(Run("verbosity 2\r\n"), "OK\r\n");
  CapturingSink sink;
  std::string key(240, 'k');
  EXPECT_EQ(Run("get " + key + "\r\n"), "END\r\n");
  std::vector<std::string> lines = sink.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "<0 get " + key.substr(0, 196) + "...");
}

}  // namespace
}  // namespace memcache
