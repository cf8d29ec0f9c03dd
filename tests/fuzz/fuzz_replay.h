// Replay drivers shared by the libFuzzer targets (tests/fuzz/*_fuzzer.cc) and
// the regression test that replays the seed corpus and every saved crasher
// (tests/memcache/fuzz_regression_test.cc).
//
// Each driver feeds one byte stream through a codec in chunks, the way a
// connection's reads would deliver it, runs the same decode loop as
// sock::CodecHandler and returns what came out plus the first broken
// invariant (empty when none). The split points come from a PRNG seeded by a
// hash of the input, so a corpus file is a plain command stream and a run is
// reproducible from the file alone.
//
// The oracle beyond "no crash, no sanitizer report": decoding the stream fed
// all at once and fed in random pieces must give the same output. The codecs
// are resumable state machines; any state kept wrongly across calls shows up
// as a difference here.
#ifndef TESTS_FUZZ_FUZZ_REPLAY_H_
#define TESTS_FUZZ_FUZZ_REPLAY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

// splitmix64: tiny, good enough to pick split points.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

inline uint64_t Fnv1a(std::string_view data) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Chunk lengths summing to `size`: mostly tiny (to stop the codec at every
// kind of boundary), sometimes large (to hit the many-commands-per-read path).
inline std::vector<size_t> RandomChunks(size_t size, uint64_t seed) {
  Rng rng(seed);
  std::vector<size_t> chunks;
  size_t left = size;
  while (left > 0) {
    size_t n;
    switch (rng.Below(4)) {
      case 0: n = 1; break;
      case 1: n = 1 + rng.Below(8); break;
      case 2: n = 1 + rng.Below(64); break;
      default: n = 1 + rng.Below(left); break;
    }
    if (n > left) n = left;
    chunks.push_back(n);
    left -= n;
  }
  return chunks;
}

inline std::vector<size_t> OneChunk(size_t size) {
  return size == 0 ? std::vector<size_t>() : std::vector<size_t>{size};
}

struct ReplayResult {
  std::string output;     // reply bytes (server) or a rendering of decoded elements
  bool closed = false;    // the handler asked to close, or the codec gave up
  size_t messages = 0;    // messages decoded
  std::string violation;  // first broken invariant; empty if none
};

// Everything is inline: the fuzz targets and the test binaries build it
// without a library of its own.

// Server direction: codec::TextCodec + memcache::CommandHandler on a small
// Store with a fake clock. `variant` (0..3) picks the limits: bit 0 a small
// item size limit (-I 2k), bit 1 CAS disabled.
inline ReplayResult ReplayServer(std::string_view data, const std::vector<size_t>& chunks,
                          int variant);

// Client direction: codec::ReplyCodec. The reply context (generic or stats)
// for each element comes from `context_seed`, the same in every split.
inline ReplayResult ReplayReplies(std::string_view data, const std::vector<size_t>& chunks,
                           uint64_t context_seed);

// codec::LineCodec with a small line limit (64 bytes) so long lines are hit.
inline ReplayResult ReplayLines(std::string_view data, const std::vector<size_t>& chunks);

// The whole check for one input of each target: replay in one piece and in
// random pieces, compare, and return the first violation (empty if none).
inline std::string CheckServerInput(std::string_view data);
inline std::string CheckReplyInput(std::string_view data);
inline std::string CheckLineInput(std::string_view data);

}  // namespace fuzz

#include "tests/fuzz/fuzz_replay_impl.h"  // IWYU pragma: export

#endif  // TESTS_FUZZ_FUZZ_REPLAY_H_
