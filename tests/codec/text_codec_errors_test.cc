// Every error path of the classic commands: the reply string, what is
// consumed and what follows. Each expectation was compared with memcached
// 1.6.18's answer to the same bytes (replies suppressed by noreply show as
// "ERR[]").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/text_codec.h"
#include "tests/codec/text_codec_harness.h"

namespace codec {
namespace {

using testing_util::RunBytewise;
using testing_util::RunWhole;
using V = std::vector<std::string>;

struct Case {
  std::string input;
  V expect;
};

const char kBad[] = "ERR[CLIENT_ERROR bad command line format]";

void Check(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(RunWhole(c.input), c.expect) << testing_util::Escape(c.input);
    EXPECT_EQ(RunBytewise(c.input), c.expect) << testing_util::Escape(c.input);
  }
}

TEST(TextCodecErrorsTest, UnknownAndMalformed) {
  Check({
      {"\r\n", {"ERR[ERROR] @2"}},
      {"\n", {"ERR[ERROR] @1"}},
      {"   \r\n", {"ERR[ERROR] @5"}},
      {"x\r\n", {"ERR[ERROR] @3"}},
      {"bogus a b\r\n", {"ERR[ERROR] @11"}},
      {"get\r\n", {"ERR[ERROR] @5"}},
      {"gets\r\n", {"ERR[ERROR] @6"}},
      {"gat\r\n", {"ERR[ERROR] @5"}},
      {"gxx a\r\n", {"ERR[ERROR] @7"}},
      {"GET\r\n", {"ERR[ERROR] @5"}},
      {"stat\r\n", {"ERR[ERROR] @6"}},
      {"mx k\r\n", {"ERR[ERROR] @6"}},
      {"misbehave\r\n", {"ERR[ERROR] @11"}},
      {"debugtime 1\r\n", {"ERR[ERROR] @13"}},
      {"lru\r\n", {"ERR[ERROR] @5"}},
      {"extstore\r\n", {"ERR[ERROR] @10"}},
      {"verbosity\r\n", {"ERR[ERROR] @11"}},
      {"verbosity 1 2 3\r\n", {"ERR[ERROR] @17"}},
      {"cache_memlimit\r\n", {"ERR[ERROR] @16"}},
      {"cache_memlimit abc\r\n", {"ERR[ERROR] @20"}},
      {"cache_memlimit abc noreply\r\n", {"ERR[] noreply @28"}},
      {"verbosity abc\r\n", {std::string(kBad) + " @15"}},
      {"verbosity noreply\r\n", {"ERR[] noreply @19"}},
  });
}

TEST(TextCodecErrorsTest, HttpAndSilentCloses) {
  Check({
      {"GET / HTTP/1.1\r\nversion\r\n", {"ERR[] close @0"}},
      {"DELETE HTTP/1.1\r\n", {"ERR[] close @0"}},
      {"foo bar HTTP/1.0\r\n", {"ERR[] close @0"}},
      {"mfoo HTTP/1.0\r\n", {"ERR[] close @0"}},
      // Inside a known first-letter branch there is no HTTP check.
      {"sfoo HTTP/1.1\r\n", {"ERR[ERROR] @15"}},
  });
}

TEST(TextCodecErrorsTest, Storage) {
  Check({
      {"set k 0 0\r\n", {"ERR[ERROR] @11"}},
      {"set k 0 0 1 noreply x\r\nx\r\n", {"ERR[ERROR] @23", "ERR[ERROR] @3"}},
      {"set k abc 0 1\r\nx\r\n", {std::string(kBad) + " @15", "ERR[ERROR] @3"}},
      {"set k -1 0 1\r\nx\r\n", {std::string(kBad) + " @14", "ERR[ERROR] @3"}},
      {"set k 0 abc 1\r\nx\r\n", {std::string(kBad) + " @15", "ERR[ERROR] @3"}},
      {"set k 0 0 abc\r\nx\r\n", {std::string(kBad) + " @15", "ERR[ERROR] @3"}},
      {"set k 0 0 -1\r\nx\r\n", {std::string(kBad) + " @14", "ERR[ERROR] @3"}},
      {"set k 0 0 2147483646\r\nxyz\r\n",
       {std::string(kBad) + " @22", "ERR[ERROR] @5"}},
      {"set k 0 0 2147483648\r\n", {std::string(kBad) + " @22"}},
      {"set k 0 0 4294967295\r\n", {std::string(kBad) + " @22"}},
      // strtol's long truncated to int32: 2^32 + 1 is a length of 1.
      {"set k 0 0 4294967297\r\nx\r\n",
       {"MSG set cmd=5 k=k val=x @25"}},
      {"set k 0 0 noreply\r\nx\r\n", {"ERR[] noreply @19", "ERR[ERROR] @3"}},
      {"set k abc 0 1 noreply\r\nx\r\n", {"ERR[] noreply @23", "ERR[ERROR] @3"}},
      {"cas k 0 0 1\r\nx\r\n", {"ERR[ERROR] @13", "ERR[ERROR] @3"}},
      {"cas k 0 0 1 abc\r\nx\r\n", {std::string(kBad) + " @17", "ERR[ERROR] @3"}},
      {"cas k 0 0 1 -1\r\nx\r\n", {std::string(kBad) + " @16", "ERR[ERROR] @3"}},
      {"cas k 0 0 1 noreply\r\nx\r\n", {"ERR[] noreply @21", "ERR[ERROR] @3"}},
      {"add k 0 0 1 2 3\r\nx\r\n", {"ERR[ERROR] @17", "ERR[ERROR] @3"}},
  });
}

TEST(TextCodecErrorsTest, BadDataChunk) {
  Check({
      // The whole declared block is consumed; what follows is a command.
      {"set k 0 0 1\r\nabc\r\nversion\r\n",
       {"ERR[CLIENT_ERROR bad data chunk] @16", "ERR[ERROR] @2",
        "MSG version cmd=16 @9"}},
      {"set k 0 0 1 noreply\r\nabc\r\n",
       {"ERR[] noreply @24", "ERR[ERROR] @2"}},
      {"set k 0 0 2\r\nab\n\n", {"ERR[CLIENT_ERROR bad data chunk] @17"}},
      {"ms k 2 q\r\nabcd\r\n",
       {"ERR[CLIENT_ERROR bad data chunk] @14", "ERR[ERROR] @2"}},
  });
}

TEST(TextCodecErrorsTest, TooLargeIsSwallowed) {
  std::string big(2000002, 'x');
  Check({
      {"set k 0 0 2000000\r\n" + big + "version\r\n",
       {"ERR[SERVER_ERROR object too large for cache] too_large @19",
        "MSG version cmd=16 @9"}},
      {"set k 0 0 2000000 noreply\r\n" + big + "version\r\n",
       {"ERR[] too_large noreply @27", "MSG version cmd=16 @9"}},
      {"ms k 2000000 q\r\n" + big + "mn\r\n",
       {"ERR[SERVER_ERROR object too large for cache] too_large @16",
        "MSG mn cmd=27 @4"}},
  });
}

TEST(TextCodecErrorsTest, TooLargeBoundary) {
  // memcached -I 1m: header 48 + cas 8 + key "k" + NUL + data + \r\n.
  auto at = [](const std::string& header, size_t n) {
    return RunWhole(header + std::to_string(n) + "\r\n" +
                    std::string(n, 'v') + "\r\n")[0]
        .substr(0, 7);
  };
  EXPECT_EQ(at("set k 0 0 ", 1048516), "MSG set");
  EXPECT_EQ(at("set k 0 0 ", 1048517), "ERR[SER");
  EXPECT_EQ(at("set k 1 0 ", 1048512), "MSG set");  // flags cost 4 bytes
  EXPECT_EQ(at("set k 1 0 ", 1048513), "ERR[SER");
  EXPECT_EQ(at("ms k ", 1048516), "MSG ms ");
  EXPECT_EQ(at("ms k ", 1048517), "ERR[SER");
}

TEST(TextCodecErrorsTest, Delete) {
  const std::string usage =
      "ERR[CLIENT_ERROR bad command line format.  Usage: delete <key> "
      "[noreply]]";
  Check({
      {"delete\r\n", {"ERR[ERROR] @8"}},
      {"delete k 5\r\n", {usage + " @12"}},
      {"delete k 0 5\r\n", {usage + " @14"}},
      {"delete k 5 noreply\r\n", {"ERR[] noreply @20"}},
      {"delete k x y z\r\n", {"ERR[ERROR] @16"}},
      {"delete k noreply\r\n", {"MSG delete cmd=11 k=k noreply @18"}},
      {"delete k 0\r\n", {"MSG delete cmd=11 k=k @12"}},
  });
}

TEST(TextCodecErrorsTest, ArithmeticTouchFlush) {
  const std::string delta = "ERR[CLIENT_ERROR invalid numeric delta argument]";
  const std::string exptime = "ERR[CLIENT_ERROR invalid exptime argument]";
  Check({
      {"incr k\r\n", {"ERR[ERROR] @8"}},
      {"incr k abc\r\n", {delta + " @12"}},
      {"incr k -1\r\n", {delta + " @11"}},
      {"incr k 1 2 3\r\n", {"ERR[ERROR] @14"}},
      {"incr k abc noreply\r\n", {"ERR[] noreply @20"}},
      {"decr k 18446744073709551616\r\n", {delta + " @29"}},
      {"touch k\r\n", {"ERR[ERROR] @9"}},
      {"touch k abc\r\n", {exptime + " @13"}},
      {"touch k abc noreply\r\n", {"ERR[] noreply @21"}},
      {"gat x a\r\n", {exptime + " @9"}},
      {"flush_all abc\r\n", {exptime + " @15"}},
      {"flush_all abc noreply\r\n", {"ERR[] noreply @23"}},
      {"flush_all noreply 5\r\n", {exptime + " @21"}},
      {"flush_all 1 2 3\r\n", {"ERR[ERROR] @17"}},
      {"flush_all -1\r\n", {"MSG flush_all cmd=15 exp=-1 has_exp @14"}},
  });
}

TEST(TextCodecErrorsTest, LineLength) {
  // Non-get lines over 2048 bytes: memcached hangs up.
  std::string long_set = "set " + std::string(3000, 'k') + " 0 0 1\r\nx\r\n";
  EXPECT_EQ(RunWhole(long_set), V{"ERR[] close @0"});
  EXPECT_EQ(RunWhole(std::string(2049, 'a')), V{"ERR[] close @0"});
  EXPECT_EQ(RunWhole(std::string(2048, 'a')), V{"pending=2048"});
  // Exactly 2048 bytes before the \n is still a command line.
  std::string at_limit = "mn " + std::string(2045, 'a') + "\n";
  EXPECT_EQ(RunWhole(at_limit), V{"MSG mn cmd=27 @2049"});
  EXPECT_EQ(RunWhole("mn " + std::string(2046, 'a') + "\n"),
            V{"ERR[] close @0"});
  // get/gets lines (after at most 100 spaces) may be longer.
  std::string get = "get";
  for (int i = 0; i < 2000; ++i) get += " k" + std::to_string(i);
  EXPECT_EQ(RunWhole(get + "\r\n").size(), 1u);
  EXPECT_EQ(RunBytewise(get + "\r\n"), RunWhole(get + "\r\n"));
  EXPECT_EQ(RunWhole(std::string(100, ' ') + get + "\r\n")[0].substr(0, 7),
            "MSG get");
  EXPECT_EQ(RunWhole(std::string(101, ' ') + get + "\r\n"),
            V{"ERR[] close @0"});
  EXPECT_EQ(RunWhole("gat 1" + get.substr(3) + "\r\n"), V{"ERR[] close @0"});
  // ... up to our own cap.
  TextCodecOptions o;
  o.max_line_length = 5000;
  EXPECT_EQ(RunWhole(get + "\r\n", o), V{"ERR[] close @0"});
  EXPECT_EQ(RunWhole(get.substr(0, 5000), o), V{"pending=5000"});
  EXPECT_EQ(RunWhole(get.substr(0, 5001), o), V{"ERR[] close @0"});
}

}  // namespace
}  // namespace codec
