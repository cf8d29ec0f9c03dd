// Cluster: a client over several memcached servers. Each key goes to one
// server chosen by ketama consistent hashing, laid out exactly as
// libmemcached's MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED does (client/ketama.h), so
// both libraries agree on where every key lives.
//
// - Keyed requests go to their server's Session.
// - Multi-gets are split by server, sent in parallel and merged; the merged
//   status is the first failure of any part (the hits of the other parts are
//   still in Result::items).
// - Keyless requests (flush_all, version, stats, verbosity, mn) go to every
//   live server; stats names are prefixed with "host:port:" when there is
//   more than one server.
// - Auto-eject (libmemcached's SERVER_FAILURE_LIMIT + RETRY_TIMEOUT): after
//   failure_limit consecutive transport failures or timeouts a server leaves
//   the ring and its keys move to the others; after retry_interval it is put
//   back, and one more failure ejects it again.
//
// Threads: all sessions share one EventLoopThread owned by the Cluster;
// callbacks run there. Methods are thread-safe (see client/client.h). The
// constructor connects to every server (blocking for each first attempt).
#ifndef CLIENT_CLUSTER_H_
#define CLIENT_CLUSTER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "client/client.h"
#include "client/ketama.h"
#include "client/options.h"
#include "client/session.h"

namespace sock {
class EventLoopThread;
}  // namespace sock

namespace client {

class Cluster : public Client {
 public:
  explicit Cluster(ClusterOptions options);
  ~Cluster() override;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  void Submit(const Request& request, Callback done) override;

  size_t server_count() const { return servers_.size(); }
  // The server owning `key` now (an index into options().servers), or -1
  // when every server is ejected.
  int ServerFor(std::string_view key);
  bool ejected(size_t index) const;
  Session& session(size_t index) { return *servers_[index]->session; }
  const ClusterOptions& options() const { return options_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Server {
    std::unique_ptr<Session> session;
    std::atomic<int> failures{0};
    bool ejected = false;  // guarded by mu_
    Clock::time_point retry_at{};
  };

  std::shared_ptr<const Ketama> Ring();
  void RebuildLocked();
  void NoteResult(size_t index, Status status);
  Callback Track(size_t index, Callback done);
  void SubmitMultiGet(const Request& request, Callback done);
  void Broadcast(const Request& request, Callback done);

  const ClusterOptions options_;
  std::unique_ptr<sock::EventLoopThread> loop_thread_;
  std::vector<std::unique_ptr<Server>> servers_;

  mutable std::mutex mu_;
  std::shared_ptr<const Ketama> ring_;
  Clock::time_point next_retry_ = Clock::time_point::max();
};

}  // namespace client

#endif  // CLIENT_CLUSTER_H_
