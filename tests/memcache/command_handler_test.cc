// CommandHandler: the classic text commands, byte for byte as memcached
// 1.6.18 answers them (expected strings were checked against the real
// daemon).
#include <string>

#include "tests/memcache/handler_test_util.h"

namespace memcache {
namespace {

using testing_util::HandlerTest;

class ClassicCommandTest : public HandlerTest {};

TEST_F(ClassicCommandTest, SetThenGet) {
  EXPECT_EQ(Run("set foo 5 0 3\r\nbar\r\n"), "STORED\r\n");
  EXPECT_EQ(Run("get foo\r\n"), "VALUE foo 5 3\r\nbar\r\nEND\r\n");
}

TEST_F(ClassicCommandTest, GetMissIsJustEnd) {
  EXPECT_EQ(Run("get nope\r\n"), "END\r\n");
}

TEST_F(ClassicCommandTest, GetsAddsCas) {
  Run("set foo 0 0 2\r\nhi\r\n");
  std::string cas = std::to_string(CasOf("foo"));
  EXPECT_EQ(Run("gets foo\r\n"), "VALUE foo 0 2 " + cas + "\r\nhi\r\nEND\r\n");
}

TEST_F(ClassicCommandTest, MultiGetSkipsMissesInOrder) {
  Run("set a 1 0 1\r\nA\r\nset c 3 0 1\r\nC\r\n");
  EXPECT_EQ(Run("get a b c a\r\n"),
            "VALUE a 1 1\r\nA\r\nVALUE c 3 1\r\nC\r\nVALUE a 1 1\r\nA\r\nEND\r\n");
}

TEST_F(ClassicCommandTest, LargeValueIsReturnedIntact) {
  std::string value(200000, 'x');
  for (size_t i = 0; i < value.size(); i += 7) value[i] = 'a' + (i % 26);
  EXPECT_EQ(Run("set big 0 0 200000\r\n" + value + "\r\n"), "STORED\r\n");
  EXPECT_EQ(Run("get big\r\n"), "VALUE big 0 200000\r\n" + value + "\r\nEND\r\n");
}

TEST_F(ClassicCommandTest, EmptyValue) {
  EXPECT_EQ(Run("set e 0 0 0\r\n\r\n"), "STORED\r\n");
  EXPECT_EQ(Run("get e\r\n"), "VALUE e 0 0\r\n\r\nEND\r\n");
}

TEST_F(ClassicCommandTest, AddReplace) {
  EXPECT_EQ(Run("replace k 0 0 1\r\na\r\n"), "NOT_STORED\r\n");
  EXPECT_EQ(Run("add k 0 0 1\r\na\r\n"), "STORED\r\n");
  EXPECT_EQ(Run("add k 0 0 1\r\nb\r\n"), "NOT_STORED\r\n");
  EXPECT_EQ(Run("replace k 0 0 1\r\nc\r\n"), "STORED\r\n");
  EXPECT_EQ(Run("get k\r\n"), "VALUE k 0 1\r\nc\r\nEND\r\n");
}

TEST_F(ClassicCommandTest, AppendPrepend) {
  EXPECT_EQ(Run("append k 0 0 1\r\na\r\n"), "NOT_STORED\r\n");
  EXPECT_EQ(Run("prepend k 0 0 1\r\na\r\n"), "NOT_STORED\r\n");
  Run("set k 7 0 2\r\nmm\r\n");
  EXPECT_EQ(Run("append k 0 0 2\r\nzz\r\n"), "STORED\r\n");
  EXPECT_EQ(Run("prepend k 0 0 2\r\naa\r\n"), "STORED\r\n");
  // Flags of the original item survive.
  EXPECT_EQ(Run("get k\r\n"), "VALUE k 7 6\r\naammzz\r\nEND\r\n");
}

TEST_F(ClassicCommandTest, Cas) {
  EXPECT_EQ(Run("cas k 0 0 1 5\r\na\r\n"), "NOT_FOUND\r\n");
  Run("set k 0 0 1\r\na\r\n");
  uint64_t cas = CasOf("k");
  EXPECT_EQ(Run("cas k 0 0 1 " + std::to_string(cas + 1) + "\r\nb\r\n"), "EXISTS\r\n");
  EXPECT_EQ(Run("cas k 0 0 1 " + std::to_string(cas) + "\r\nc\r\n"), "STORED\r\n");
  EXPECT_EQ(Run("cas k 0 0 1 " + std::to_string(cas) + "\r\nd\r\n"), "EXISTS\r\n");
  EXPECT_EQ(Run("get k\r\n"), "VALUE k 0 1\r\nc\r\nEND\r\n");
  auto s = Stats();
  EXPECT_EQ(s["cas_misses"], "1");
  EXPECT_EQ(s["cas_hits"], "1");
  EXPECT_EQ(s["cas_badval"], "2");
}

TEST_F(ClassicCommandTest, NoreplySuppressesEveryClassicReply) {
  EXPECT_EQ(Run("set k 0 0 1 noreply\r\n1\r\n"
                "add k 0 0 1 noreply\r\n2\r\n"
                "replace k 0 0 1 noreply\r\n3\r\n"
                "append k 0 0 1 noreply\r\n4\r\n"
                "prepend k 0 0 1 noreply\r\n5\r\n"
                "incr k 1 noreply\r\n"
                "decr k 2 noreply\r\n"
                "touch k 10 noreply\r\n"
                "incr nokey 1 noreply\r\n"
                "delete nokey noreply\r\n"
                "get k\r\n"),
            "VALUE k 0 3\r\n533\r\nEND\r\n");
  EXPECT_EQ(Run("delete k noreply\r\nget k\r\n"), "END\r\n");
}

TEST_F(ClassicCommandTest, Delete) {
  EXPECT_EQ(Run("delete k\r\n"), "NOT_FOUND\r\n");
  Run("set k 0 0 1\r\na\r\n");
  EXPECT_EQ(Run("delete k\r\n"), "DELETED\r\n");
  EXPECT_EQ(Run("get k\r\n"), "END\r\n");
  Run("set k 0 0 1\r\na\r\n");
  EXPECT_EQ(Run("delete k 0\r\n"), "DELETED\r\n");
  auto s = Stats();
  EXPECT_EQ(s["delete_hits"], "2");
  EXPECT_EQ(s["delete_misses"], "1");
}

TEST_F(ClassicCommandTest, IncrDecr) {
  EXPECT_EQ(Run("incr n 1\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(Run("decr n 1\r\n"), "NOT_FOUND\r\n");
  Run("set n 0 0 1\r\n1\r\n");
  EXPECT_EQ(Run("incr n 18446744073709551615\r\n"), "0\r\n");  // wraps
  EXPECT_EQ(Run("incr n 12\r\n"), "12\r\n");
  EXPECT_EQ(Run("decr n 100\r\n"), "0\r\n");  // stops at zero
  Run("set t 0 0 3\r\nabc\r\n");
  EXPECT_EQ(Run("incr t 1\r\n"),
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  auto s = Stats();
  EXPECT_EQ(s["incr_hits"], "2");
  EXPECT_EQ(s["incr_misses"], "1");
  EXPECT_EQ(s["decr_hits"], "1");
  EXPECT_EQ(s["decr_misses"], "1");
}

TEST_F(ClassicCommandTest, DecrKeepsLengthWithSpaces) {
  Run("set n 0 0 2\r\n10\r\n");
  EXPECT_EQ(Run("decr n 1\r\n"), "9\r\n");
  EXPECT_EQ(Run("get n\r\n"), "VALUE n 0 2\r\n9 \r\nEND\r\n");
}

TEST_F(ClassicCommandTest, TouchAndExpiry) {
  EXPECT_EQ(Run("touch k 10\r\n"), "NOT_FOUND\r\n");
  Run("set k 0 5 1\r\na\r\n");
  EXPECT_EQ(Run("touch k 100\r\n"), "TOUCHED\r\n");
  clock_.Advance(50);
  EXPECT_EQ(Run("get k\r\n"), "VALUE k 0 1\r\na\r\nEND\r\n");
  clock_.Advance(51);
  EXPECT_EQ(Run("get k\r\n"), "END\r\n");
  auto s = Stats();
  EXPECT_EQ(s["cmd_touch"], "2");
  EXPECT_EQ(s["touch_hits"], "1");
  EXPECT_EQ(s["touch_misses"], "1");
}

TEST_F(ClassicCommandTest, GatGats) {
  Run("set k 3 5 2\r\nhi\r\n");
  EXPECT_EQ(Run("gat 100 k nope\r\n"), "VALUE k 3 2\r\nhi\r\nEND\r\n");
  std::string cas = std::to_string(CasOf("k"));
  EXPECT_EQ(Run("gats 100 k\r\n"), "VALUE k 3 2 " + cas + "\r\nhi\r\nEND\r\n");
  clock_.Advance(50);
  EXPECT_EQ(Run("get k\r\n"), "VALUE k 3 2\r\nhi\r\nEND\r\n");
  auto s = Stats();
  EXPECT_EQ(s["cmd_touch"], "3");
  EXPECT_EQ(s["touch_hits"], "2");
  EXPECT_EQ(s["touch_misses"], "1");
  EXPECT_EQ(s["get_hits"], "1");
}

TEST_F(ClassicCommandTest, NegativeExptimeExpiresAtOnce) {
  EXPECT_EQ(Run("set k 0 -1 1\r\na\r\n"), "STORED\r\n");
  EXPECT_EQ(Run("get k\r\n"), "END\r\n");
}

TEST_F(ClassicCommandTest, FlushAll) {
  Run("set a 0 0 1\r\na\r\nset b 0 0 1\r\nb\r\n");
  EXPECT_EQ(Run("flush_all\r\n"), "OK\r\n");
  EXPECT_EQ(Run("get a b\r\n"), "END\r\n");
  EXPECT_EQ(Run("flush_all noreply\r\n"), "");
  EXPECT_EQ(Stats()["cmd_flush"], "2");
}

TEST_F(ClassicCommandTest, FlushAllWithDelay) {
  Run("set a 0 0 1\r\na\r\n");
  EXPECT_EQ(Run("flush_all 10\r\n"), "OK\r\n");
  EXPECT_EQ(Run("get a\r\n"), "VALUE a 0 1\r\na\r\nEND\r\n");
  clock_.Advance(11);
  EXPECT_EQ(Run("get a\r\n"), "END\r\n");
}

TEST_F(ClassicCommandTest, FlushAllDisabled) {
  context_->settings.flush_enabled = false;
  EXPECT_EQ(Run("flush_all\r\n"), "CLIENT_ERROR flush_all not allowed\r\n");
}

TEST_F(ClassicCommandTest, TooLargeIsRejectedAndOldValueDropped) {
  StoreOptions options;
  options.max_item_size = 1024;
  Rebuild(options);
  Run("set k 0 0 1\r\na\r\n");
  std::string big(2000, 'x');
  EXPECT_EQ(Run("set k 0 0 2000\r\n" + big + "\r\n"),
            "SERVER_ERROR object too large for cache\r\n");
  EXPECT_EQ(Run("get k\r\n"), "END\r\n");
}

TEST_F(ClassicCommandTest, GetCounters) {
  Run("set a 0 0 1\r\na\r\n");
  Run("get a b c\r\n");
  auto s = Stats();
  EXPECT_EQ(s["cmd_get"], "3");
  EXPECT_EQ(s["get_hits"], "1");
  EXPECT_EQ(s["get_misses"], "2");
  EXPECT_EQ(s["cmd_set"], "1");
  EXPECT_EQ(s["curr_items"], "1");
}

TEST_F(ClassicCommandTest, PipelinedCommandsAnswerInOrder) {
  EXPECT_EQ(Run("set a 0 0 1\r\n1\r\nget a\r\nincr a 5\r\ndelete a\r\nget a\r\nversion\r\n"),
            "STORED\r\nVALUE a 0 1\r\n1\r\nEND\r\n6\r\nDELETED\r\nEND\r\n"
            "VERSION 1.6.18\r\n");
}

TEST_F(ClassicCommandTest, SplitAtEveryOffsetGivesSameReply) {
  const std::string script =
      "set k 0 0 5\r\nhello\r\nget k\r\nappend k 0 0 1\r\n!\r\ngets nope\r\n";
  const std::string expected = Run(script);
  Run("delete k\r\n");
  ASSERT_EQ(expected, "STORED\r\nVALUE k 0 5\r\nhello\r\nEND\r\nSTORED\r\nEND\r\n");
  for (size_t cut = 1; cut < script.size(); ++cut) {
    std::string got = Run(script.substr(0, cut));
    got += Run(script.substr(cut));
    EXPECT_EQ(got, expected) << "cut at " << cut;
    Run("delete k\r\n");
  }
}

TEST_F(ClassicCommandTest, Version) { EXPECT_EQ(Run("version\r\n"), "VERSION 1.6.18\r\n"); }

TEST_F(ClassicCommandTest, Verbosity) {
  EXPECT_EQ(Run("verbosity 1\r\n"), "OK\r\n");
  EXPECT_EQ(context_->verbosity.load(), 1);
  EXPECT_EQ(Run("verbosity 9 noreply\r\n"), "");
  EXPECT_EQ(context_->verbosity.load(), 2);  // capped like memcached
  EXPECT_EQ(Run("verbosity invalid\r\n"), "CLIENT_ERROR bad command line format\r\n");
}

TEST_F(ClassicCommandTest, QuitClosesWithoutReply) {
  EXPECT_EQ(Run("quit\r\nget a\r\n"), "");
  EXPECT_TRUE(closed_);
}

TEST_F(ClassicCommandTest, ShutdownDisabledByDefault) {
  EXPECT_EQ(Run("shutdown\r\n"), "ERROR: shutdown not enabled\r\n");
  EXPECT_FALSE(closed_);
  EXPECT_EQ(shutdown_requests_, 0);
}

TEST_F(ClassicCommandTest, ShutdownWhenEnabled) {
  context_->settings.enable_shutdown = true;
  EXPECT_EQ(Run("shutdown foo\r\n"), "CLIENT_ERROR invalid shutdown mode\r\n");
  EXPECT_EQ(Run("shutdown\r\n"), "");
  EXPECT_TRUE(closed_);
  EXPECT_EQ(shutdown_requests_, 1);
}

TEST_F(ClassicCommandTest, CacheMemlimit) {
  EXPECT_EQ(Run("cache_memlimit 5\r\n"),
            "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n");
  EXPECT_EQ(Run("cache_memlimit 100\r\n"), "OK\r\n");
  EXPECT_EQ(Stats()["limit_maxbytes"], std::to_string(100 << 20));
  EXPECT_EQ(Run("cache_memlimit 100 noreply\r\n"), "");
}

TEST_F(ClassicCommandTest, AdminCommands) {
  EXPECT_EQ(Run("slabs automove invalid\r\n"), "CLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(Run("slabs automove 1\r\nslabs automove 3\r\nslabs automove ratio 0.5\r\n"),
            "OK\r\nERROR\r\nOK\r\n");
  EXPECT_EQ(Run("slabs reassign 1 2\r\nslabs foo\r\n"),
            "NOSPARE source class has no spare pages\r\nERROR\r\n");
  EXPECT_EQ(Run("lru_crawler tocrawl 5\r\nlru_crawler sleep 5000000\r\nlru foo\r\n"),
            "OK\r\nCLIENT_ERROR sleep must be one second or less\r\nERROR\r\n");
  EXPECT_EQ(Run("lru tune 10 20 0.1 2\r\nlru tune 50 50 0.1 2\r\n"),
            "OK\r\nERROR hot and warm pcts must not exceed 80\r\n");
}

TEST_F(ClassicCommandTest, LruCrawlerMetadump) {
  Run("set a:b 0 0 1\r\n1\r\n");
  EXPECT_EQ(Run("lru_crawler metadump all\r\n"),
            "key=a%3Ab exp=-1 la=1700000000 cas=" + std::to_string(CasOf("a:b")) +
                " fetch=no cls=1 size=63\nEND\r\n");
  EXPECT_EQ(Run("lru_crawler metadump 2\r\n"), "END\r\n");
  EXPECT_EQ(Run("lru_crawler metadump x\r\n"), "BADCLASS invalid class id\r\n");
  // Like memcached, it cannot be pipelined behind other replies.
  EXPECT_EQ(Run("mn\r\nlru_crawler metadump all\r\n"),
            "MN\r\nERROR cannot pipeline other commands before metadump\r\n");
}

TEST_F(ClassicCommandTest, UnknownCommand) {
  EXPECT_EQ(Run("bogus foo\r\n"), "ERROR\r\n");
  EXPECT_FALSE(closed_);
}

TEST_F(ClassicCommandTest, DecodeErrorsAreForwarded) {
  // The codec's error line is sent as is, and the bad data block skipped.
  EXPECT_EQ(Run("set k 0 0 1\r\nabc\r\nget k\r\n"),
            "CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n");
}

}  // namespace
}  // namespace memcache
