#include "sock/event_loop_thread.h"

#include <glog/logging.h>

#include <future>
#include <utility>

namespace sock {

EventLoopThread::EventLoopThread(std::string name,
                                 std::chrono::microseconds busy_poll, bool io_batching)
    : name_(std::move(name)), busy_poll_(busy_poll), io_batching_(io_batching) {}

EventLoopThread::~EventLoopThread() { Stop(); }

EventLoop* EventLoopThread::Start() {
  CHECK(!thread_.joinable()) << name_ << " already started";
  loop_ = std::make_unique<EventLoop>();
  EventLoop* loop = loop_.get();
  loop->SetBusyPoll(busy_poll_);
  loop->SetIoBatching(io_batching_);
  // The functor runs only once Run() has claimed the loop for the new thread,
  // so after Start() returns IsInLoopThread() is false for the caller and
  // RunInLoop posts land on the loop thread.
  std::promise<void> running;
  std::future<void> started = running.get_future();
  loop->QueueInLoop([&running] { running.set_value(); });
  thread_ = std::thread([loop] { loop->Run(); });
  started.wait();
  return loop;
}

void EventLoopThread::Stop() {
  if (!thread_.joinable()) return;
  loop_->Quit();
  thread_.join();
  loop_.reset();
}

}  // namespace sock
