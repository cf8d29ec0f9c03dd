// MetricsExporter: a small HTTP server (libevent's evhttp) on its own thread
// and event_base, answering GET /metrics with the page a render callback
// returns (Prometheus text format). It shares nothing with the I/O loops, so
// a slow or stuck scraper never delays a cache request, and a busy cache
// never blocks a scrape beyond the render itself.
//
// Paths: /metrics (the page), / (a one-line pointer to /metrics); anything
// else is 404; methods other than GET/HEAD get evhttp's 501.
//
// Threads: Start and Stop are called from one controlling thread. The render
// callback runs on the exporter thread, one scrape at a time.
#ifndef MEMCACHE_METRICS_EXPORTER_H_
#define MEMCACHE_METRICS_EXPORTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

struct event_base;
struct evhttp;
struct evhttp_request;

namespace memcache {

struct MetricsExporterOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (see port())
  // A scraper that sends nothing (or reads nothing) for this long is dropped.
  int timeout_seconds = 10;
};

class MetricsExporter {
 public:
  using RenderFn = std::function<std::string()>;

  MetricsExporter(MetricsExporterOptions options, RenderFn render);
  ~MetricsExporter();  // Stop()s
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  // Binds and starts the thread. On failure returns false and sets *error.
  bool Start(std::string* error);
  // Stops the loop and joins the thread; open scrapes are dropped.
  void Stop();

  uint16_t port() const { return port_.load(std::memory_order_acquire); }
  uint64_t scrapes() const { return scrapes_.load(std::memory_order_relaxed); }

 private:
  static void OnRequest(evhttp_request* request, void* arg);
  void HandleRequest(evhttp_request* request);

  const MetricsExporterOptions options_;
  const RenderFn render_;
  event_base* base_ = nullptr;
  evhttp* http_ = nullptr;
  std::thread thread_;
  std::atomic<uint16_t> port_{0};
  std::atomic<uint64_t> scrapes_{0};
  bool running_ = false;  // controlling thread only
};

}  // namespace memcache

#endif  // MEMCACHE_METRICS_EXPORTER_H_
