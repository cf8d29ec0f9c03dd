// Memory bound under a random-size write load: the server binary with -m 64
// is hammered by writers setting values of random sizes (a few bytes to
// 900 KB) while reading keys back. Every get is checked against the last
// value stored for that key, so a wrong, stale or torn value fails the test,
// and the server's resident memory is sampled throughout and must stay
// within the bound documented in doc/reliability.md.
//
// Values are derived from (key, version): the checker stores one version
// number per key, not the values. Each key has one writer, so "the last value
// stored" is well defined: a get returns it or misses (evicted), nothing else.
//
// MEMORY_LOAD_SECONDS (default 10) sets the duration; MEMORY_LOAD_ENGINES
// ("event", "threaded" or "event,threaded"; default event) the engines.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/server_process.h"
#include "tests/main/hostile_util.h"

namespace testing_util {
namespace {

using Clock = std::chrono::steady_clock;
using test_common::ConnectTo;
using test_common::OurServerArgv;
using test_common::ServerProcess;

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Sizes: mostly small, some tens of KB, a few near the 1 MiB item limit, so
// the store churns through its memory many times and the allocator sees
// every size class.
size_t ValueSize(uint64_t key_id, uint64_t version) {
  uint64_t h = Mix(key_id * 1000003 + version);
  switch (h % 16) {
    case 0: return 100000 + (h >> 8) % 800000;
    case 1: case 2: case 3: return 1000 + (h >> 8) % 60000;
    default: return 1 + (h >> 8) % 2000;
  }
}

std::string Value(uint64_t key_id, uint64_t version) {
  const size_t size = ValueSize(key_id, version);
  std::string v = std::to_string(key_id) + ":" + std::to_string(version) + ":";
  v += PseudoRandomBytes(Mix(key_id) ^ version, size > v.size() ? size - v.size() : 0);
  v.resize(size);
  return v;
}

// A blocking connection with a read buffer and a deadline per read.
class Conn {
 public:
  explicit Conn(uint16_t port) : fd_(ConnectTo(port)) {}
  ~Conn() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  bool Send(const std::string& bytes) { return SendAll(fd_, bytes); }
  bool ReadLine(std::string* line) {
    for (;;) {
      size_t eol = buf_.find("\r\n");
      if (eol != std::string::npos) {
        *line = buf_.substr(0, eol);
        buf_.erase(0, eol + 2);
        return true;
      }
      if (!Fill()) return false;
    }
  }
  bool ReadExact(size_t n, std::string* out) {
    while (buf_.size() < n) {
      if (!Fill()) return false;
    }
    *out = buf_.substr(0, n);
    buf_.erase(0, n);
    return true;
  }

 private:
  bool Fill() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) return false;
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof(tmp), 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  std::string buf_;
};

struct Totals {
  std::atomic<uint64_t> sets{0}, stored{0}, set_errors{0};
  std::atomic<uint64_t> gets{0}, hits{0}, misses{0}, wrong{0}, protocol_errors{0};
  std::atomic<uint64_t> bytes_written{0};
};

// One writer/reader owning keys [first, first + count).
void Worker(uint16_t port, uint64_t first, uint64_t count, Clock::time_point until,
            Totals* totals, std::string* first_error) {
  Conn conn(port);
  if (!conn.ok()) {
    ++totals->protocol_errors;
    return;
  }
  std::vector<uint64_t> next_version(count, 1);
  std::vector<uint64_t> stored_version(count, 0);  // 0: nothing stored
  uint64_t rng = Mix(first + 17);
  std::string line, data;
  auto fail = [&](const std::string& what) {
    ++totals->protocol_errors;
    if (first_error->empty()) *first_error = what;
  };
  while (Clock::now() < until) {
    rng = Mix(rng);
    const uint64_t slot = rng % count;
    const uint64_t key_id = first + slot;
    const std::string key = "key:" + std::to_string(key_id);
    if ((rng >> 32) % 2 == 0) {
      const uint64_t version = next_version[slot]++;
      const std::string value = Value(key_id, version);
      ++totals->sets;
      if (!conn.Send("set " + key + " " + std::to_string(version & 0xffff) + " 0 " +
                     std::to_string(value.size()) + "\r\n" + value + "\r\n") ||
          !conn.ReadLine(&line)) {
        return fail("set: connection lost");
      }
      if (line == "STORED") {
        ++totals->stored;
        totals->bytes_written += value.size();
        stored_version[slot] = version;
      } else if (line.rfind("SERVER_ERROR", 0) == 0) {
        ++totals->set_errors;  // out of memory: the old value may stay or go
      } else {
        return fail("set " + key + ": " + line);
      }
      continue;
    }
    ++totals->gets;
    if (!conn.Send("get " + key + "\r\n") || !conn.ReadLine(&line)) {
      return fail("get: connection lost");
    }
    if (line == "END") {
      ++totals->misses;
      continue;
    }
    // VALUE <key> <flags> <bytes>
    char k[300];
    unsigned long flags = 0, bytes = 0;
    if (std::sscanf(line.c_str(), "VALUE %299s %lu %lu", k, &flags, &bytes) != 3 ||
        key != k || !conn.ReadExact(bytes + 2, &data) || !conn.ReadLine(&line) ||
        line != "END") {
      return fail("get " + key + ": bad reply " + line.substr(0, 80));
    }
    data.resize(bytes);
    ++totals->hits;
    const uint64_t v = stored_version[slot];
    if (v == 0 || flags != (v & 0xffff) || data != Value(key_id, v)) {
      ++totals->wrong;
      if (first_error->empty()) {
        *first_error = "get " + key + " returned \"" + data.substr(0, 40) +
                       "\", expected version " + std::to_string(v);
      }
    }
  }
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

class MemoryBoundTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MemoryBoundTest, RandomSizeWritesStayBoundedAndCorrect) {
  const std::string engines = std::getenv("MEMORY_LOAD_ENGINES") != nullptr
                                  ? std::getenv("MEMORY_LOAD_ENGINES")
                                  : "event";
  if (engines.find(GetParam()) == std::string::npos) {
    GTEST_SKIP() << "engine not in MEMORY_LOAD_ENGINES";
  }
  const int seconds = EnvInt("MEMORY_LOAD_SECONDS", 10);
  ServerProcess server(OurServerArgv({"-m", "64", "-t", "4", "--engine=" + GetParam()}));
  ASSERT_TRUE(server.Start());
  const long rss_start = VmRssKb(server.pid());

