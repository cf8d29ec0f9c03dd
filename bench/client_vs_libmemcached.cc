// client_vs_libmemcached: our client library against libmemcached, same
// server, same calls, alternating runs.
//
//   client_vs_libmemcached --server 127.0.0.1:11211 --threads 1,16 --duration 2
//
// Loads, each from every --threads count:
//   getset: blocking single calls, 1 set : 10 gets over --keys keys;
//   mget:   blocking multi-gets of --batch distinct keys (ops/s counts keys
//           fetched).
// libmemcached gets one memcached_st per thread (it is not thread-safe); our
// side shares one client::Session among all threads, which is the library's
// design: concurrent callers are batched into one write. Our session runs with
// the library's defaults (no busy polling; --busy_poll_us sets the window).
// Prints, per load and thread count, the median ops/s of --rounds runs and
// the ratio ours/theirs.
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <libmemcached/memcached.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/options.h"
#include "client/session.h"

DEFINE_string(server, "127.0.0.1:11211", "memcached server, host:port");
DEFINE_string(threads, "1,16", "comma-separated caller thread counts");
DEFINE_double(duration, 2, "seconds per run");
DEFINE_int32(rounds, 3, "runs per side (alternating); the median is reported");
DEFINE_int32(keys, 1000, "key space");
DEFINE_int32(value_size, 32, "bytes per value");
DEFINE_int32(batch, 100, "keys per multi-get");
DEFINE_string(loads, "getset,mget", "which loads to run");
DEFINE_int32(busy_poll_us, -1,
             "our session's loop busy-poll window in us (SessionOptions::busy_poll); "
             "-1: the library default");
DEFINE_string(side, "both", "both | ours | libmemcached (one side only, e.g. to profile)");

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string Key(int i) { return "cvl:" + std::to_string(i); }

// Runs `body(thread_index, stop)` on `threads` threads for the duration;
// each returns its op count. Returns total ops per second.
template <typename Body>
double RunThreads(int threads, Body body) {
  std::atomic<bool> stop{false};
  std::vector<uint64_t> counts(threads, 0);
  std::vector<std::thread> pool;
  Clock::time_point start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] { counts[t] = body(t, stop); });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(FLAGS_duration));
  stop = true;
  for (auto& th : pool) th.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  return total / seconds;
}

memcached_st* NewLibmemcached(const client::ServerAddress& server) {
  memcached_st* mc = memcached_create(nullptr);
  CHECK(mc != nullptr);
  memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
  memcached_return_t rc = memcached_server_add(mc, server.host.c_str(), server.port);
  CHECK(memcached_success(rc)) << memcached_strerror(mc, rc);
  return mc;
}

class Bench {
 public:
  explicit Bench(client::ServerAddress server) : server_(std::move(server)) {
    value_.assign(FLAGS_value_size, 'v');
    for (int i = 0; i < FLAGS_keys; ++i) keys_.push_back(Key(i));
  }

  bool Prefill() {
    client::SessionOptions o;
    o.server = server_;
    client::Session s(o);
    if (!s.connected()) {
      LOG(ERROR) << s.last_error();
      return false;
    }
    for (const std::string& k : keys_) {
      if (!s.Set(k, value_).ok()) return false;
    }
    return true;
  }

