// Differential test: every case of differential_cases.txt goes byte for byte
// to memcached 1.6.18 and to our server; the replies must match byte for byte
// (CAS numbers by their equality pattern, version strings ignored). Our
// server also gets each case split into small chunks, which must not change
// its replies.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/raw_client.h"
#include "tests/common/server_process.h"

namespace {

using test_common::MemcachedArgv;
using test_common::OurServerArgv;
using test_common::RawClient;
using test_common::ServerProcess;

struct Case {
  std::string name;
  std::string bytes;
  bool expects_close = false;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Expands the corpus escapes of one line (see differential_cases.txt).
std::string Unescape(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size()) {
      char e = line[++i];
      if (e == 'r') out += '\r';
      else if (e == 'n') out += '\n';
      else if (e == 't') out += '\t';
      else if (e == '\\') out += '\\';
      else if (e == 'x' && i + 2 < line.size()) {
        out += static_cast<char>(HexDigit(line[i + 1]) * 16 + HexDigit(line[i + 2]));
        i += 2;
      } else {
        out += '\\';
        out += e;
      }
    } else if (line.compare(i, 8, "@repeat(") == 0) {
      size_t comma = line.find(',', i);
      size_t close = line.find(')', comma);
      size_t n = std::stoul(line.substr(i + 8, comma - i - 8));
      out.append(n, line[comma + 1]);
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<Case> LoadCases() {
  std::string root = test_common::BuildBinDir() + "/../..";
  std::ifstream in(root + "/tests/main/differential_cases.txt");
  std::vector<Case> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("===", 0) == 0) {
      Case c;
      c.name = line.substr(4);
      c.expects_close = c.name.rfind("close:", 0) == 0;
      cases.push_back(c);
    } else if (!line.empty() && line[0] != '#' && !cases.empty()) {
      cases.back().bytes += Unescape(line);
    }
  }
  return cases;
}

// Replaces each CAS number with "cas#N", N counting distinct values in order
// of appearance, and drops version strings.
std::string Normalize(const std::string& reply) {
  std::map<std::string, int> seen;
  auto cas_name = [&](const std::string& v) {
    auto it = seen.emplace(v, static_cast<int>(seen.size())).first;
    return "cas#" + std::to_string(it->second);
  };
  std::istringstream in(reply);
  std::string out, line;
  while (std::getline(in, line)) {
    std::vector<std::string> tokens;
    std::istringstream ls(line);
    for (std::string t; ls >> t;) tokens.push_back(t);
    if (!tokens.empty() && tokens[0] == "VALUE" && tokens.size() == 5) {
      std::string cr = line.back() == '\r' ? "\r" : "";
      line = "VALUE " + tokens[1] + " " + tokens[2] + " " + tokens[3] + " " +
             cas_name(tokens[4]) + cr;
    } else if (!tokens.empty() && tokens[0] == "VERSION") {
      line = "VERSION <ignored>\r";
    } else if (!tokens.empty() &&
               (tokens[0] == "VA" || tokens[0] == "HD" || tokens[0] == "EN" ||
                tokens[0] == "NS" || tokens[0] == "EX" || tokens[0] == "NF")) {
      std::string rebuilt;
      for (auto& t : tokens) {
        if (!rebuilt.empty()) rebuilt += ' ';
        if (&t != &tokens[0] && t.size() > 1 && t[0] == 'c' &&
            t.find_first_not_of("0123456789", 1) == std::string::npos) {
          rebuilt += "c" + cas_name(t.substr(1));
        } else {
          rebuilt += t;
        }
      }
      if (line.back() == '\r') rebuilt += '\r';
      line = rebuilt;
    }
    out += line + "\n";
  }
  return out;
}

// Sent after each case: a reply no case can produce, so reading up to it
// collects exactly the case's replies.
const std::string kSentinelRequest =
    "set __sentinel__ 0 0 8\r\nSENTINEL\r\nget __sentinel__\r\n";
const std::string kSentinelReply =
    "STORED\r\nVALUE __sentinel__ 0 8\r\nSENTINEL\r\nEND\r\n";

std::string Exchange(uint16_t port, const Case& c, size_t chunk) {
  {
    RawClient flusher(port);
    flusher.Send("flush_all\r\n");
    flusher.ReadUntil("OK\r\n");
  }
  RawClient client(port);
  EXPECT_TRUE(client.connected());
  std::string bytes = c.bytes;
  if (!c.expects_close) bytes += kSentinelRequest;
  if (chunk == 0) {
    client.Send(bytes);
  } else {
    for (size_t off = 0; off < bytes.size(); off += chunk) {
      client.Send(bytes.substr(off, chunk));
      if (bytes.size() < 4096) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  if (c.expects_close) return client.ReadAll();
  std::string reply = client.ReadUntil(kSentinelReply);
  EXPECT_TRUE(reply.size() >= kSentinelReply.size() &&
              reply.compare(reply.size() - kSentinelReply.size(),
                            kSentinelReply.size(), kSentinelReply) == 0)
      << "no sentinel reply (timeout)";
  return reply;
}

class DifferentialTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DifferentialTest, RepliesMatchMemcached) {
  ServerProcess reference(MemcachedArgv());
  ASSERT_TRUE(reference.Start()) << "memcached did not start";
  // "event_busy_poll": the event engine with the polling I/O loop.
  std::vector<std::string> args = {"--engine", GetParam()};
  if (GetParam() == "event_busy_poll") args = {"--engine", "event", "--busy_poll_us", "50"};
  ServerProcess ours(OurServerArgv(args));
  ASSERT_TRUE(ours.Start()) << "memcache_server did not start";
  std::vector<Case> cases = LoadCases();
  ASSERT_GT(cases.size(), 20u);
  for (const Case& c : cases) {
    SCOPED_TRACE("case: " + c.name);
    std::string expected = Normalize(Exchange(reference.port(), c, 0));
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(Normalize(Exchange(ours.port(), c, 0)), expected);
    EXPECT_EQ(Normalize(Exchange(ours.port(), c, 7)), expected) << "split in 7-byte chunks";
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, DifferentialTest,
                         ::testing::Values("event", "threaded", "event_busy_poll"));

}  // namespace
