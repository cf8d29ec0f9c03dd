#include "sock/event_loop.h"

#include <pthread.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sock/event_loop_thread.h"

namespace sock {
namespace {

using std::chrono::milliseconds;

TEST(EventLoopTest, QuitBeforeRunReturnsAtOnce) {
  EventLoop loop;
  loop.Quit();
  loop.Run();  // must not hang
}

TEST(EventLoopTest, RunInLoopFromOtherThreadsRunsOnLoopThreadInOrder) {
  EventLoopThread thread("t");
  EventLoop* loop = thread.Start();
  EXPECT_FALSE(loop->IsInLoopThread());
  std::vector<int> order;  // loop thread only
  std::promise<void> done;
  for (int i = 0; i < 1000; ++i) {
    loop->RunInLoop([&, i] {
      EXPECT_TRUE(loop->IsInLoopThread());
      order.push_back(i);
      if (i == 999) done.set_value();
    });
  }
  done.get_future().wait();
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(order[i], i);
}

TEST(EventLoopTest, QueueInLoopFromLoopThreadRunsLater) {
  EventLoop loop;
  std::vector<int> order;
  loop.QueueInLoop([&] {
    order.push_back(1);
    loop.RunInLoop([&] { order.push_back(2); });  // runs inline
    loop.QueueInLoop([&] {
      order.push_back(4);
      loop.Quit();
    });
    order.push_back(3);
  });
  loop.Run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(EventLoopTest, TimersRunAfterAndEveryAndCancel) {
  EventLoopThread thread;
  EventLoop* loop = thread.Start();
  std::atomic<int> once{0}, every{0}, cancelled{0};
  loop->RunAfter(milliseconds(1), [&] { once++; });
  EventLoop::TimerId never = loop->RunAfter(milliseconds(200), [&] { cancelled++; });
  EXPECT_NE(never, 0u);
  loop->Cancel(never);
  std::promise<void> three;
  EventLoop::TimerId id = 0;  // loop thread only
  // Created on the loop thread so `id` is set before the first tick.
  loop->RunInLoop([&] {
    id = loop->RunEvery(milliseconds(1), [&] {
      if (++every == 3) {
        loop->Cancel(id);  // a repeating timer may cancel itself
        three.set_value();
      }
    });
  });
  three.get_future().wait();
  // Cancel ran on the loop thread inside the callback: no fourth run.
  std::promise<void> later;
  loop->RunAfter(milliseconds(20), [&] { later.set_value(); });
  later.get_future().wait();
  EXPECT_EQ(every.load(), 3);
  EXPECT_EQ(once.load(), 1);
  EXPECT_EQ(cancelled.load(), 0);
}

TEST(EventLoopTest, StopJoinsAndDropsQueuedWork) {
  auto counter = std::make_shared<int>(0);
  {
    EventLoopThread thread;
    EventLoop* loop = thread.Start();
    loop->RunAfter(std::chrono::seconds(60), [counter] { ++*counter; });
    thread.Stop();
  }
  EXPECT_EQ(*counter, 0);
  EXPECT_EQ(counter.use_count(), 1);  // the timer's functor was destroyed
}

// Busy polling changes how the loop waits, not what it runs: posts from
// other threads, timers and Quit behave as in a blocking loop.
TEST(EventLoopTest, BusyPollLoopRunsPostsTimersAndQuits) {
  EventLoopThread thread("poll", std::chrono::microseconds(50));
  EventLoop* loop = thread.Start();
  std::promise<void> posted, timed;
  std::atomic<int> count{0};
  for (int i = 0; i < 100; ++i) {
    loop->RunInLoop([&] {
      if (++count == 100) posted.set_value();
    });
  }
  posted.get_future().wait();
  // A timer far beyond the poll window: the loop must have gone to sleep
  // and still wake for it.
  loop->RunAfter(milliseconds(30), [&] { timed.set_value(); });
  EXPECT_EQ(timed.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  thread.Stop();  // must not hang
}

// An idle polling loop sleeps once the window has passed instead of
// burning its core.
TEST(EventLoopTest, BusyPollLoopSleepsWhenIdle) {
  EventLoop loop;
  loop.SetBusyPoll(std::chrono::microseconds(100));
  std::thread runner([&] { loop.Run(); });
  clockid_t cpu_clock;
  ASSERT_EQ(pthread_getcpuclockid(runner.native_handle(), &cpu_clock), 0);
  auto cpu_now = [&] {
    timespec ts{};
    clock_gettime(cpu_clock, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;  // milliseconds
  };
  loop.RunInLoop([] {});  // one event, then nothing
  std::this_thread::sleep_for(milliseconds(20));
  const double before = cpu_now();
  std::this_thread::sleep_for(milliseconds(300));
  const double used = cpu_now() - before;
  loop.Quit();
  runner.join();
  // A spinning loop would use ~300 ms; a sleeping one next to nothing.
  EXPECT_LT(used, 100.0);
}

}  // namespace
}  // namespace sock
