// Helpers shared by the Store tests: a fixture with a fake clock and
// one-line set/get wrappers.
#ifndef TESTS_MEMCACHE_STORE_TEST_UTIL_H_
#define TESTS_MEMCACHE_STORE_TEST_UTIL_H_

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "memcache/clock.h"
#include "memcache/store.h"

namespace memcache {

class StoreTestBase : public ::testing::Test {
 protected:
  static constexpr int64_t kStart = 1700000000;

  void MakeStore(StoreOptions options) {
    options.clock = &clock_;
    store_ = std::make_unique<Store>(options);
  }
  void SetUp() override {
    StoreOptions options;
    options.shard_bits = 2;
    MakeStore(options);
  }

  ItemRef NewItem(std::string_view key, std::string_view value,
                  uint32_t flags = 0, int64_t exptime = 0) {
    AllocError error;
    ItemRef item = store_->Allocate(key, flags, exptime, value.size(), &error);
    EXPECT_TRUE(item) << "alloc error " << static_cast<int>(error);
    if (item) std::memcpy(item->mutable_value(), value.data(), value.size());
    return item;
  }
  StoreResult Put(StoreMode mode, std::string_view key, std::string_view value,
                  uint64_t compare_cas = 0, uint32_t flags = 0,
                  int64_t exptime = 0) {
    return store_->Put(mode, NewItem(key, value, flags, exptime), compare_cas);
  }
  StoreResult Set(std::string_view key, std::string_view value,
                  int64_t exptime = 0) {
    return Put(StoreMode::kSet, key, value, 0, 0, exptime);
  }
  // The value, or "<miss>".
  std::string GetValue(std::string_view key) {
    ItemRef item = store_->Get(key);
    return item ? std::string(item->value()) : "<miss>";
  }
  uint64_t CasOf(std::string_view key) {
    ItemRef item = store_->Peek(key);
    return item ? item->cas() : 0;
  }

  FakeClock clock_{kStart};
  std::unique_ptr<Store> store_;
};

}  // namespace memcache

#endif  // TESTS_MEMCACHE_STORE_TEST_UTIL_H_
