// libFuzzer target: reply codec (see tests/fuzz/fuzz_replay.h for what is
// checked besides the sanitizers). Build and run with `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <glog/logging.h>

#include "tests/fuzz/fuzz_replay.h"

// Misbehaving input makes the codecs log warnings; only FATAL (a CHECK) is
// worth printing while fuzzing.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  FLAGS_minloglevel = google::GLOG_FATAL;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string violation = fuzz::CheckReplyInput(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!violation.empty()) {
    std::fprintf(stderr, "reply_codec_fuzzer: %s\n", violation.c_str());
    std::abort();
  }
  return 0;
}
