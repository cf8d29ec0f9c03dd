// mcbench: a memcached load generator on the client library, in the spirit of
// memtier_benchmark.
//
//   mcbench --server 127.0.0.1:11211 --threads 1 --connections 50 --pipeline 1
//           --ratio 1:10 --keys 100000 --value_size 32 --duration 5 --warmup 1
//
// Each load thread runs one sock::EventLoop with --connections client::Sessions
// on it (one TCP connection each). Every connection keeps --pipeline requests
// in flight: each completion callback (on the loop thread) records the latency
// and submits the next request, so all the requests submitted while handling
// one read leave in one write (the Session drains its queue once per loop
// turn). --protocol echo drives a line echo server through sock/ directly
// instead (the socket path without memcached parsing). See doc/benchmarks.md.
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/load_report.h"
#include "client/options.h"
#include "client/request.h"
#include "client/result.h"
#include "client/session.h"
#include "sock/buffer.h"
#include "sock/connection.h"
#include "sock/connector.h"
#include "sock/event_loop.h"
#include "sock/event_loop_thread.h"

DEFINE_string(server, "127.0.0.1:11211", "server to load, host:port");
DEFINE_int32(threads, 1, "load threads (one event loop each)");
DEFINE_int32(connections, 1, "connections per thread");
DEFINE_int32(pipeline, 1, "requests in flight per connection");
DEFINE_string(ratio, "1:10", "set:get ratio");
DEFINE_uint64(keys, 100000, "key space size");
DEFINE_string(key_pattern, "uniform", "uniform | gaussian | sequential");
DEFINE_string(key_prefix, "key:", "prefix of every key");
DEFINE_int32(value_size, 32, "bytes per value (echo: bytes per line)");
DEFINE_int32(multiget, 1,
             "keys per get (text protocol): one \"get k1 ... kN\" per request; hits and "
             "misses count keys, ops count requests");
DEFINE_double(duration, 5, "seconds to measure (ignored when --requests is set)");
DEFINE_uint64(requests, 0, "requests per connection; 0: run for --duration");
DEFINE_double(warmup, 1, "seconds of load before measuring (duration runs only)");
DEFINE_string(protocol, "text", "text (get/set) | meta (mg/ms) | echo (line echo server)");
DEFINE_string(json, "", "also write the results as JSON to this file");
DEFINE_bool(quiet, false, "no table on stdout");
DEFINE_bool(io_uring, true,
            "batch each load loop's socket reads and writes into one io_uring system call "
            "each (false: one system call per read and write)");

namespace bench {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

enum class Protocol { kText, kMeta, kEcho };
enum class KeyPattern { kUniform, kGaussian, kSequential };
enum Phase : int { kWarmup, kMeasure, kStop };

struct Config {
  client::ServerAddress server;
  int threads = 1;
  int connections = 1;
  int pipeline = 1;
  uint64_t set_ratio = 1;
  uint64_t get_ratio = 10;
  uint64_t keys = 100000;
  KeyPattern pattern = KeyPattern::kUniform;
  std::string key_prefix;
  int value_size = 32;
  uint64_t requests = 0;
  Protocol protocol = Protocol::kText;
  int multiget = 1;  // keys per get request
  bool io_batching = true;  // sock::EventLoop::SetIoBatching of each load loop
};

// State the main thread shares with the load threads.
struct Shared {
  std::atomic<int> phase{kWarmup};
  std::atomic<int> active_connections{0};
};

class Worker;

// One connection of one load thread; touched only on that thread's loop.
struct Conn {
  Worker* worker = nullptr;
  std::unique_ptr<client::Session> session;  // text / meta
  sock::ConnectionPtr echo;                  // echo
  std::vector<int64_t> echo_starts;          // ring of send times (echo)
  size_t echo_head = 0;
  size_t echo_count = 0;
  uint64_t ops = 0;        // requests issued, drives the set:get cycle
  uint64_t remaining = 0;  // requests left (--requests)
  int inflight = 0;
  bool finished = false;
  bool counted_out = false;  // active_connections decremented
};

// Feeds echoed lines back to the worker (echo protocol).
class EchoHandler : public sock::ConnectionHandler {
 public:
  explicit EchoHandler(Conn* conn) : conn_(conn) {}
  void OnInput(sock::Connection* c, sock::Buffer* input) override;
  void OnClose(sock::Connection*, std::string_view reason) override;