  std::atomic<bool> sampling{true};
  std::atomic<long> rss_max{rss_start};
  std::thread sampler([&] {
    while (sampling) {
      long rss = VmRssKb(server.pid());
      if (rss > rss_max) rss_max = rss;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });

  constexpr int kWorkers = 4;
  constexpr uint64_t kKeysPerWorker = 5000;
  Totals totals;
  std::vector<std::string> errors(kWorkers);
  const auto until = Clock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back(Worker, server.port(), w * kKeysPerWorker, kKeysPerWorker,
                         until, &totals, &errors[w]);
  }
  for (auto& t : workers) t.join();
  sampling = false;
  sampler.join();

  // The store's own view.
  std::string stats = Converse(server.port(), {"stats\r\n"}, 1000);
  auto stat = [&stats](const std::string& name) -> long long {
    size_t at = stats.find("STAT " + name + " ");
    return at == std::string::npos ? -1 : std::atoll(stats.c_str() + at + 6 + name.size());
  };
  const long long bytes = stat("bytes");
  const long long limit = stat("limit_maxbytes");

  std::printf(
      "[ memory   ] %s, %d s: %llu sets (%llu stored, %llu SERVER_ERROR, %.0f MiB), "
      "%llu gets checked (%llu hits, %llu misses, %llu wrong); evictions %lld; "
      "store bytes %lld of %lld; RSS start %ld KiB, max %ld KiB\n",
      GetParam().c_str(), seconds, (unsigned long long)totals.sets.load(),
      (unsigned long long)totals.stored.load(), (unsigned long long)totals.set_errors.load(),
      totals.bytes_written.load() / 1048576.0, (unsigned long long)totals.gets.load(),
      (unsigned long long)totals.hits.load(), (unsigned long long)totals.misses.load(),
      (unsigned long long)totals.wrong.load(), stat("evictions"), bytes, limit, rss_start,
      rss_max.load());
  for (const std::string& e : errors) EXPECT_EQ("", e);
  EXPECT_EQ(0u, totals.wrong.load());
  EXPECT_EQ(0u, totals.protocol_errors.load());
  EXPECT_GT(totals.hits.load(), 0u);
  EXPECT_EQ(64ll << 20, limit);
  EXPECT_LE(bytes, limit);
  if (!UnderSanitizer()) {
    // The load must overflow the cache for the bound to mean anything (a
    // sanitizer build is too slow to, and its RSS says nothing of ours).
    EXPECT_GT(totals.bytes_written.load(), 2 * (64ull << 20));
    // The documented bound (doc/reliability.md): 64 MiB of items plus at
    // most 64 MiB of allocator slack, buffers and thread stacks.
    EXPECT_LT(rss_max.load(), 128 * 1024) << "RSS above 128 MiB with -m 64";
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, MemoryBoundTest,
                         ::testing::Values("event", "threaded"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace testing_util
