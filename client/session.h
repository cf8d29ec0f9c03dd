// Session: a pipelining client for one memcached server over one connection.
//
// Any number of threads submit requests at once; whatever is queued when the
// event loop gets to it leaves in one write, and replies complete requests in
// order (see client/client.h for the calling conventions and
// client/session_core.h for the machinery).
//
// Failure model: requests carry deadlines (kTimeout); an idle connection is
// probed with "mn" and a server that stops answering is declared down; when
// the connection is lost every pending request fails at once with
// kConnectionError, new requests fail fast until a reconnect (exponential
// backoff) succeeds.
//
// Threads and ownership: the Session runs on a private EventLoopThread, or on
// a caller-provided loop that must outlive it (Cluster shares one loop among
// its sessions). The constructor makes the first connection attempt and
// blocks until it ends; connected()/last_error() tell how it went. The
// destructor fails whatever is pending and closes the connection; do not
// destroy a Session from one of its own callbacks.
#ifndef CLIENT_SESSION_H_
#define CLIENT_SESSION_H_

#include <memory>
#include <string>

#include "client/client.h"
#include "client/options.h"

namespace sock {
class EventLoop;
class EventLoopThread;
}  // namespace sock

namespace client {

class SessionCore;

class Session : public Client {
 public:
  explicit Session(SessionOptions options, sock::EventLoop* loop = nullptr);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Submit(const Request& request, Callback done) override;

  // Whether the connection is up right now.
  bool connected() const;
  // Why the connection is down (empty when up), e.g.
  // "cannot connect to 127.0.0.1:11211: Connection refused".
  std::string last_error() const;
  const SessionOptions& options() const;

  // Fails everything pending and closes for good; later submits fail with
  // kConnectionError. The destructor does this too.
  void Close();

 private:
  std::unique_ptr<sock::EventLoopThread> own_loop_;
  std::shared_ptr<SessionCore> core_;
};

}  // namespace client

#endif  // CLIENT_SESSION_H_
