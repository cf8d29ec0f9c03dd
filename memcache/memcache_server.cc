#include "memcache/memcache_server.h"

#include <glog/logging.h>

#include <algorithm>
#include <utility>

#include "codec/text_codec.h"
#include "codec/text_request.h"
#include "memcache/auth_handler.h"
#include "memcache/command_handler.h"
#include "sock/codec_handler.h"

namespace memcache {

namespace {

using ConnectionCodecHandler =
    sock::CodecHandler<codec::TextRequest, codec::TextCodec, CommandHandler>;

}  // namespace

MemcacheServer::MemcacheServer(MemcacheServerOptions options)
    : options_(std::move(options)) {
  // What memcached writes to a connection it refuses at its -c limit.
  options_.server.refuse_message = "ERROR Too many open connections\r\n";
  store_ = std::make_unique<Store>(options_.store);
  context_.store = store_.get();
  context_.stats = &stats_;
  context_.metrics = &command_metrics_;
  context_.prefix_stats = &prefix_stats_;
  context_.start_time = store_->Now();
  context_.verbosity = options_.verbosity;
  ServerSettings& s = context_.settings;
  s.interface = options_.server.address;
  s.max_connections = options_.server.max_connections;
  s.threads = options_.server.io_threads;
  s.tcp_backlog = options_.server.backlog;
  s.idle_timeout_seconds = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(options_.server.idle_timeout)
          .count());
  s.enable_shutdown = options_.enable_shutdown;
  s.flush_enabled = options_.flush_enabled;
  s.auth_file = options_.auth_file;
  s.engine = sock::EngineName(options_.server.engine);
  context_.request_shutdown = [this] { RequestShutdown(); };

  CommandContext* ctx = &context_;
  codec::TextCodecOptions codec_options;
  codec_options.max_item_size = options_.store.max_item_size;
  codec_options.item_header_size = options_.store.use_cas ? 56 : 48;
  server_ = std::make_unique<sock::Server>(
      options_.server,
      [ctx, codec_options, auth = options_.auth]()
          -> std::unique_ptr<sock::ConnectionHandler> {
        std::unique_ptr<sock::ConnectionHandler> handler =
            std::make_unique<ConnectionCodecHandler>(
                codec::TextCodec(codec_options), CommandHandler(ctx));
        if (auth != nullptr) {
          handler = std::make_unique<AuthHandler>(auth, std::move(handler));
        }
        return handler;
      });
  sock::Server* server = server_.get();
  context_.connection_counters = [server] {
    const sock::ServerStats& st = server->stats();
    ConnectionCounters c;
    c.curr_connections = st.current_connections.load(std::memory_order_relaxed);
    c.total_connections = st.total_connections.load(std::memory_order_relaxed);
    c.rejected_connections = st.rejected_connections.load(std::memory_order_relaxed);
    c.bytes_read = st.bytes_read.load(std::memory_order_relaxed);
    c.bytes_written = st.bytes_written.load(std::memory_order_relaxed);
    return c;
  };
  collector_ = std::make_unique<MetricsCollector>(
      &context_, [server] { return server->LoopBusyNanos(); });
}

MemcacheServer::~MemcacheServer() { Stop(); }

bool MemcacheServer::Start(std::string* error) {
  CHECK(!running_);
  if (!server_->Start(error)) return false;
  context_.settings.tcp_port.store(server_->port(), std::memory_order_relaxed);
  if (options_.metrics_enabled) {
    MetricsExporterOptions mo;
    mo.address = options_.metrics_address;
    mo.port = options_.metrics_port;
    const MetricsCollector* collector = collector_.get();
    exporter_ = std::make_unique<MetricsExporter>(
        mo, [collector] { return collector->Render(); });
    if (!exporter_->Start(error)) {
      exporter_.reset();
      server_->Stop();
      return false;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    shutdown_requested_ = false;
  }
  sweeper_ = std::thread([this] { SweepLoop(); });
  running_ = true;
  LOG(INFO) << "memcache server listening on " << options_.server.address << ":"
            << server_->port() << " engine=" << sock::EngineName(options_.server.engine)
            << " threads=" << options_.server.io_threads
            << " memory_limit=" << options_.store.memory_limit
            << " max_item_size=" << options_.store.max_item_size;
  return true;
}

void MemcacheServer::Stop() {
  if (!running_) return;
  running_ = false;
  // First: a scrape reads the server's loops, which Stop tears down.
  if (exporter_ != nullptr) {
    exporter_->Stop();
    exporter_.reset();
  }
  server_->Stop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  LOG(INFO) << "memcache server stopped";
}

void MemcacheServer::WaitForShutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return shutdown_requested_; });
}

void MemcacheServer::RequestShutdown() {
  // Notify under the lock: the waiter may destroy this object as soon as it
  // sees the flag, so the notify must be finished by then.
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_requested_ = true;
  cv_.notify_all();
}

uint16_t MemcacheServer::port() const { return server_->port(); }

uint16_t MemcacheServer::metrics_port() const {
  return exporter_ != nullptr ? exporter_->port() : 0;
}

void MemcacheServer::SweepLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.sweep_interval);
    if (stopping_) break;
    size_t reclaimed = 0;
    const size_t chunk = std::max<size_t>(1, options_.sweep_chunk);
    for (size_t walked = 0; walked < options_.sweep_batch && !stopping_; walked += chunk) {
      if (walked > 0) {
        cv_.wait_for(lock, options_.sweep_pause);
        if (stopping_) break;
      }
      lock.unlock();
      reclaimed += store_->ReclaimExpired(std::min(chunk, options_.sweep_batch - walked));
      lock.lock();
    }
    VLOG_IF(1, reclaimed > 0) << "sweeper reclaimed " << reclaimed << " expired items";
  }
}

}  // namespace memcache