 private:
  Conn* conn_;
};

class Worker {
 public:
  Worker(int id, const Config& config, Shared* shared)
      : id_(id), config_(config), shared_(shared), rng_(0x9e3779b9u * (id + 1)),
        gauss_(config.keys / 2.0, config.keys / 6.0),
        value_(config.value_size, 'x'), loop_thread_("load" + std::to_string(id), {}, config.io_batching) {
    line_ = value_ + "\r\n";
  }

  bool Connect(std::string* error) {
    loop_ = loop_thread_.Start();
    for (int i = 0; i < config_.connections; ++i) {
      auto conn = std::make_unique<Conn>();
      conn->worker = this;
      conn->remaining = config_.requests;
      if (config_.protocol == Protocol::kEcho) {
        sock::ConnectOptions co;
        co.host = config_.server.host;
        co.port = config_.server.port;
        co.loop = loop_;
        conn->echo_starts.assign(config_.pipeline, 0);
        conn->echo = sock::Connect(co, std::make_unique<EchoHandler>(conn.get()), error);
        if (conn->echo == nullptr) return false;
      } else {
        client::SessionOptions so;
        so.server = config_.server;
        // Load generation: no deadlines, heartbeats or reconnects; a slow
        // timer so 1,000 sessions do not tick 100,000 times a second.
        so.request_timeout = std::chrono::milliseconds(0);
        so.heartbeat_interval = std::chrono::milliseconds(0);
        so.reconnect = false;
        so.tick = std::chrono::milliseconds(1000);
        so.connect_timeout = std::chrono::milliseconds(5000);
        conn->session = std::make_unique<client::Session>(so, loop_);
        if (!conn->session->connected()) {
          *error = conn->session->last_error();
          return false;
        }
      }
      conns_.push_back(std::move(conn));
    }
    return true;
  }

  void Start() {
    shared_->active_connections.fetch_add(static_cast<int>(conns_.size()));
    loop_->RunInLoop([this] {
      for (auto& c : conns_) {
        for (int i = 0; i < config_.pipeline; ++i) {
          if (!Issue(c.get())) break;
        }
        if (c->inflight == 0) Finish(c.get());
      }
    });
  }

  // After every connection has finished: closes them and stops the loop.
  void Stop() {
    if (loop_ == nullptr) return;
    for (auto& c : conns_) {
      if (c->echo) c->echo->Abort();
      c->session.reset();  // blocks until closed on the loop thread
    }
    std::promise<void> done;
    loop_->RunInLoop([&done] { done.set_value(); });  // aborts have run
    done.get_future().wait();
    loop_thread_.Stop();
    loop_ = nullptr;
  }

  // Loop thread. Sends one more request on `c` unless the run is over;
  // returns whether it did.
  bool Issue(Conn* c) {
    if (c->finished || shared_->phase.load(std::memory_order_relaxed) == kStop) return false;
    if (config_.requests > 0) {
      if (c->remaining == 0) return false;
      --c->remaining;
    }
    ++c->inflight;
    const int64_t start = NowNs();
    if (config_.protocol == Protocol::kEcho) {
      size_t slot = (c->echo_head + c->echo_count) % c->echo_starts.size();
      c->echo_starts[slot] = start;
      ++c->echo_count;
      c->echo->Send(line_);
      return true;
    }
    const uint64_t cycle = config_.set_ratio + config_.get_ratio;
    const bool is_set = (c->ops++ % cycle) < config_.set_ratio;
    client::Request request;
    if (!is_set && config_.multiget > 1) {
      // Submit encodes the request before it returns, so the views may
      // point into scratch that the next request reuses.
      multi_keys_.resize(config_.multiget);
      multi_views_.resize(config_.multiget);
      for (int i = 0; i < config_.multiget; ++i) {
        multi_keys_[i] = NextKey();
        multi_views_[i] = multi_keys_[i];
      }
      request = client::Request::MultiGet(multi_views_);
    } else if (config_.protocol == Protocol::kMeta) {
      std::string_view key = NextKey();
      request = is_set ? client::Request::MetaSet(key, value_)
                       : client::Request::MetaGet(key, "v");
    } else {
      std::string_view key = NextKey();
      request = is_set ? client::Request::Set(key, value_) : client::Request::Get(key);
    }
    // Pointer plus one word: stays inside std::function's inline buffer.
    const uint64_t tag = (static_cast<uint64_t>(start) << 1) | (is_set ? 1 : 0);
    c->session->Submit(request, [c, tag](client::Result&& r) {
      c->worker->Complete(c, tag, r);
    });
    return true;
  }

