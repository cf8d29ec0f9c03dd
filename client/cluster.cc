#include "client/cluster.h"

#include <glog/logging.h>

#include <algorithm>
#include <map>
#include <utility>

#include "sock/event_loop_thread.h"

namespace client {
namespace {

// Joins the parts of a request fanned out to several servers.
struct Gather {
  std::mutex mu;
  size_t left = 0;
  bool prefix_stats = false;
  Result merged;
  Client::Callback done;

  void Add(const std::string& server, Result&& part) {
    Client::Callback finish;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!part.ok() && merged.ok()) {
        merged.status = part.status;
        merged.message = part.message;
      }
      if (merged.message.empty()) merged.message = part.message;
      merged.items.Append(std::move(part.items));
      for (auto& kv : part.stats) {
        merged.stats.emplace_back(prefix_stats ? server + ":" + kv.first : kv.first,
                                  std::move(kv.second));
      }
      if (--left == 0) finish = std::move(done);
    }
    if (finish) finish(std::move(merged));
  }
};

}  // namespace

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {
  loop_thread_ =
      std::make_unique<sock::EventLoopThread>("mc-cluster", options_.session.busy_poll,
                                                options_.session.io_batching);
  sock::EventLoop* loop = loop_thread_->Start();
  for (const ServerAddress& address : options_.servers) {
    SessionOptions so = options_.session;
    so.server = address;
    auto server = std::make_unique<Server>();
    server->session = std::make_unique<Session>(std::move(so), loop);
    servers_.push_back(std::move(server));
  }
  std::lock_guard<std::mutex> lock(mu_);
  RebuildLocked();
}

Cluster::~Cluster() {
  // Sessions fail their pending requests (running our callbacks) while the
  // rest of the cluster is still intact; then the shared loop stops.
  for (auto& server : servers_) server->session->Close();
  for (auto& server : servers_) server->session.reset();
  loop_thread_->Stop();
}

void Cluster::RebuildLocked() {
  std::vector<KetamaServer> ring;
  ring.reserve(servers_.size());
  for (size_t i = 0; i < servers_.size(); ++i) {
    const ServerAddress& a = options_.servers[i];
    ring.push_back(KetamaServer{a.host, a.port, a.weight, !servers_[i]->ejected});
  }
  ring_ = std::make_shared<const Ketama>(ring);
}

std::shared_ptr<const Ketama> Cluster::Ring() {
  std::lock_guard<std::mutex> lock(mu_);
  if (next_retry_ != Clock::time_point::max()) {
    Clock::time_point now = Clock::now();
    if (now >= next_retry_) {
      next_retry_ = Clock::time_point::max();
      for (size_t i = 0; i < servers_.size(); ++i) {
        Server& s = *servers_[i];
        if (!s.ejected) continue;
        if (s.retry_at <= now) {
          s.ejected = false;
          // On probation: the next failure ejects it again.
          s.failures.store(std::max(options_.failure_limit - 1, 0));
          LOG(INFO) << "memcached " << options_.servers[i].ToString()
                    << " back in the ring for a retry";
        } else {
          next_retry_ = std::min(next_retry_, s.retry_at);
        }
      }
      RebuildLocked();
    }
  }
  return ring_;
}

int Cluster::ServerFor(std::string_view key) { return Ring()->Find(key); }

bool Cluster::ejected(size_t index) const {
  std::lock_guard<std::mutex> lock(mu_);
  return servers_[index]->ejected;
}

void Cluster::NoteResult(size_t index, Status status) {
  Server& s = *servers_[index];
  if (status != Status::kConnectionError && status != Status::kTimeout) {
    if (s.failures.load(std::memory_order_relaxed) != 0) s.failures.store(0);
    return;
  }
  if (options_.failure_limit <= 0) return;
  if (s.failures.fetch_add(1) + 1 < options_.failure_limit) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (s.ejected) return;
  s.ejected = true;
  s.retry_at = Clock::now() + options_.retry_interval;
  next_retry_ = std::min(next_retry_, s.retry_at);
  LOG(WARNING) << "memcached " << options_.servers[index].ToString()
               << " ejected from the ring after " << options_.failure_limit
               << " failures";
  RebuildLocked();
}

Client::Callback Cluster::Track(size_t index, Callback done) {
  return [this, index, done = std::move(done)](Result&& r) {
    NoteResult(index, r.status);
    if (done) done(std::move(r));
  };
}

void Cluster::Submit(const Request& request, Callback done) {
  if (IsMultiKey(request.op)) {
    SubmitMultiGet(request, std::move(done));
    return;
  }
  if (!HasKey(request.op)) {
    Broadcast(request, std::move(done));
    return;
  }
  if (!ValidKey(request.key)) {
    if (done) done(Result::Failure(Status::kInvalidArgument, "invalid key"));
    return;
  }
  int index = Ring()->Find(request.key);
  if (index < 0) {
    if (done) done(Result::Failure(Status::kConnectionError, "no live servers"));
    return;
  }
  servers_[index]->session->Submit(request, Track(index, std::move(done)));
}

void Cluster::SubmitMultiGet(const Request& request, Callback done) {
  if (request.keys.empty()) {
    if (done) done(Result::Failure(Status::kInvalidArgument, "multi-get without keys"));
    return;
  }
  std::shared_ptr<const Ketama> ring = Ring();
  std::map<int, std::vector<std::string_view>> parts;
  for (std::string_view key : request.keys) {
    if (!ValidKey(key)) {
      if (done) done(Result::Failure(Status::kInvalidArgument, "invalid key"));
      return;
    }
    parts[ring->Find(key)].push_back(key);
  }
  if (parts.count(-1) != 0) {
    if (done) done(Result::Failure(Status::kConnectionError, "no live servers"));
    return;
  }
  if (parts.size() == 1) {
    int index = parts.begin()->first;
    servers_[index]->session->Submit(request, Track(index, std::move(done)));
    return;
  }
  auto gather = std::make_shared<Gather>();
  gather->left = parts.size();
  gather->done = std::move(done);
  for (auto& part : parts) {
    Request sub = request;
    sub.keys = std::move(part.second);
    size_t index = static_cast<size_t>(part.first);
    std::string name = options_.servers[index].ToString();
    servers_[index]->session->Submit(
        sub, Track(index, [gather, name](Result&& r) { gather->Add(name, std::move(r)); }));
  }
}

void Cluster::Broadcast(const Request& request, Callback done) {
  std::vector<size_t> live;
  {
    std::shared_ptr<const Ketama> ring = Ring();  // applies due retries
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < servers_.size(); ++i) {
      if (!servers_[i]->ejected) live.push_back(i);
    }
  }
  if (live.empty()) {
    if (done) done(Result::Failure(Status::kConnectionError, "no live servers"));
    return;
  }
  auto gather = std::make_shared<Gather>();
  gather->left = live.size();
  gather->prefix_stats = servers_.size() > 1;
  gather->done = std::move(done);
  for (size_t index : live) {
    std::string name = options_.servers[index].ToString();
    servers_[index]->session->Submit(
        request, Track(index, [gather, name](Result&& r) { gather->Add(name, std::move(r)); }));
  }
}

}  // namespace client
