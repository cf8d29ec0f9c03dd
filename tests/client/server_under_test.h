// ServerUnderTest: the fixture of client tests that run against memcached
// 1.6.18 and against our server alike. The test parameter names the server
// ("memcached" or "ours"); instantiate with
//   INSTANTIATE_TEST_SUITE_P(Servers, MyTest, ::testing::Values("memcached", "ours"));
#ifndef TESTS_CLIENT_SERVER_UNDER_TEST_H_
#define TESTS_CLIENT_SERVER_UNDER_TEST_H_

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "client/options.h"
#include "tests/common/server_process.h"

namespace client {

// Session options for the server on `port`, with a test-friendly deadline.
inline SessionOptions OptionsFor(uint16_t port) {
  SessionOptions o;
  o.server.port = port;
  o.request_timeout = std::chrono::milliseconds(3000);
  return o;
}

class ServerUnderTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()) << server_.error(); }
  // The command line of the server under test (without the port).
  static std::vector<std::string> ServerArgv() {
    return GetParam() == "ours" ? test_common::OurServerArgv({"-U", "0", "-m", "64"})
                                : test_common::MemcachedArgv({"-m", "64"});
  }
  test_common::ServerProcess server_{ServerArgv()};
};

}  // namespace client

#endif  // TESTS_CLIENT_SERVER_UNDER_TEST_H_
