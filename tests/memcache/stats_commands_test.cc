// "stats" and its subcommands, ServerStats and PrefixStats.
#include <string>
#include <thread>
#include <vector>

#include "memcache/prefix_stats.h"
#include "memcache/server_stats.h"
#include "tests/memcache/handler_test_util.h"

namespace memcache {
namespace {

using testing_util::HandlerTest;

class StatsCommandTest : public HandlerTest {};

TEST_F(StatsCommandTest, GeneralStatsHaveMemcachedNamesInOrder) {
  std::string reply = Run("stats\r\n");
  ASSERT_GE(reply.size(), 5u);
  EXPECT_EQ(reply.substr(reply.size() - 5), "END\r\n");
  const char* names[] = {
      "pid", "uptime", "time", "version", "libevent", "pointer_size", "rusage_user",
      "rusage_system", "max_connections", "curr_connections", "total_connections",
      "rejected_connections", "connection_structures", "cmd_get", "cmd_set",
      "cmd_flush", "cmd_touch", "cmd_meta", "get_hits", "get_misses", "get_expired",
      "get_flushed", "delete_misses", "delete_hits", "incr_misses", "incr_hits",
      "decr_misses", "decr_hits", "cas_misses", "cas_hits", "cas_badval",
      "touch_hits", "touch_misses", "store_too_large", "store_no_memory",
      "auth_cmds", "auth_errors", "bytes_read", "bytes_written", "limit_maxbytes",
      "accepting_conns", "threads", "conn_yields", "bytes", "curr_items",
      "total_items", "expired_unfetched", "evicted_unfetched", "evictions",
      "reclaimed"};
  size_t pos = 0;
  for (const char* name : names) {
    size_t at = reply.find(std::string("STAT ") + name + " ", pos);
    ASSERT_NE(at, std::string::npos) << name << " missing or out of order";
    pos = at;
  }
  auto s = Stats();
  EXPECT_EQ(s["version"], "1.6.18");
  EXPECT_EQ(s["time"], "1700000000");
  EXPECT_EQ(s["limit_maxbytes"], std::to_string(64 << 20));
}

TEST_F(StatsCommandTest, UptimeFollowsTheClock) {
  clock_.Advance(42);
  EXPECT_EQ(Stats()["uptime"], "42");
}

TEST_F(StatsCommandTest, ItemCounts) {
  Run("set a 0 0 1\r\na\r\nset b 0 0 1\r\nb\r\nset a 0 0 1\r\nc\r\n");
  auto s = Stats();
  EXPECT_EQ(s["curr_items"], "2");
  EXPECT_EQ(s["total_items"], "3");
  EXPECT_NE(s["bytes"], "0");
}

TEST_F(StatsCommandTest, ResetClearsCounters) {
  Run("get a\r\nset a 0 0 1\r\na\r\nget a\r\n");
  EXPECT_EQ(Run("stats reset\r\n"), "RESET\r\n");
  auto s = Stats();
  EXPECT_EQ(s["cmd_get"], "0");
  EXPECT_EQ(s["get_hits"], "0");
  EXPECT_EQ(s["get_misses"], "0");
  EXPECT_EQ(s["cmd_set"], "0");
  EXPECT_EQ(s["curr_items"], "1");  // state, not a counter
  EXPECT_EQ(s["total_items"], "0");
  Run("set b 0 0 1\r\nb\r\n");
  EXPECT_EQ(Stats()["total_items"], "1");
}

TEST_F(StatsCommandTest, ExpiredAndFlushedLookups) {
  Run("set a 0 10 1\r\na\r\nset b 0 0 1\r\nb\r\n");
  clock_.Advance(11);
  Run("get a\r\nflush_all\r\nget b\r\n");
  auto s = Stats();
  EXPECT_EQ(s["get_expired"], "1");
  EXPECT_EQ(s["get_flushed"], "1");
  EXPECT_EQ(s["get_misses"], "2");
}

TEST_F(StatsCommandTest, Settings) {
  auto s = Stats("stats settings");
  EXPECT_EQ(s["maxbytes"], std::to_string(64 << 20));
  EXPECT_EQ(s["item_size_max"], "1048576");
  EXPECT_EQ(s["cas_enabled"], "yes");
  EXPECT_EQ(s["stat_key_prefix"], ":");
  EXPECT_EQ(s["detail_enabled"], "no");
  EXPECT_EQ(s["shutdown_command"], "no");
  EXPECT_EQ(s["evictions"], "on");
}

TEST_F(StatsCommandTest, SubcommandsEndWithEnd) {
  for (const char* cmd : {"stats items\r\n", "stats slabs\r\n", "stats sizes\r\n",
                          "stats conns\r\n", "stats settings\r\n"}) {
    std::string reply = Run(cmd);
    ASSERT_GE(reply.size(), 5u) << cmd;
    EXPECT_EQ(reply.substr(reply.size() - 5), "END\r\n") << cmd;
  }
  Run("set a 0 0 1\r\na\r\n");
  EXPECT_EQ(Stats("stats items")["items:1:number"], "1");
  EXPECT_EQ(Stats("stats slabs")["active_slabs"], "1");
  EXPECT_EQ(Run("stats sizes\r\n"), "STAT sizes_status disabled\r\nEND\r\n");
}

TEST_F(StatsCommandTest, Errors) {
  EXPECT_EQ(Run("stats bogus\r\n"), "ERROR\r\n");
  EXPECT_EQ(Run("stats detail\r\n"), "CLIENT_ERROR usage: stats detail on|off|dump\r\n");
  EXPECT_EQ(Run("stats detail x\r\n"), "CLIENT_ERROR usage: stats detail on|off|dump\r\n");
  EXPECT_EQ(Run("stats cachedump\r\n"), "CLIENT_ERROR bad command line\r\n");
  EXPECT_EQ(Run("stats cachedump 100 1\r\n"), "CLIENT_ERROR Illegal slab id\r\n");
  EXPECT_EQ(Run("stats cachedump 1 1\r\n"), "END\r\n");
}

TEST_F(StatsCommandTest, DetailPrefixes) {
  EXPECT_EQ(Run("stats detail dump\r\n"), "END\r\n");
  EXPECT_EQ(Run("stats detail on\r\n"), "OK\r\n");
  Run("set foo:123 0 0 6\r\nfooval\r\n");
  EXPECT_EQ(Run("stats detail dump\r\n"), "PREFIX foo get 0 hit 0 set 1 del 0\r\nEND\r\n");
  Run("get foo:123 foo:124 nodelim\r\ndelete foo:125\r\n");
  EXPECT_EQ(Run("stats detail dump\r\n"), "PREFIX foo get 2 hit 1 set 1 del 1\r\nEND\r\n");
  EXPECT_EQ(Run("stats reset\r\n"), "RESET\r\n");
  EXPECT_EQ(Run("stats detail dump\r\n"), "END\r\n");
  EXPECT_EQ(Run("stats detail off\r\n"), "OK\r\n");
  Run("get foo:1\r\n");
  EXPECT_EQ(Run("stats detail dump\r\n"), "END\r\n");
}

TEST(ServerStatsTest, SumsAcrossThreadsAndResets) {
  ServerStats stats;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&stats] {
      for (int i = 0; i < 10000; ++i) stats.Add(Counter::kCmdGet);
      stats.Add(Counter::kGetHits, 5);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stats.Get(Counter::kCmdGet), 80000u);
  EXPECT_EQ(stats.Sum()[static_cast<int>(Counter::kGetHits)], 40u);
  stats.Reset();
  EXPECT_EQ(stats.Get(Counter::kCmdGet), 0u);
  EXPECT_STREQ(ServerStats::Name(Counter::kCasBadval), "cas_badval");
  EXPECT_STREQ(ServerStats::Name(Counter::kAuthErrors), "auth_errors");
}

TEST(PrefixStatsTest, CountsByPrefixUpToDelimiter) {
  PrefixStats p;
  p.RecordSet("a:1");
  p.RecordGet("a:2", true);
  p.RecordGet("b:1", false);
  p.RecordDelete("b:x:y");
  p.RecordGet("plain", true);  // no delimiter: not counted
  EXPECT_EQ(p.Dump(),
            "PREFIX a get 1 hit 1 set 1 del 0\r\n"
            "PREFIX b get 1 hit 0 set 0 del 1\r\nEND\r\n");
  p.Clear();
  EXPECT_EQ(p.Dump(), "END\r\n");
}

}  // namespace
}  // namespace memcache
