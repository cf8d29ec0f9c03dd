// Replays the fuzz seed corpus (tests/fuzz/corpus/<target>/) and every saved
// crasher (tests/fuzz/regressions/<target>/) through the same drivers the
// libFuzzer targets run (tests/fuzz/fuzz_replay.h): the server-direction
// codec plus the command handler on a small store, the reply codec and the
// line codec, each fed whole and in random pieces. So a bug the fuzzer found
// stays fixed in `make test`, without clang or libFuzzer.
//
// Lives in tests/memcache because the server-direction driver needs the
// handler (tests/codec does not link memcache/).
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_replay.h"

namespace {

bool IsDirectory(const std::string& path) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return false;
  closedir(dir);
  return true;
}

// tests/fuzz of the source tree: $FUZZ_DATA_DIR, else found from the test
// binary's path (<root>/build*/tests/memcache_tests), else the working dir.
std::string FuzzDataDir() {
  if (const char* env = std::getenv("FUZZ_DATA_DIR")) return env;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    std::string path(exe, static_cast<size_t>(n));
    for (int up = 0; up < 3; ++up) path = path.substr(0, path.rfind('/'));
    if (IsDirectory(path + "/tests/fuzz")) return path + "/tests/fuzz";
  }
  return "tests/fuzz";
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> files;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return files;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.' || name == "README.md") continue;
    files.push_back(dir + "/" + name);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream data;
  data << in.rdbuf();
  return data.str();
}

// Replays corpus and regressions of one target; returns how many files ran.
size_t ReplayTarget(const std::string& target,
                    const std::function<std::string(std::string_view)>& check) {
  const std::string root = FuzzDataDir();
  size_t count = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    for (const std::string& file : FilesIn(root + "/" + kind + "/" + target)) {
      std::string data = ReadFile(file);
      EXPECT_EQ("", check(data)) << file;
      ++count;
    }
  }
  return count;
}

TEST(FuzzRegressionTest, TextCodecAndHandler) {
  size_t n = ReplayTarget("text_codec_fuzzer", fuzz::CheckServerInput);
  EXPECT_GE(n, 10u) << "seed corpus not found under " << FuzzDataDir();
}

TEST(FuzzRegressionTest, ReplyCodec) {
  size_t n = ReplayTarget("reply_codec_fuzzer", fuzz::CheckReplyInput);
  EXPECT_GE(n, 10u) << "seed corpus not found under " << FuzzDataDir();
}

TEST(FuzzRegressionTest, LineCodec) {
  size_t n = ReplayTarget("line_codec_fuzzer", fuzz::CheckLineInput);
  EXPECT_GE(n, 4u) << "seed corpus not found under " << FuzzDataDir();
}

// The drivers themselves: a stream split at every offset decodes like the
// stream fed whole (the property the fuzzer checks on random splits).
TEST(FuzzRegressionTest, EverySplitOfAPipelineMatches) {
  const std::string stream =
      "set a 0 0 5\r\nhello\r\nget a b\r\nincr n 1\r\nms m 2 T0\r\nhi\r\n"
      "mg m v\r\nset big 0 0 3000000\r\nxyz\r\nbogus\r\ndelete a\r\nget a\r\n";
  fuzz::ReplayResult whole =
      fuzz::ReplayServer(stream, fuzz::OneChunk(stream.size()), 0);
  ASSERT_EQ("", whole.violation);
  EXPECT_NE(std::string::npos, whole.output.find("VALUE a 0 5\r\nhello\r\nEND\r\n"));
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    fuzz::ReplayResult split =
        fuzz::ReplayServer(stream, {cut, stream.size() - cut}, 0);
    ASSERT_EQ("", split.violation) << "cut at " << cut;
    EXPECT_EQ(whole.output, split.output) << "cut at " << cut;
  }
}

}  // namespace
