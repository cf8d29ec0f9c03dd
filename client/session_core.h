// SessionCore: the machinery behind a Session (see client/session.h): one
// connection to one memcached server, a submit queue, the in-flight FIFO,
// deadlines, heartbeats and reconnection.
//
// Threads:
// - Submit() runs on caller threads. It encodes the request outside any lock,
//   then under one mutex appends the bytes to the shared outbound buffer and
//   the request to the submit queue, and (once per batch) posts Drain() to the
//   loop. Drain() takes everything queued at that moment and hands it to the
//   connection with one Send, so N concurrent callers cost one write.
// - Everything else (reading replies, completing requests, timers,
//   reconnecting) runs on the EventLoop thread and touches loop-only state.
//
// Ownership: held by shared_ptr (the Session, the connection handler and
// posted functors share it); the Session calls Shutdown() before letting go.
// Connecting happens on the loop thread and blocks it for at most
// connect_timeout (immediate on loopback / LAN).
#ifndef CLIENT_SESSION_CORE_H_
#define CLIENT_SESSION_CORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "client/client.h"
#include "client/options.h"
#include "client/request.h"
#include "client/result.h"
#include "client/ring_queue.h"
#include "codec/reply_codec.h"
#include "codec/text_reply.h"
#include "sock/buffer.h"
#include "sock/connection.h"
#include "sock/event_loop.h"

namespace client {

class SessionCore : public std::enable_shared_from_this<SessionCore> {
 public:
  using Callback = Client::Callback;
  using Clock = std::chrono::steady_clock;

  enum class State : uint8_t {
    kConnecting,  // submits queue up and go out once connected
    kConnected,
    kDown,        // submits fail fast with kConnectionError until reconnected
    kClosed,      // Shutdown() ran
  };

  SessionCore(SessionOptions options, sock::EventLoop* loop);
  ~SessionCore();
  SessionCore(const SessionCore&) = delete;
  SessionCore& operator=(const SessionCore&) = delete;

  // Starts the timers and makes the first connection attempt; returns whether
  // it connected (else *error says why and reconnection goes on in the
  // background if enabled). Call once, not on the loop thread.
  bool Start(std::string* error);
  // Any thread. See Client::Submit.
  void Submit(const Request& request, Callback done);
  // Fails everything pending, closes the connection, stops reconnecting.
  // Idempotent; any thread (on the loop thread it runs inline).
  void Shutdown();

  State state() const;
  std::string last_error() const;
  const SessionOptions& options() const { return options_; }

  // Loop thread, from the connection handler of connection `generation`.
  void HandleInput(uint64_t generation, sock::Buffer* input);
  void HandleClose(uint64_t generation, std::string_view reason);

 private:
  struct Pending {
    Op op = Op::kGet;
    // Completed early (timed out): the reply is still owed by the server and
    // is consumed and dropped when it comes, keeping later replies aligned.
    bool abandoned = false;
    bool internal = false;  // heartbeat; has no caller
    Clock::time_point deadline = Clock::time_point::max();
    Callback done;
    Result result;
  };

  // Starts an asynchronous connect; on_result(connected) runs on the loop.
  void ConnectNow(std::function<void(bool)> on_result);
  bool FinishConnect(sock::ConnectionPtr conn, const std::string& error);
  void Drain();
  void OnTick();  // runs Tick, then schedules the next one
  void Tick();
  void ScheduleTick(std::chrono::milliseconds delay);
  void WakeTick();  // an idle (slow) tick becomes a full-rate one
  std::chrono::milliseconds NextTickDelay(Clock::time_point now) const;
  void SendHeartbeat(Clock::time_point now);
  void MarkDown(const std::string& reason);
  void ScheduleReconnect();
  void ShutdownInLoop();
  // Runs the caller's callback (if any) and releases its outstanding slot.
  void Deliver(Callback& done, Result&& result);
  void FailFast(Callback& done, Status status, std::string message);

  const SessionOptions options_;
  const std::string address_;  // "host:port" for messages
  sock::EventLoop* const loop_;

  // Submit side, guarded by mu_.
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  State state_ = State::kConnecting;
  std::string last_error_;
  sock::Buffer out_;             // encoded requests not yet handed to Send
  std::vector<Pending> queued_;  // their reply slots, in the same order
  bool drain_scheduled_ = false;
  std::atomic<size_t> outstanding_{0};  // submitted, callback not yet run
  std::atomic<int> blocked_{0};         // submitters waiting for room

  // Loop thread only.
  sock::ConnectionPtr conn_;
  uint64_t generation_ = 0;  // bumped on every disconnect; stale events ignored
  bool connected_ = false;
  bool closed_ = false;
  codec::ReplyCodec codec_;
  codec::TextReply reply_;
  RingQueue<Pending> inflight_;
  std::vector<Pending> batch_;  // Drain's scratch, keeps its capacity
  sock::Buffer send_buf_;
  Clock::time_point last_activity_{};  // last send or receive
  Clock::time_point last_progress_{};  // last receive, or first send after idle
  std::chrono::milliseconds backoff_;
  sock::EventLoop::TimerId tick_timer_ = 0;
  bool tick_idle_ = false;  // tick_timer_ is the slow idle tick
  sock::EventLoop::TimerId reconnect_timer_ = 0;
};

}  // namespace client

#endif  // CLIENT_SESSION_CORE_H_
