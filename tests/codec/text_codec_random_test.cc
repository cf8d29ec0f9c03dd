// Randomized split invariance: streams assembled from valid and broken
// fragments decode to the same transcript however they are cut into reads.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "codec/text_codec.h"
#include "tests/codec/text_codec_harness.h"

namespace codec {
namespace {

const std::vector<std::string>& Fragments() {
  static const std::vector<std::string> kFragments = {
      "get a b c\r\n", "gets k\n", "gat 5 a\r\n", "set k 0 0 3\r\nabc\r\n",
      "set k 0 0 3 noreply\r\na\r\n\r\n", "set k 0 0 3\r\nabcde\r\n",
      "cas k 1 1 1 5\r\n\n\r\n", "set k 0 0 -1\r\n", "set k 0 0 5000\r\n",
      std::string(300, 'x'), "\r\n", "delete k 0\r\n", "incr k 1\r\n",
      "touch k x\r\n", "ms k 2 T1\r\nab\r\n", "ms k 2 Z\r\nab\r\n",
      "ms k 3000 q\r\n", "mg k v k\r\n", "md k q\r\n", "ma k MX\r\n", "mn\r\n",
      "me k\r\n", "flush_all 1\r\n", "version\r\n", "verbosity x\r\n",
      std::string("get a\0b\r\n", 9), "stats items\r\n", "bogus\r\n",
      "get" + std::string(600, ' ') + "k\r\n",
  };
  return kFragments;
}

TEST(TextCodecRandomTest, RandomStreamsAndSplits) {
  std::mt19937 rng(12345);
  TextCodecOptions o;
  o.max_item_size = 2048;  // so "set k 0 0 5000" is swallowed
  const auto& frags = Fragments();
  for (int round = 0; round < 300; ++round) {
    std::string stream;
    int n = 1 + rng() % 12;
    for (int i = 0; i < n; ++i) stream += frags[rng() % frags.size()];
    const auto whole = testing_util::RunWhole(stream, o);
    for (int split = 0; split < 8; ++split) {
      std::vector<std::string> chunks;
      size_t pos = 0;
      while (pos < stream.size()) {
        size_t len = 1 + rng() % (split < 4 ? 8 : 400);
        chunks.push_back(stream.substr(pos, len));
        pos += len;
      }
      ASSERT_EQ(testing_util::RunChunks(chunks, o), whole)
          << testing_util::Escape(stream);
    }
  }
}

}  // namespace
}  // namespace codec
