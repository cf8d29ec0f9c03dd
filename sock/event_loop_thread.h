// EventLoopThread: a thread that owns and runs one EventLoop.
//
// Start() returns once the loop is running on the new thread, so RunInLoop
// posts from then on land on that thread. Stop() (or the destructor) quits the
// loop and joins the thread. Start/Stop are called by one owning thread.
#ifndef SOCK_EVENT_LOOP_THREAD_H_
#define SOCK_EVENT_LOOP_THREAD_H_

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "sock/event_loop.h"

namespace sock {

class EventLoopThread {
 public:
  // `busy_poll`: see EventLoop::SetBusyPoll (0: block when idle);
  // `io_batching`: see EventLoop::SetIoBatching.
  explicit EventLoopThread(std::string name = "loop",
                           std::chrono::microseconds busy_poll = {},
                           bool io_batching = true);
  ~EventLoopThread();
  EventLoopThread(const EventLoopThread&) = delete;
  EventLoopThread& operator=(const EventLoopThread&) = delete;

  // Starts the thread; returns the loop, valid until Stop() returns.
  EventLoop* Start();
  // Quits the loop and joins the thread. Idempotent.
  void Stop();

  EventLoop* loop() const { return loop_.get(); }
  const std::string& name() const { return name_; }

 private:
  const std::string name_;
  const std::chrono::microseconds busy_poll_;
  const bool io_batching_;
  std::unique_ptr<EventLoop> loop_;
  std::thread thread_;
};

}  // namespace sock

#endif  // SOCK_EVENT_LOOP_THREAD_H_
