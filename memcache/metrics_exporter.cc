#include "memcache/metrics_exporter.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <glog/logging.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <mutex>
#include <utility>

#include "memcache/prometheus_writer.h"

namespace memcache {

namespace {

// event_base_loopbreak from the controlling thread needs libevent's locks.
void InitLibeventThreadsOnce() {
  static std::once_flag once;
  // Harmless if sock/ already installed the same callbacks.
  std::call_once(once, [] { evthread_use_pthreads(); });
}

uint16_t BoundPort(evhttp_bound_socket* bound) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(evhttp_bound_socket_get_fd(bound),
                  reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return 0;
  }
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  }
  return 0;
}

}  // namespace

MetricsExporter::MetricsExporter(MetricsExporterOptions options, RenderFn render)
    : options_(std::move(options)), render_(std::move(render)) {}

MetricsExporter::~MetricsExporter() { Stop(); }

bool MetricsExporter::Start(std::string* error) {
  std::string ignored;
  if (error == nullptr) error = &ignored;
  CHECK(!running_);
  InitLibeventThreadsOnce();
  base_ = event_base_new();
  if (base_ == nullptr) {
    *error = "metrics: event_base_new failed";
    return false;
  }
  http_ = evhttp_new(base_);
  if (http_ == nullptr) {
    *error = "metrics: evhttp_new failed";
    event_base_free(base_);
    base_ = nullptr;
    return false;
  }
  evhttp_set_timeout(http_, options_.timeout_seconds);
  evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
  // Scrapes are tiny requests; refuse anything that is not.
  evhttp_set_max_headers_size(http_, 16 << 10);
  evhttp_set_max_body_size(http_, 4 << 10);
  evhttp_set_gencb(http_, &MetricsExporter::OnRequest, this);
  evhttp_bound_socket* bound =
      evhttp_bind_socket_with_handle(http_, options_.address.c_str(), options_.port);
  if (bound == nullptr) {
    *error = "metrics: bind " + options_.address + ":" + std::to_string(options_.port) +
             ": " + std::strerror(errno);
    evhttp_free(http_);
    event_base_free(base_);
    http_ = nullptr;
    base_ = nullptr;
    return false;
  }
  port_.store(BoundPort(bound), std::memory_order_release);
  event_base* base = base_;
  thread_ = std::thread([base] {
    event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
  });
  running_ = true;
  LOG(INFO) << "metrics endpoint on http://" << options_.address << ":" << port()
            << "/metrics";
  return true;
}

void MetricsExporter::Stop() {
  if (!running_) return;
  running_ = false;
  // Not loopbreak: event_base_loop clears the break flag when it starts, so a
  // Stop right after Start (before the thread entered the loop) would be lost
  // and join would hang. loopexit queues an event the loop always runs.
  event_base_loopexit(base_, nullptr);
  thread_.join();
  // The loop is stopped: freeing on this thread is safe.
  evhttp_free(http_);
  event_base_free(base_);
  http_ = nullptr;
  base_ = nullptr;
  VLOG(1) << "metrics endpoint stopped after " << scrapes() << " scrapes";
}

void MetricsExporter::OnRequest(evhttp_request* request, void* arg) {
  static_cast<MetricsExporter*>(arg)->HandleRequest(request);
}

void MetricsExporter::HandleRequest(evhttp_request* request) {
  const char* uri = evhttp_request_get_uri(request);
  evhttp_uri* parsed = evhttp_uri_parse(uri != nullptr ? uri : "/");
  std::string path = "/";
  if (parsed != nullptr) {
    const char* p = evhttp_uri_get_path(parsed);
    if (p != nullptr && *p != '\0') path = p;
    evhttp_uri_free(parsed);
  }
  evkeyvalq* headers = evhttp_request_get_output_headers(request);
  evbuffer* body = evbuffer_new();
  if (body == nullptr) {
    evhttp_send_error(request, HTTP_INTERNAL, nullptr);
    return;
  }
  if (path == "/metrics") {
    scrapes_.fetch_add(1, std::memory_order_relaxed);
    const std::string page = render_ ? render_() : std::string();
    evbuffer_add(body, page.data(), page.size());
    evhttp_add_header(headers, "Content-Type", PrometheusWriter::kContentType);
    evhttp_send_reply(request, HTTP_OK, "OK", body);
  } else if (path == "/") {
    static const char kIndex[] = "memcache_server metrics: see /metrics\n";
    evbuffer_add(body, kIndex, sizeof(kIndex) - 1);
    evhttp_add_header(headers, "Content-Type", "text/plain; charset=utf-8");
    evhttp_send_reply(request, HTTP_OK, "OK", body);
  } else {
    evhttp_send_error(request, HTTP_NOTFOUND, nullptr);
  }
  evbuffer_free(body);
}

}  // namespace memcache
