// Baton and WakeBatch (client/baton.h): every waiter wakes exactly once,
// including more waiters than there are futex bits (33 share 32).
#include "client/baton.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace client {
namespace {

TEST(BatonTest, PostBeforeAndAfterWait) {
  Baton early;
  early.Post();
  early.Wait();  // returns at once
  Baton late;
  std::thread t([&] { late.Post(); });
  late.Wait();
  t.join();
}

TEST(BatonTest, WakeBatchWakesEveryWaiterWithOneCall) {
  for (int n : {1, 2, 3, 7, 16, 33}) {
    std::vector<std::unique_ptr<Baton>> batons;
    for (int i = 0; i < n; ++i) batons.push_back(std::make_unique<Baton>());
    std::atomic<int> woke{0};
    std::vector<std::thread> waiters;
    for (int i = 0; i < n; ++i) {
      waiters.emplace_back([&, i] {
        batons[i]->Wait();
        ++woke;
      });
    }
    {
      WakeBatch outer;
      {
        WakeBatch nested;  // only the outermost scope wakes
        for (int i = 0; i < n; i += 2) batons[i]->PostLater();
      }
      for (int i = 1; i < n; i += 2) batons[i]->PostLater();
      EXPECT_EQ(woke.load(), 0);
    }
    for (auto& t : waiters) t.join();
    EXPECT_EQ(woke.load(), n);
  }
}

TEST(BatonTest, PostLaterOutsideABatchPostsAtOnce) {
  Baton b;
  b.PostLater();
  b.Wait();
}

}  // namespace
}  // namespace client
