// Meta commands: fields filled and every error string, as memcached 1.6.18
// answers them (each case was sent to the daemon).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/text_codec.h"
#include "tests/codec/text_codec_harness.h"

namespace codec {
namespace {

using sock::DecodeStatus;
using testing_util::RunBytewise;
using testing_util::RunWhole;
using V = std::vector<std::string>;

class MetaCommandTest : public ::testing::Test {
 protected:
  sock::DecodeResult Decode(const std::string& bytes) {
    in_.Clear();
    in_.Append(bytes);
    return codec_.Decode(&in_, &req_);
  }

  TextCodec codec_;
  sock::Buffer in_;
  TextRequest req_;
};

TEST_F(MetaCommandTest, MetaGet) {
  auto r = Decode("mg foo v c f T30 N-5 R7 Oabc k q u s t l h\r\n");
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kMetaGet);
  EXPECT_EQ(req_.keys[0], "foo");
  ASSERT_EQ(req_.meta_flags.size(), 14u);
  EXPECT_EQ(req_.meta_flags[3].letter, 'T');
  EXPECT_EQ(req_.meta_flags[3].token, "30");
  const MetaOptions& m = req_.meta;
  EXPECT_TRUE(m.return_value);
  EXPECT_TRUE(m.quiet);
  EXPECT_TRUE(m.no_update);
  EXPECT_TRUE(m.vivify);
  EXPECT_TRUE(m.locked);
  EXPECT_TRUE(m.has_ttl);
  EXPECT_EQ(m.ttl, 30);
  EXPECT_EQ(req_.exptime, 30);
  EXPECT_EQ(m.autoviv_ttl, -5);
  EXPECT_EQ(m.recache_ttl, 7);
  EXPECT_EQ(m.opaque, "Oabc");
  EXPECT_FALSE(req_.noreply);  // quiet mode lives in meta.quiet
}

TEST_F(MetaCommandTest, MetaSet) {
  std::string value("x\r\n\0y", 5);
  auto r = Decode("ms k 5 T-1 F4294967295 C77 MA I b0 c\r\n" + value +
                  "\r\n");
  // "b0" is not a flag letter we know? It is: 'b' with junk argument; the
  // key "k" is then invalid base64, so memcached says so.
  ASSERT_EQ(r.status, DecodeStatus::kError);
  EXPECT_EQ(req_.error, "CLIENT_ERROR error decoding key");
  EXPECT_EQ(codec_.swallow_remaining(), 7u);

  TextCodec codec;
  sock::Buffer in;
  in.Append("ms Zm9v 5 T-1 F4294967295 C77 MA I b c\r\n" + value + "\r\n");
  r = codec.Decode(&in, &req_);
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kMetaSet);
  EXPECT_EQ(req_.keys[0], "Zm9v");
  EXPECT_TRUE(req_.meta.base64_key);
  EXPECT_EQ(req_.value, value);
  EXPECT_EQ(req_.flags, 4294967295u);
  EXPECT_EQ(req_.exptime, -1);
  EXPECT_EQ(req_.cas_unique, 77u);
  EXPECT_EQ(req_.meta.mode, 'A');
  EXPECT_TRUE(req_.meta.set_stale);
  EXPECT_TRUE(req_.meta.has_cas);
  EXPECT_EQ(r.consumed, in.size());
}

