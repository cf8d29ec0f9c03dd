// The Prometheus endpoint end to end: an in-process MemcacheServer on free
// loopback ports, driven over the text protocol and scraped over HTTP with a
// plain socket. Checks that metrics move as commands run, that "stats" and
// the metrics agree, that the page is valid (our structural validator, and
// promtool when installed) and that the binary's --metrics_port works.
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "memcache/memcache_server.h"
#include "tests/common/raw_client.h"
#include "tests/common/server_process.h"
#include "tests/main/prometheus_validator.h"

namespace memcache {
namespace {

using test_common::RawClient;
using testing_util::ParsePromText;
using testing_util::PromSample;
using testing_util::PromValue;
using testing_util::ValidatePromText;

struct HttpReply {
  int status = 0;
  std::string headers;
  std::string body;
};

// GET over a plain socket, HTTP/1.0 so the server closes after the reply.
HttpReply HttpGet(uint16_t port, const std::string& path) {
  HttpReply reply;
  RawClient c(port, 5000);
  if (!c.connected()) return reply;
  c.Send("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  const std::string raw = c.ReadAll();
  const size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end == std::string::npos) return reply;
  reply.status = std::atoi(raw.c_str() + 9);
  reply.headers = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  return reply;
}

std::map<std::string, std::string> ParseStats(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string stat, name, value;
  while (in >> stat && stat == "STAT" && in >> name >> value) out[name] = value;
  return out;
}

double Num(const std::map<std::string, std::string>& stats, const std::string& name) {
  auto it = stats.find(name);
  return it == stats.end() ? -1 : std::strtod(it->second.c_str(), nullptr);
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(MemcacheServerOptions()); }

  void TearDown() override {
    // Close our end first, so the server's graceful close need not linger.
    client_.reset();
    if (server_) server_->Stop();
  }

  void StartServer(MemcacheServerOptions options) {
    client_.reset();
    if (server_) server_->Stop();
    options.server.port = 0;
    options.server.io_threads = 2;
    options.metrics_enabled = true;
    options.metrics_port = 0;
    server_ = std::make_unique<MemcacheServer>(options);
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    ASSERT_NE(server_->metrics_port(), 0);
    client_ = std::make_unique<RawClient>(server_->port());
    ASSERT_TRUE(client_->connected());
    // A round trip, so the server has accepted (and counted) the connection.
    ASSERT_EQ(Call("version\r\n", "\r\n"), "VERSION 1.6.18\r\n");
  }

  std::string Call(const std::string& request, const std::string& until) {
    EXPECT_TRUE(client_->Send(request));
    return client_->ReadUntil(until);
  }

  std::vector<PromSample> Scrape(std::string* page = nullptr) {
    HttpReply r = HttpGet(server_->metrics_port(), "/metrics");
    EXPECT_EQ(r.status, 200) << r.headers;
    EXPECT_NE(r.headers.find("text/plain; version=0.0.4"), std::string::npos)
        << r.headers;
    EXPECT_EQ(ValidatePromText(r.body), "");
    std::vector<PromSample> samples;
    std::string error;
    EXPECT_TRUE(ParsePromText(r.body, &samples, &error)) << error;
    if (page != nullptr) *page = r.body;
    return samples;
  }

  static double Cmd(const std::vector<PromSample>& s, const std::string& command,
                    const std::string& result) {
    double v = PromValue(s, "memcached_commands_total",
                         {{"command", command}, {"result", result}});
    return v < 0 ? 0 : v;
  }
  static double CmdAll(const std::vector<PromSample>& s, const std::string& command) {
    double v = PromValue(s, "memcached_commands_total", {{"command", command}});
    return v < 0 ? 0 : v;
  }
  static double Requests(const std::vector<PromSample>& s, const std::string& command) {
    return PromValue(s, "memcached_command_duration_seconds_count",
                     {{"command", command}});
  }