  void Complete(Conn* c, uint64_t tag, const client::Result& r) {
    --c->inflight;
    if (Measuring()) {
      CommandStats& stats = (tag & 1) != 0 ? set_ : get_;
      Record(&stats, static_cast<int64_t>(tag >> 1));
      if ((tag & 1) == 0 && config_.multiget > 1) {
        // A multi-get's hits and misses count keys.
        if (r.status == client::Status::kOk || r.status == client::Status::kNotFound) {
          stats.hits += r.items.size();
          stats.misses += static_cast<uint64_t>(config_.multiget) - r.items.size();
        } else {
          ++stats.errors;
        }
      } else if (r.status == client::Status::kOk) {
        ++stats.hits;
      } else if (r.status == client::Status::kNotFound) {
        ++stats.misses;
      } else {
        ++stats.errors;
      }
    }
    if (r.status == client::Status::kConnectionError || r.status == client::Status::kTimeout ||
        r.status == client::Status::kQueueFull) {
      // The connection is unusable: stop it rather than spin on failures.
      if (!Measuring()) ++lost_outside_measurement_;
      LOG_EVERY_N(WARNING, 100) << "request failed: " << r.Describe();
      c->finished = true;
      if (c->inflight == 0) Finish(c);
      return;
    }
    if (!Issue(c) && c->inflight == 0) Finish(c);
  }

  void CompleteEcho(Conn* c) {
    CHECK_GT(c->echo_count, 0u) << "echo reply without a request";
    int64_t start = c->echo_starts[c->echo_head];
    c->echo_head = (c->echo_head + 1) % c->echo_starts.size();
    --c->echo_count;
    --c->inflight;
    if (Measuring()) {
      Record(&echo_, start);
      ++echo_.hits;
    }
    if (!Issue(c) && c->inflight == 0) Finish(c);
  }

  void ConnectionLost(Conn* c) {
    if (c->finished) return;
    c->finished = true;
    if (shared_->phase.load() != kStop) {
      LOG(WARNING) << "connection closed during the run";
      echo_.errors += c->inflight;
    }
    c->inflight = 0;
    Finish(c);
  }

  const CommandStats& get_stats() const { return get_; }
  const CommandStats& set_stats() const { return set_; }
  const CommandStats& echo_stats() const { return echo_; }
  // Connection failures during warm-up, which the tables do not count.
  uint64_t lost_outside_measurement() const { return lost_outside_measurement_; }

 private:
  bool Measuring() const {
    return shared_->phase.load(std::memory_order_relaxed) == kMeasure;
  }
  void Record(CommandStats* stats, int64_t start) {
    stats->latency_ns.Record(static_cast<uint64_t>(NowNs() - start));
  }

  // Counts a connection out once it will send nothing more.
  void Finish(Conn* c) {
    if (c->inflight != 0 || c->counted_out) return;
    c->finished = true;
    c->counted_out = true;
    shared_->active_connections.fetch_sub(1);
  }

  std::string_view NextKey() {
    uint64_t index;
    switch (config_.pattern) {
      case KeyPattern::kSequential:
        index = (sequence_++ * config_.threads + id_) % config_.keys;
        break;
      case KeyPattern::kGaussian: {
        double x = gauss_(rng_);
        if (x < 0) x = 0;
        index = static_cast<uint64_t>(x);
        if (index >= config_.keys) index = config_.keys - 1;
        break;
      }
      default:
        index = rng_() % config_.keys;
        break;
    }
    key_.assign(config_.key_prefix);
    char digits[24];
    int n = std::snprintf(digits, sizeof(digits), "%010llu",
                          static_cast<unsigned long long>(index));
    key_.append(digits, n);
    return key_;
  }