TEST_F(MetaCommandTest, DeleteArithmeticNoopDebug) {
  ASSERT_EQ(Decode("md k q I T30 C5 Oxx k\r\n").status,
            DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kMetaDelete);
  EXPECT_TRUE(req_.meta.set_stale);
  EXPECT_EQ(req_.cas_unique, 5u);
  ASSERT_EQ(Decode("ma k\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kMetaArithmetic);
  EXPECT_EQ(req_.delta, 1u);  // default step
  ASSERT_EQ(Decode("ma k D18446744073709551615 J9 N0 M- v\r\n").status,
            DecodeStatus::kMessage);
  EXPECT_EQ(req_.delta, UINT64_MAX);
  EXPECT_EQ(req_.meta.initial, 9u);
  EXPECT_EQ(req_.meta.mode, '-');
  ASSERT_EQ(Decode("mn x y\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kMetaNoop);
  ASSERT_EQ(Decode("me Zm9v b\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kMetaDebug);
  EXPECT_TRUE(req_.meta.base64_key);
  ASSERT_EQ(Decode("me k\r\n").status, DecodeStatus::kMessage);
  EXPECT_FALSE(req_.meta.base64_key);
}

struct Case {
  std::string input;
  V expect;
};

void Check(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(RunWhole(c.input), c.expect) << testing_util::Escape(c.input);
    EXPECT_EQ(RunBytewise(c.input), c.expect) << testing_util::Escape(c.input);
  }
}

std::string Err(const std::string& s, size_t consumed) {
  return "ERR[" + s + "] @" + std::to_string(consumed);
}

const std::string kBad = "CLIENT_ERROR bad command line format";
const std::string kBadToken = "CLIENT_ERROR bad token in command line format";
const std::string kOpaque33 = "O" + std::string(32, 'a');

TEST(MetaErrorsTest, MetaGet) {
  const std::string flags18 = " v s t c f l h k O q u P L I E G H J";
  Check({
      {"mg\r\n", {Err("ERROR", 4)}},
      {"mg " + std::string(251, 'k') + "\r\n", {Err(kBad, 256)}},
      {"mg k zz\r\n", {Err("CLIENT_ERROR invalid flag", 9)}},
      {"mg k v v\r\n", {Err("CLIENT_ERROR duplicate flag", 10)}},
      {"mg k \x80\r\n", {Err("CLIENT_ERROR duplicate flag", 8)}},
      {"mg k T\r\n", {Err(kBadToken, 8)}},
      {"mg k Tx\r\n", {Err(kBadToken, 9)}},
      {"mg k N\r\n", {Err(kBadToken, 8)}},
      {"mg k R\r\n", {Err(kBadToken, 8)}},
      {"mg k C-1\r\n", {Err(kBadToken, 10)}},
      // A bad F argument leaves the error string at its default...
      {"mg k F-1\r\n", {Err(kBad, 10)}},
      {"mg k T1 Fx\r\n", {Err(kBad, 12)}},
      // ... while later errors replace it and bad letters end the scan.
      {"mg k Fx Tx\r\n", {Err(kBadToken, 12)}},
      {"mg k Fx Z\r\n", {Err("CLIENT_ERROR invalid flag", 11)}},
      {"mg k M\r\n", {Err("CLIENT_ERROR incorrect length for M token", 8)}},
      {"mg k MII\r\n", {Err("CLIENT_ERROR incorrect length for M token", 10)}},
      {"mg k Jx\r\n", {Err("CLIENT_ERROR invalid numeric initial value", 9)}},
      {"mg k Dx\r\n", {Err("CLIENT_ERROR invalid numeric delta value", 9)}},
      {"mg k b\r\n", {Err("CLIENT_ERROR error decoding key", 8)}},
      {"mg Zm9v b b\r\n", {Err("CLIENT_ERROR duplicate flag", 13)}},
      {"mg k " + kOpaque33 + "\r\n",
       {Err("CLIENT_ERROR opaque token too long", 40)}},
      {"mg k" + flags18 + "\r\n",
       {Err("CLIENT_ERROR options flags are too long", 42)}},
  });
  EXPECT_EQ(RunWhole("mg k O" + std::string(31, 'a') + "\r\n")[0].substr(0, 6),
            "MSG mg");
}

TEST(MetaErrorsTest, DeleteAndArithmetic) {
  const std::string flags18 = " v s t c f l h k O q u P L I E G H J";
  Check({
      {"md\r\n", {Err("ERROR", 4)}},
      {"ma\r\n", {Err("ERROR", 4)}},
      {"md k zz\r\n", {Err("CLIENT_ERROR invalid or duplicate flag", 9)}},
      {"md k Tx\r\n", {Err("CLIENT_ERROR invalid or duplicate flag", 9)}},
      {"md k " + kOpaque33 + "\r\n",
       {Err("CLIENT_ERROR opaque token too long", 40)}},
      {"md k" + flags18 + "\r\n",
       {Err("CLIENT_ERROR options flags too long", 42)}},
      {"ma k MX\r\n", {Err("CLIENT_ERROR invalid mode for ma M token", 9)}},
      {"ma k Dx\r\n", {Err("CLIENT_ERROR invalid or duplicate flag", 9)}},
      {"ma k M+ " + kOpaque33 + "\r\n",
       {Err("CLIENT_ERROR opaque token too long", 43)}},
      {"me\r\n", {Err(kBad, 4)}},
      {"me k b\r\n", {Err(kBad, 8)}},
      {"me !!!! b\r\n", {Err(kBad, 11)}},
  });
}

TEST(MetaErrorsTest, MetaSet) {
  const std::string tail = "ab\r\nversion\r\n";
  const std::string version = "MSG version cmd=16 @9";
  Check({
      {"ms\r\n", {Err("ERROR", 4)}},
      {"ms k\r\n", {Err(kBad, 6)}},
      // Without a valid length nothing is swallowed.
      {"ms k x\r\nab\r\n", {Err(kBad, 8), Err("ERROR", 4)}},
      {"ms k -1\r\nab\r\n", {Err(kBad, 9), Err("ERROR", 4)}},
      {"ms k 2 v s t c f l h k O q u P L I E G H\r\nab\r\n",
       {Err("CLIENT_ERROR options flags too long", 42), Err("ERROR", 4)}},
      // With one, the data block is swallowed after the error.
      {"ms k 2 zz\r\n" + tail,
       {Err("CLIENT_ERROR invalid flag", 11), version}},
      {"ms k 2 MX\r\n" + tail,
       {Err("CLIENT_ERROR invalid mode for ms M token", 11), version}},
      {"ms k 2 Ms\r\n" + tail,
       {Err("CLIENT_ERROR invalid mode for ms M token", 11), version}},
      {"ms k 2 MXX\r\n" + tail,
       {Err("CLIENT_ERROR incorrect length for M token", 12), version}},
      {"ms k 2 " + kOpaque33 + " MX\r\n" + tail,
       {Err("CLIENT_ERROR invalid mode for ms M token", 45), version}},
      {"ms k 2 " + kOpaque33 + "\r\n" + tail,
       {Err("CLIENT_ERROR opaque token too long", 42), version}},
      {"ms k 2 Fx\r\n" + tail, {Err(kBad, 11), version}},
      {"ms k 2 b\r\n" + tail,
       {Err("CLIENT_ERROR error decoding key", 10), version}},
      {"ms k 1 2 3 4 5 6 7 8 9 a c d e f g h i\r\nab\r\n",
       {Err("CLIENT_ERROR invalid flag", 40), Err("ERROR", 1)}},
  });
}

}  // namespace
}  // namespace codec