  double Libmemcached(const std::string& load, int threads) {
    std::vector<memcached_st*> handles;
    for (int t = 0; t < threads; ++t) handles.push_back(NewLibmemcached(server_));
    double rate = RunThreads(threads, [&](int t, std::atomic<bool>& stop) {
      memcached_st* mc = handles[t];
      std::mt19937 rng(t + 1);
      uint64_t ops = 0;
      std::vector<const char*> ks(FLAGS_batch);
      std::vector<size_t> lens(FLAGS_batch);
      while (!stop.load(std::memory_order_relaxed)) {
        if (load == "mget") {
          size_t first = rng();
          for (int i = 0; i < FLAGS_batch; ++i) {
            const std::string& k = keys_[(first + i) % keys_.size()];
            ks[i] = k.data();
            lens[i] = k.size();
          }
          memcached_return_t rc = memcached_mget(mc, ks.data(), lens.data(), FLAGS_batch);
          CHECK(memcached_success(rc)) << memcached_strerror(mc, rc);
          memcached_result_st* r;
          while ((r = memcached_fetch_result(mc, nullptr, &rc)) != nullptr) {
            memcached_result_free(r);
            ++ops;
          }
        } else {
          const std::string& k = keys_[rng() % keys_.size()];
          if (ops % 11 == 0) {
            memcached_return_t rc =
                memcached_set(mc, k.data(), k.size(), value_.data(), value_.size(), 0, 0);
            CHECK(memcached_success(rc)) << memcached_strerror(mc, rc);
          } else {
            size_t len = 0;
            uint32_t flags = 0;
            memcached_return_t rc;
            char* v = memcached_get(mc, k.data(), k.size(), &len, &flags, &rc);
            CHECK(v != nullptr) << memcached_strerror(mc, rc);
            std::free(v);
          }
          ++ops;
        }
      }
      return ops;
    });
    for (memcached_st* mc : handles) memcached_free(mc);
    return rate;
  }

  double Ours(const std::string& load, int threads) {
    client::SessionOptions o;
    o.server = server_;
    if (FLAGS_busy_poll_us >= 0) o.busy_poll = std::chrono::microseconds(FLAGS_busy_poll_us);
    client::Session session(o);
    CHECK(session.connected()) << session.last_error();
    return RunThreads(threads, [&](int t, std::atomic<bool>& stop) {
      std::mt19937 rng(t + 1);
      uint64_t ops = 0;
      std::vector<std::string_view> ks(FLAGS_batch);
      while (!stop.load(std::memory_order_relaxed)) {
        if (load == "mget") {
          size_t first = rng();
          for (int i = 0; i < FLAGS_batch; ++i) ks[i] = keys_[(first + i) % keys_.size()];
          client::Result r = session.MultiGet(ks);
          CHECK(r.ok()) << r.Describe();
          ops += r.items.size();
        } else {
          const std::string& k = keys_[rng() % keys_.size()];
          client::Result r = ops % 11 == 0 ? session.Set(k, value_) : session.Get(k);
          CHECK(r.ok()) << r.Describe();
          ++ops;
        }
      }
      return ops;
    });
  }

 private:
  const client::ServerAddress server_;
  std::string value_;
  std::vector<std::string> keys_;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

int Run() {
  client::ServerAddress server;
  std::string error;
  if (!client::ParseServerAddress(FLAGS_server, &server, &error)) {
    std::fprintf(stderr, "client_vs_libmemcached: --server: %s\n", error.c_str());
    return 2;
  }
  Bench bench(server);
  if (!bench.Prefill()) {
    std::fprintf(stderr, "client_vs_libmemcached: cannot prefill %s\n", FLAGS_server.c_str());
    return 2;
  }
  std::printf("%-8s %8s %16s %16s %8s\n", "load", "threads", "libmemcached/s", "ours/s",
              "ratio");
  for (const std::string& load : Split(FLAGS_loads)) {
    for (const std::string& t : Split(FLAGS_threads)) {
      int threads = std::atoi(t.c_str());
      std::vector<double> theirs, ours;
      for (int r = 0; r < FLAGS_rounds; ++r) {
        if (FLAGS_side != "ours") theirs.push_back(bench.Libmemcached(load, threads));
        if (FLAGS_side != "libmemcached") ours.push_back(bench.Ours(load, threads));
      }
      double a = Median(theirs), b = Median(ours);
      std::printf("%-8s %8d %16.0f %16.0f %8.2f\n", load.c_str(), threads, a, b,
                  a > 0 ? b / a : 0.0);
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  gflags::SetUsageMessage("our client library vs libmemcached; see doc/benchmarks.md");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  return bench::Run();
}