  std::unique_ptr<MemcacheServer> server_;
  std::unique_ptr<RawClient> client_;
};

TEST_F(MetricsTest, MetricsMoveAsCommandsRun) {
  std::vector<PromSample> before = Scrape();
  EXPECT_EQ(Cmd(before, "get", "hit"), 0);
  EXPECT_EQ(Cmd(before, "set", "stored"), 0);
  EXPECT_EQ(Requests(before, "get"), 0);
  EXPECT_EQ(PromValue(before, "memcached_current_connections"), 1);

  EXPECT_EQ(Call("set a 0 0 1\r\nx\r\n", "\r\n"), "STORED\r\n");
  EXPECT_EQ(Call("add a 0 0 1\r\ny\r\n", "\r\n"), "NOT_STORED\r\n");
  EXPECT_EQ(Call("get a b c\r\n", "END\r\n"), "VALUE a 0 1\r\nx\r\nEND\r\n");
  EXPECT_EQ(Call("get a\r\n", "END\r\n"), "VALUE a 0 1\r\nx\r\nEND\r\n");
  EXPECT_EQ(Call("delete nope\r\n", "\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(Call("set n 0 0 1\r\n5\r\n", "\r\n"), "STORED\r\n");
  EXPECT_EQ(Call("incr n 2\r\n", "\r\n"), "7\r\n");
  EXPECT_EQ(Call("incr a 2\r\n", "\r\n"),
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  EXPECT_EQ(Call("touch a 10\r\n", "\r\n"), "TOUCHED\r\n");
  EXPECT_EQ(Call("cas a 0 0 1 999\r\nz\r\n", "\r\n"), "EXISTS\r\n");
  EXPECT_EQ(Call("mg a v\r\n", "x\r\n"), "VA 1\r\nx\r\n");
  EXPECT_EQ(Call("mg zz v\r\n", "\r\n"), "EN\r\n");
  EXPECT_EQ(Call("ms m 1\r\nq\r\n", "\r\n"), "HD\r\n");
  EXPECT_EQ(Call("md m\r\n", "\r\n"), "HD\r\n");
  EXPECT_EQ(Call("ma n\r\n", "\r\n"), "HD\r\n");
  EXPECT_EQ(Call("mn\r\n", "\r\n"), "MN\r\n");

  std::vector<PromSample> s = Scrape();
  EXPECT_EQ(Cmd(s, "get", "hit"), 2);
  EXPECT_EQ(Cmd(s, "get", "miss"), 2);  // b and c: counted per key
  EXPECT_EQ(Requests(s, "get"), 2);     // but two requests were timed
  EXPECT_EQ(Cmd(s, "set", "stored"), 2);
  EXPECT_EQ(Cmd(s, "add", "not_stored"), 1);
  EXPECT_EQ(Cmd(s, "delete", "miss"), 1);
  EXPECT_EQ(Cmd(s, "incr", "hit"), 1);
  EXPECT_EQ(Cmd(s, "incr", "error"), 1);
  EXPECT_EQ(Cmd(s, "touch", "hit"), 1);
  EXPECT_EQ(Cmd(s, "cas", "badval"), 1);
  EXPECT_EQ(Cmd(s, "mg", "hit"), 1);
  EXPECT_EQ(Cmd(s, "mg", "miss"), 1);
  EXPECT_EQ(Cmd(s, "ms", "stored"), 1);
  EXPECT_EQ(Cmd(s, "md", "hit"), 1);
  EXPECT_EQ(Cmd(s, "ma", "hit"), 1);
  EXPECT_EQ(Cmd(s, "mn", "ok"), 1);
  EXPECT_EQ(Requests(s, "mn"), 1);
  EXPECT_GT(PromValue(s, "memcached_command_duration_seconds_sum", {{"command", "get"}}),
            0);
  EXPECT_EQ(PromValue(s, "memcached_current_items"), 2);  // a, n
  EXPECT_GT(PromValue(s, "memcached_current_bytes"), 0);
  EXPECT_EQ(PromValue(s, "memcached_limit_bytes"), 64 << 20);
  EXPECT_GT(PromValue(s, "memcached_read_bytes_total"), 100);
  EXPECT_GT(PromValue(s, "memcached_written_bytes_total"), 50);
  EXPECT_GE(PromValue(s, "memcached_connections_total"), 1);
  EXPECT_GT(PromValue(s, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(PromValue(s, "process_threads"), 4);  // io x2, acceptor, exporter, ...
  EXPECT_GE(PromValue(s, "process_cpu_seconds_total"), 0);
  EXPECT_GE(PromValue(s, "memcached_uptime_seconds"), 0);
  EXPECT_GT(PromValue(s, "process_start_time_seconds"), 1.5e9);
  // Two I/O loops, and the one serving us has done some work.
  EXPECT_GE(PromValue(s, "memcached_event_loop_busy_seconds_total", {{"thread", "io0"}}), 0);
  EXPECT_GE(PromValue(s, "memcached_event_loop_busy_seconds_total", {{"thread", "io1"}}), 0);
  EXPECT_GT(PromValue(s, "memcached_event_loop_busy_seconds_total"), 0);

  // A second connection shows up in the gauges.
  RawClient second(server_->port());
  ASSERT_TRUE(second.connected());
  second.Send("version\r\n");
  second.ReadUntil("\r\n");
  std::vector<PromSample> after = Scrape();
  EXPECT_EQ(PromValue(after, "memcached_current_connections"), 2);
  EXPECT_EQ(Cmd(after, "version", "ok"), 2);
}

TEST_F(MetricsTest, StatsAgreeWithMetrics) {
  // A mixed workload touching every counter that has a metric.
  std::string batch;
  for (int i = 0; i < 50; ++i) {
    batch += "set k" + std::to_string(i) + " 0 0 2\r\nvv\r\n";
  }
  ASSERT_TRUE(client_->Send(batch));
  std::string replies;
  for (int i = 0; i < 50 && replies.size() < 50 * 8; ++i) {
    replies += client_->ReadUntil("\r\n");
  }
  ASSERT_EQ(replies.size(), 50u * 8);  // "STORED\r\n" each
  Call("get k1 k2 k3 missing\r\n", "END\r\n");
  Call("gets k4 other\r\n", "END\r\n");
  Call("delete k5\r\n", "\r\n");
  Call("delete k5\r\n", "\r\n");
  Call("touch k6 0\r\n", "\r\n");
  Call("touch nope 0\r\n", "\r\n");
  Call("set c 0 0 1\r\n1\r\n", "\r\n");
  Call("incr c 1\r\n", "\r\n");
  Call("decr c 1\r\n", "\r\n");
  Call("incr nope 1\r\n", "\r\n");
  Call("cas nope 0 0 1 1\r\nx\r\n", "\r\n");

  const std::string stats_reply = Call("stats\r\n", "END\r\n");
  const auto stats = ParseStats(stats_reply);
  // Nothing else touches the server between the stats reply and the scrape,
  // except the stats reply itself being written.
  std::vector<PromSample> s = Scrape();
  EXPECT_EQ(Num(stats, "cmd_get"), CmdAll(s, "get") + CmdAll(s, "gets"));
  EXPECT_EQ(Num(stats, "get_hits"), Cmd(s, "get", "hit") + Cmd(s, "gets", "hit"));
  EXPECT_EQ(Num(stats, "get_misses"), Cmd(s, "get", "miss") + Cmd(s, "gets", "miss"));
  EXPECT_EQ(Num(stats, "cmd_set"),
            CmdAll(s, "set") + CmdAll(s, "cas") - Cmd(s, "set", "error"));
  EXPECT_EQ(Num(stats, "delete_hits"), Cmd(s, "delete", "hit"));
  EXPECT_EQ(Num(stats, "delete_misses"), Cmd(s, "delete", "miss"));
  EXPECT_EQ(Num(stats, "touch_hits"), Cmd(s, "touch", "hit"));
  EXPECT_EQ(Num(stats, "touch_misses"), Cmd(s, "touch", "miss"));
  EXPECT_EQ(Num(stats, "cmd_touch"), CmdAll(s, "touch"));
  EXPECT_EQ(Num(stats, "incr_hits"), Cmd(s, "incr", "hit"));
  EXPECT_EQ(Num(stats, "incr_misses"), Cmd(s, "incr", "miss"));
  EXPECT_EQ(Num(stats, "decr_hits"), Cmd(s, "decr", "hit"));
  EXPECT_EQ(Num(stats, "cas_misses"), Cmd(s, "cas", "miss"));
  EXPECT_EQ(Num(stats, "curr_items"), PromValue(s, "memcached_current_items"));
  EXPECT_EQ(Num(stats, "total_items"), PromValue(s, "memcached_items_total"));
  EXPECT_EQ(Num(stats, "bytes"), PromValue(s, "memcached_current_bytes"));
  EXPECT_EQ(Num(stats, "limit_maxbytes"), PromValue(s, "memcached_limit_bytes"));
  EXPECT_EQ(Num(stats, "evictions"), PromValue(s, "memcached_items_evicted_total"));
  EXPECT_EQ(Num(stats, "reclaimed"), PromValue(s, "memcached_items_reclaimed_total"));
  EXPECT_EQ(Num(stats, "curr_connections"),
            PromValue(s, "memcached_current_connections"));
  EXPECT_EQ(Num(stats, "total_connections"),
            PromValue(s, "memcached_connections_total"));
  EXPECT_EQ(Num(stats, "max_connections"), PromValue(s, "memcached_max_connections"));
  EXPECT_EQ(Num(stats, "threads"), PromValue(s, "memcached_io_threads"));
  EXPECT_EQ(Num(stats, "bytes_read"), PromValue(s, "memcached_read_bytes_total"));
  // The stats reply is counted as written once the write returns, which may
  // be just after we have read it.
  EXPECT_GE(PromValue(s, "memcached_written_bytes_total"), Num(stats, "bytes_written"));
  EXPECT_LE(PromValue(s, "memcached_written_bytes_total"),
            Num(stats, "bytes_written") + stats_reply.size());
  EXPECT_NEAR(Num(stats, "uptime"), PromValue(s, "memcached_uptime_seconds"), 1);
}

TEST_F(MetricsTest, StatsResetLeavesPrometheusCountersAlone) {
  Call("set a 0 0 1\r\nx\r\n", "\r\n");
  Call("get a b\r\n", "END\r\n");
  std::vector<PromSample> before = Scrape();
  EXPECT_EQ(Call("stats reset\r\n", "\r\n"), "RESET\r\n");
  const auto stats = ParseStats(Call("stats\r\n", "END\r\n"));
  EXPECT_EQ(Num(stats, "cmd_get"), 0);
  EXPECT_EQ(Num(stats, "get_hits"), 0);
  EXPECT_EQ(Num(stats, "total_items"), 0);
  EXPECT_EQ(Num(stats, "total_connections"), 0);
  EXPECT_EQ(Num(stats, "curr_items"), 1);  // gauges are not reset
  std::vector<PromSample> after = Scrape();
  EXPECT_EQ(Cmd(after, "get", "hit"), 1);
  EXPECT_EQ(Cmd(after, "get", "miss"), 1);
  EXPECT_EQ(PromValue(after, "memcached_items_total"), 1);
  EXPECT_EQ(PromValue(after, "memcached_connections_total"),
            PromValue(before, "memcached_connections_total"));
  EXPECT_GE(PromValue(after, "memcached_read_bytes_total"),
            PromValue(before, "memcached_read_bytes_total"));
}

TEST_F(MetricsTest, EvictionsAndMemoryLimit) {
  MemcacheServerOptions options;
  options.store.memory_limit = 2 << 20;
  options.store.max_item_size = 512 << 10;
  StartServer(options);
  const std::string value(10000, 'v');
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(client_->Send("set big" + std::to_string(i) + " 0 0 10000 noreply\r\n" +
                              value + "\r\n"));
  }
  Call("mn\r\n", "MN\r\n");
  std::vector<PromSample> s = Scrape();
  const auto stats = ParseStats(Call("stats\r\n", "END\r\n"));
  EXPECT_GT(PromValue(s, "memcached_items_evicted_total"), 0);
  EXPECT_EQ(Num(stats, "evictions"), PromValue(s, "memcached_items_evicted_total"));
  EXPECT_LE(PromValue(s, "memcached_current_bytes"), PromValue(s, "memcached_limit_bytes"));
  EXPECT_EQ(PromValue(s, "memcached_limit_bytes"), 2 << 20);
  EXPECT_EQ(Cmd(s, "set", "stored"), 400);
}

TEST_F(MetricsTest, OtherPathsAndMethods) {
  EXPECT_EQ(HttpGet(server_->metrics_port(), "/").status, 200);
  EXPECT_EQ(HttpGet(server_->metrics_port(), "/nope").status, 404);
  EXPECT_EQ(HttpGet(server_->metrics_port(), "/metrics?x=1").status, 200);
  RawClient c(server_->metrics_port());
  c.Send("POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
  EXPECT_NE(c.ReadAll().find(" 501 "), std::string::npos);  // evhttp's answer
}

TEST_F(MetricsTest, ManyScrapesWhileServing) {
  // Scrapes from one thread while another drives commands: no stall, no
  // race (this test is most useful under TSan).
  std::atomic<bool> done{false};
  std::thread load([this, &done] {
    RawClient c(server_->port());
    for (int i = 0; i < 2000; ++i) {
      c.Send("set k 0 0 1\r\nx\r\nget k\r\n");
      c.ReadUntil("END\r\n");
    }
    done = true;
  });
  int scrapes = 0;
  while (!done && scrapes < 200) {
    HttpReply r = HttpGet(server_->metrics_port(), "/metrics");
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(ValidatePromText(r.body), "");
    ++scrapes;
  }
  load.join();
  std::vector<PromSample> s = Scrape();
  EXPECT_EQ(Cmd(s, "get", "hit"), 2000);
  EXPECT_EQ(Requests(s, "set"), 2000);
}

// The structural validator must catch what it claims to catch.
TEST(PrometheusValidatorTest, RejectsMalformedPages) {
  EXPECT_EQ(ValidatePromText("# HELP a_total x\n# TYPE a_total counter\na_total 1\n"), "");
  EXPECT_NE(ValidatePromText("a_total 1\n"), "");
  EXPECT_NE(ValidatePromText("# TYPE a_total counter\na_total 1\n"), "");  // no HELP
  EXPECT_NE(ValidatePromText("# HELP a x\n# TYPE a gauge\na 1\na 2\n"), "");
  EXPECT_NE(ValidatePromText("# HELP 1a x\n# TYPE 1a gauge\n1a 1\n"), "");
  EXPECT_NE(ValidatePromText("# HELP a x\n# TYPE a gauge\na{1x=\"y\"} 1\n"), "");
  const std::string h = "# HELP h x\n# TYPE h histogram\n";
  EXPECT_EQ(ValidatePromText(h + "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
                                 "h_sum 3\nh_count 2\n"),
            "");
  EXPECT_NE(ValidatePromText(h + "h_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\n"
                                 "h_sum 3\nh_count 2\n"),
            "");  // not cumulative
  EXPECT_NE(ValidatePromText(h + "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
                                 "h_sum 3\nh_count 3\n"),
            "");  // +Inf != count
  EXPECT_NE(ValidatePromText(h + "h_bucket{le=\"1\"} 1\nh_sum 3\nh_count 1\n"), "");
}

bool HavePromtool(std::string* path) {
  for (const char* p : {"/usr/bin/promtool", "/usr/local/bin/promtool"}) {
    if (access(p, X_OK) == 0) {
      *path = p;
      return true;
    }
  }
  return false;
}

TEST_F(MetricsTest, PromtoolAcceptsScrape) {
  std::string promtool;
  if (!HavePromtool(&promtool)) GTEST_SKIP() << "promtool not installed";
  Call("set a 0 0 1\r\nx\r\n", "\r\n");
  Call("get a b\r\n", "END\r\n");
  Call("mg a v\r\n", "x\r\n");
  std::string page;
  Scrape(&page);
  char path[] = "/tmp/metrics_test_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, page.data(), page.size()), static_cast<ssize_t>(page.size()));
  close(fd);
  const std::string out_path = std::string(path) + ".out";
  const std::string cmd = promtool + " check metrics < " + path + " > " + out_path + " 2>&1";
  int status = std::system(cmd.c_str());
  std::ifstream in(out_path);
  std::stringstream output;
  output << in.rdbuf();
  unlink(path);
  unlink(out_path.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << output.str();
}

TEST(MetricsBinaryTest, MetricsPortFlagServesThePage) {
  const uint16_t metrics_port = test_common::FindFreePort();
  test_common::ServerProcess server(test_common::OurServerArgv(
      {"--metrics_port=" + std::to_string(metrics_port), "-t", "2"}));
  ASSERT_TRUE(server.Start());
  RawClient c(server.port());
  c.Send("set a 0 0 1\r\nx\r\nget a\r\n");
  c.ReadUntil("END\r\n");
  HttpReply r;
  for (int i = 0; i < 100 && r.status == 0; ++i) {
    r = HttpGet(metrics_port, "/metrics");
    if (r.status == 0) usleep(20000);
  }
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(ValidatePromText(r.body), "");
  std::vector<PromSample> s;
  std::string error;
  ASSERT_TRUE(ParsePromText(r.body, &s, &error)) << error;
  EXPECT_EQ(PromValue(s, "memcached_commands_total", {{"command", "get"}, {"result", "hit"}}),
            1);
  EXPECT_EQ(PromValue(s, "memcached_io_threads"), 2);
  c.ShutdownWrite();
  c.ReadAll();
  int status = server.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace memcache