  const int id_;
  const Config config_;
  Shared* const shared_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> gauss_;
  const std::string value_;
  std::string line_;
  std::string key_;
  std::vector<std::string> multi_keys_;  // one multi-get's keys (scratch)
  std::vector<std::string_view> multi_views_;
  uint64_t sequence_ = 0;
  sock::EventLoopThread loop_thread_;
  sock::EventLoop* loop_ = nullptr;
  std::vector<std::unique_ptr<Conn>> conns_;
  CommandStats get_, set_, echo_;
  uint64_t lost_outside_measurement_ = 0;
};

}  // namespace
}  // namespace bench

namespace bench {
namespace {

void EchoHandler::OnInput(sock::Connection*, sock::Buffer* input) {
  for (;;) {
    size_t eol = input->FindNewline();
    if (eol == sock::Buffer::kNpos) break;
    input->Drain(eol + 1);
    conn_->worker->CompleteEcho(conn_);
  }
}

void EchoHandler::OnClose(sock::Connection*, std::string_view) {
  conn_->worker->ConnectionLost(conn_);
}

bool ParseConfig(Config* c, std::string* error) {
  std::string e;
  if (!client::ParseServerAddress(FLAGS_server, &c->server, &e)) {
    *error = "--server: " + e;
    return false;
  }
  c->threads = FLAGS_threads;
  c->connections = FLAGS_connections;
  c->pipeline = FLAGS_pipeline;
  if (c->threads < 1 || c->connections < 1 || c->pipeline < 1) {
    *error = "--threads, --connections and --pipeline must be >= 1";
    return false;
  }
  unsigned long long s = 0, g = 0;
  char tail = 0;
  if (std::sscanf(FLAGS_ratio.c_str(), "%llu:%llu%c", &s, &g, &tail) != 2 || s + g == 0) {
    *error = "--ratio must look like 1:10";
    return false;
  }
  c->set_ratio = s;
  c->get_ratio = g;
  c->keys = FLAGS_keys;
  if (c->keys == 0) {
    *error = "--keys must be >= 1";
    return false;
  }
  if (FLAGS_key_pattern == "uniform") {
    c->pattern = KeyPattern::kUniform;
  } else if (FLAGS_key_pattern == "gaussian") {
    c->pattern = KeyPattern::kGaussian;
  } else if (FLAGS_key_pattern == "sequential") {
    c->pattern = KeyPattern::kSequential;
  } else {
    *error = "--key_pattern must be uniform, gaussian or sequential";
    return false;
  }
  c->key_prefix = FLAGS_key_prefix;
  c->value_size = FLAGS_value_size;
  c->io_batching = FLAGS_io_uring;
  if (c->value_size < 0 || (FLAGS_protocol == "echo" && c->value_size < 1)) {
    *error = "--value_size out of range";
    return false;
  }
  c->requests = FLAGS_requests;
  c->multiget = FLAGS_multiget;
  if (c->multiget < 1 || (c->multiget > 1 && FLAGS_protocol != "text")) {
    *error = "--multiget must be >= 1, and > 1 only with --protocol text";
    return false;
  }
  if (FLAGS_protocol == "text") {
    c->protocol = Protocol::kText;
  } else if (FLAGS_protocol == "meta") {
    c->protocol = Protocol::kMeta;
  } else if (FLAGS_protocol == "echo") {
    c->protocol = Protocol::kEcho;
  } else {
    *error = "--protocol must be text, meta or echo";
    return false;
  }
  return true;
}

std::string ConfigJson(const Config& c) {
  char buf[1024];
  std::snprintf(buf, sizeof(buf),
                "{\"server\": \"%s\", \"threads\": %d, \"connections\": %d, "
                "\"pipeline\": %d, \"ratio\": \"%llu:%llu\", \"keys\": %llu, "
                "\"key_pattern\": \"%s\", \"value_size\": %d, \"duration\": %.3f, "
                "\"requests\": %llu, \"warmup\": %.3f, \"protocol\": \"%s\", "
                "\"multiget\": %d}",
                c.server.ToString().c_str(), c.threads, c.connections, c.pipeline,
                static_cast<unsigned long long>(c.set_ratio),
                static_cast<unsigned long long>(c.get_ratio),
                static_cast<unsigned long long>(c.keys), FLAGS_key_pattern.c_str(),
                c.value_size, FLAGS_duration, static_cast<unsigned long long>(c.requests),
                FLAGS_warmup, FLAGS_protocol.c_str(), c.multiget);
  return buf;
}

void SleepSeconds(double s) {
  if (s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

// Waits until every connection has finished (bounded); false on timeout.
bool WaitIdle(const Shared& shared, double timeout_s) {
  int64_t deadline = NowNs() + static_cast<int64_t>(timeout_s * 1e9);
  while (shared.active_connections.load() > 0) {
    if (NowNs() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

int Run() {
  Config config;
  std::string error;
  if (!ParseConfig(&config, &error)) {
    std::fprintf(stderr, "mcbench: %s\n", error.c_str());
    return 2;
  }
  Shared shared;
  const bool by_requests = config.requests > 0;
  if (by_requests || FLAGS_warmup <= 0) shared.phase = kMeasure;

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < config.threads; ++i) {
    workers.push_back(std::make_unique<Worker>(i, config, &shared));
    if (!workers.back()->Connect(&error)) {
      std::fprintf(stderr, "mcbench: %s\n", error.c_str());
      shared.phase = kStop;
      for (auto& w : workers) w->Stop();
      return 2;
    }
  }

  int64_t start = NowNs();
  for (auto& w : workers) w->Start();
  if (!by_requests && shared.phase.load() == kWarmup) {
    SleepSeconds(FLAGS_warmup);
    start = NowNs();
    shared.phase = kMeasure;
  }
  int64_t end;
  bool clean = true;
  if (by_requests) {
    clean = WaitIdle(shared, 3600);
    end = NowNs();
    shared.phase = kStop;
  } else {
    SleepSeconds(FLAGS_duration);
    shared.phase = kStop;
    end = NowNs();
    clean = WaitIdle(shared, 10);
  }
  if (!clean) LOG(WARNING) << "some requests never completed";
  for (auto& w : workers) w->Stop();

  const double seconds = (end - start) / 1e9;
  std::vector<NamedStats> rows;
  CommandStats total;
  if (config.protocol == Protocol::kEcho) {
    NamedStats echo{"echo", {}};
    for (auto& w : workers) echo.stats.Merge(w->echo_stats());
    rows.push_back(echo);
  } else {
    NamedStats set{"set", {}}, get{"get", {}};
    for (auto& w : workers) {
      set.stats.Merge(w->set_stats());
      get.stats.Merge(w->get_stats());
    }
    rows.push_back(set);
    rows.push_back(get);
  }
  for (const NamedStats& r : rows) total.Merge(r.stats);
  rows.push_back({"total", total});

  if (!FLAGS_quiet) {
    std::printf("%s %s: %d threads x %d connections, pipeline %d, %.2f s\n",
                FLAGS_protocol.c_str(), config.server.ToString().c_str(), config.threads,
                config.connections, config.pipeline, seconds);
    PrintTable(stdout, rows, seconds);
  }
  if (!FLAGS_json.empty()) {
    FILE* f = std::fopen(FLAGS_json.c_str(), "w");
    if (f == nullptr) {
      std::fprintf(stderr, "mcbench: cannot write %s\n", FLAGS_json.c_str());
      return 2;
    }
    std::string json = RenderJson(ConfigJson(config), rows, seconds);
    std::fwrite(json.data(), 1, json.size(), f);
    std::fclose(f);
  }
  uint64_t failed = total.errors;
  for (auto& w : workers) failed += w->lost_outside_measurement();
  if (failed > 0) {
    std::fprintf(stderr, "mcbench: %llu requests failed\n",
                 static_cast<unsigned long long>(failed));
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  gflags::SetUsageMessage("memcached load generator; see doc/benchmarks.md");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  return bench::Run();
}
