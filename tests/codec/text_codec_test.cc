// TextCodec framing and classic commands. Expected replies for error cases
// were checked against memcached 1.6.18 (see doc/protocol_notes.md).
#include "codec/text_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/codec/text_codec_harness.h"

namespace codec {
namespace {

using sock::DecodeStatus;
using testing_util::RunChunks;
using testing_util::RunBytewise;
using testing_util::RunWhole;
using V = std::vector<std::string>;

class TextCodecTest : public ::testing::Test {
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

TEST_F(TextCodecTest, Get) {
  auto r = Decode("get a bb ccc\r\n");
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_EQ(r.consumed, 14u);
  EXPECT_EQ(req_.command, TextCommand::kGet);
  EXPECT_EQ(req_.name, "get");
  EXPECT_EQ(req_.keys, (std::vector<std::string_view>{"a", "bb", "ccc"}));
  EXPECT_EQ(req_.line, "get a bb ccc");
}

TEST_F(TextCodecTest, GetsGatGatsBget) {
  ASSERT_EQ(Decode("gets a\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kGets);
  ASSERT_EQ(Decode("gat -5 a b\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kGat);
  EXPECT_EQ(req_.exptime, -5);
  EXPECT_EQ(req_.keys.size(), 2u);
  ASSERT_EQ(Decode("gats 100 a\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kGats);
  EXPECT_EQ(req_.exptime, 100);
  // memcached answers "gat 10" with a bare END: no keys is valid.
  ASSERT_EQ(Decode("gat 10\r\n").status, DecodeStatus::kMessage);
  EXPECT_TRUE(req_.keys.empty());
  ASSERT_EQ(Decode("bget k\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kGet);
  EXPECT_EQ(req_.name, "bget");
}

TEST_F(TextCodecTest, GetWithManyKeysKeepsThemAll) {
  std::string line = "get";
  for (int i = 0; i < 1000; ++i) line += "  key" + std::to_string(i);
  line += " \r\n";
  auto r = Decode(line);
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  ASSERT_EQ(req_.keys.size(), 1000u);
  EXPECT_EQ(req_.keys[999], "key999");
  EXPECT_EQ(r.consumed, line.size());
}

TEST_F(TextCodecTest, KeyLength250And251) {
  std::string k250(250, 'k');
  std::string k251(251, 'k');
  EXPECT_EQ(Decode("get " + k250 + "\r\n").status, DecodeStatus::kMessage);
  auto r = Decode("get a " + k251 + " b\r\n");
  EXPECT_EQ(r.status, DecodeStatus::kError);
  EXPECT_EQ(req_.error, "CLIENT_ERROR bad command line format");
  EXPECT_EQ(r.consumed, 4 + 2 + 251 + 4u);
  // A long key beyond the first 23 tokens is found too.
  std::string many = "get";
  for (int i = 0; i < 30; ++i) many += " k";
  EXPECT_EQ(Decode(many + " " + k251 + "\r\n").status, DecodeStatus::kError);
  EXPECT_EQ(Decode("set " + k250 + " 0 0 1\r\nx\r\n").status,
            DecodeStatus::kMessage);
  EXPECT_EQ(Decode("set " + k251 + " 0 0 1\r\nx\r\n").status,
            DecodeStatus::kError);
  EXPECT_EQ(req_.error, "CLIENT_ERROR bad command line format");
  EXPECT_EQ(Decode("delete " + k251 + "\r\n").status, DecodeStatus::kError);
  EXPECT_EQ(Decode("incr " + k251 + " 1\r\n").status, DecodeStatus::kError);
  EXPECT_EQ(Decode("touch " + k251 + " 1\r\n").status, DecodeStatus::kError);
  EXPECT_EQ(Decode("mg " + k250 + " v\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(Decode("mg " + k251 + " v\r\n").status, DecodeStatus::kError);
}

TEST_F(TextCodecTest, StorageCommands) {
  auto r = Decode("set foo 5 -1 3\r\nbar\r\n");
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_EQ(r.consumed, 21u);
  EXPECT_EQ(req_.command, TextCommand::kSet);
  EXPECT_EQ(req_.keys[0], "foo");
  EXPECT_EQ(req_.flags, 5u);
  EXPECT_EQ(req_.exptime, -1);
  EXPECT_EQ(req_.value, "bar");
  EXPECT_FALSE(req_.noreply);
  const std::pair<const char*, TextCommand> kinds[] = {
      {"add", TextCommand::kAdd},
      {"replace", TextCommand::kReplace},
      {"append", TextCommand::kAppend},
      {"prepend", TextCommand::kPrepend}};
  for (const auto& [name, cmd] : kinds) {
    r = Decode(std::string(name) + " k 0 0 0 noreply\r\n\r\n");
    ASSERT_EQ(r.status, DecodeStatus::kMessage) << name;
    EXPECT_EQ(req_.command, cmd);
    EXPECT_TRUE(req_.noreply);
    EXPECT_EQ(req_.value, "");
  }
  r = Decode("cas k 1 2 3 18446744073709551615 noreply\r\nabc\r\n");
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kCas);
  EXPECT_EQ(req_.cas_unique, UINT64_MAX);
  EXPECT_TRUE(req_.noreply);
  // An extra token in the noreply slot is ignored, as in memcached.
  r = Decode("set k 0 0 1 junk\r\nx\r\n");
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_FALSE(req_.noreply);
}

TEST_F(TextCodecTest, BinarySafeValue) {
  std::string value("a\r\nb\0c\r\n\n", 9);
  auto r = Decode("set k 0 0 9\r\n" + value + "\r\nget k\r\n");
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.value, value);
  EXPECT_EQ(r.consumed, 13 + 9 + 2u);
}

TEST_F(TextCodecTest, OtherClassicCommands) {
  ASSERT_EQ(Decode("delete k\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kDelete);
  EXPECT_EQ(req_.keys[0], "k");
  ASSERT_EQ(Decode("delete k 0 noreply\r\n").status, DecodeStatus::kMessage);
  EXPECT_TRUE(req_.noreply);
  ASSERT_EQ(Decode("incr k 18446744073709551615\r\n").status,
            DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kIncr);
  EXPECT_EQ(req_.delta, UINT64_MAX);
  ASSERT_EQ(Decode("decr k 3 noreply\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kDecr);
  EXPECT_TRUE(req_.noreply);
  ASSERT_EQ(Decode("touch k 10\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kTouch);
  EXPECT_EQ(req_.exptime, 10);
  ASSERT_EQ(Decode("flush_all\r\n").status, DecodeStatus::kMessage);
  EXPECT_FALSE(req_.has_exptime);
  ASSERT_EQ(Decode("flush_all noreply\r\n").status, DecodeStatus::kMessage);
  EXPECT_FALSE(req_.has_exptime);
  EXPECT_TRUE(req_.noreply);
  ASSERT_EQ(Decode("flush_all 10 noreply\r\n").status, DecodeStatus::kMessage);
  EXPECT_TRUE(req_.has_exptime);
  EXPECT_EQ(req_.exptime, 10);
  ASSERT_EQ(Decode("flush_all 7 20\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.exptime, 7);
  EXPECT_FALSE(req_.noreply);
  ASSERT_EQ(Decode("version\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kVersion);
  ASSERT_EQ(Decode("quit now\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kQuit);
  ASSERT_EQ(Decode("verbosity 2 noreply\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kVerbosity);
  EXPECT_EQ(req_.delta, 2u);
  EXPECT_TRUE(req_.noreply);
  ASSERT_EQ(Decode("cache_memlimit 64\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kCacheMemlimit);
  EXPECT_EQ(req_.delta, 64u);
  ASSERT_EQ(Decode("stats slabs\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kStats);
  EXPECT_EQ(req_.args, (std::vector<std::string_view>{"slabs"}));
  ASSERT_EQ(Decode("stats\r\n").status, DecodeStatus::kMessage);
  EXPECT_TRUE(req_.args.empty());
  ASSERT_EQ(Decode("shutdown graceful\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.command, TextCommand::kShutdown);
  for (const char* admin :
       {"slabs reassign 1 2", "lru tune 10 10 0.1 2", "lru_crawler crawl all",
        "watch fetchers", "extstore max_frag 0.5", "refresh_certs"}) {
    ASSERT_EQ(Decode(std::string(admin) + "\r\n").status,
              DecodeStatus::kMessage)
        << admin;
    EXPECT_EQ(req_.command, TextCommand::kAdmin);
    EXPECT_EQ(req_.name, std::string_view(admin).substr(0, req_.name.size()));
  }
  EXPECT_EQ(Decode("misbehave\r\n").status, DecodeStatus::kError);
  EXPECT_EQ(req_.error, "ERROR");
}

TEST(TextCodecOptionsTest, DebugCommands) {
  TextCodecOptions o;
  o.debug_commands = true;
  EXPECT_EQ(RunWhole("misbehave\r\ndebugtime 5\r\n", o),
            (V{"MSG misbehave cmd=22 @11", "MSG debugtime cmd=22 a=5 @13"}));
}

TEST_F(TextCodecTest, NeedsWholeLineAndData) {
  EXPECT_EQ(Decode("get a").status, DecodeStatus::kNeedMore);
  EXPECT_EQ(in_.size(), 5u);
  EXPECT_EQ(Decode("set k 0 0 5\r\nab").status, DecodeStatus::kNeedMore);
  EXPECT_EQ(Decode("set k 0 0 5\r\nabcde\r").status, DecodeStatus::kNeedMore);
  EXPECT_EQ(Decode("set k 0 0 5\r\nabcde\r\n").status, DecodeStatus::kMessage);
}

TEST_F(TextCodecTest, BareNewlineAndNulInLine) {
  ASSERT_EQ(Decode("get a\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.keys[0], "a");
  // memcached reads the line as a C string: it ends at the NUL.
  auto r = Decode(std::string("get a\0b c\r\n", 11));
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.keys, (std::vector<std::string_view>{"a"}));
  EXPECT_EQ(r.consumed, 11u);
  // A \r elsewhere is part of a token.
  ASSERT_EQ(Decode("get a\r\r\n").status, DecodeStatus::kMessage);
  EXPECT_EQ(req_.keys[0], "a\r");
}

// Pipelined mix of every kind, errors and swallows included, is decoded the
// same whether it arrives at once, in two pieces split anywhere, or byte by
// byte.
TEST(TextCodecSplitTest, EverySplitGivesTheSameResult) {
  const std::string k251(251, 'x');
  std::string stream =
      "get a b\r\n"
      "gets a\n"
      "gat 10 a\r\n"
      "set k 1 2 5\r\nab\r\nc\r\n"
      "add k 0 0 0 noreply\r\n\r\n"
      "cas k 0 0 1 99\r\nZ\r\n"
      "set big 0 0 2000000\r\n" + std::string(2000002, 'v') +
      "set bad 0 0 2\r\nabcd\r\n"
      "set neg 0 0 -1\r\n"
      "delete k 0\r\n"
      "delete k 5\r\n"
      "incr k x\r\n"
      "touch k 1 noreply\r\n"
      "set " + k251 + " 0 0 1\r\nx\r\n"
      "\r\n"
      "bogus\r\n"
      "ms k 3 T5 F7\r\nabc\r\n"
      "ms k 3 Z\r\nabc\r\n"
      "mg k v t k Oq\r\n"
      "mn\r\n"
      "md k q\r\n"
      "ma k D5 MD\r\n"
      "me k\r\n"
      "flush_all 0\r\n"
      "version\r\n";
  const V whole = RunWhole(stream);
  EXPECT_EQ(whole.size(), 27u);
  EXPECT_EQ(RunBytewise(stream), whole);
  // Two-piece splits: every offset of a copy without the 2 MB value.
  std::string small = stream;
  small.replace(small.find("set big"), 21 + 2000002,
                "set big 0 0 20000\r\n" + std::string(20002, 'v'));
  TextCodecOptions o;
  o.max_item_size = 10000;
  const V expect = RunWhole(small, o);
  EXPECT_EQ(expect.size(), 27u);
  for (size_t i = 0; i <= small.size(); i += (i < 400 || i > 20400 ? 1 : 97)) {
    ASSERT_EQ(RunChunks({small.substr(0, i), small.substr(i)}, o), expect) << i;
  }
}

TEST(TextCodecSplitTest, TranscriptOfMixedStream) {
  const V got = RunWhole(
      "set k 1 2 5\r\nab\r\nc\r\n"
      "set big 0 0 2000000\r\n" + std::string(2000002, 'v') +
      "set bad 0 0 2\r\nabcd\r\n"
      "set neg 0 0 -1\r\n"
      "delete k 5\r\n"
      "version\r\n");
  // The exact lines:
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got[0], "MSG set cmd=5 k=k flags=1 exp=2 val=ab\\r\\nc @20");
  EXPECT_EQ(got[1], "ERR[SERVER_ERROR object too large for cache] too_large @21");
  // memcached reads 2+2 bytes into the item, finds "cd" where \r\n should
  // be and the rest of the line ("\r\n") becomes an empty command.
  EXPECT_EQ(got[2], "ERR[CLIENT_ERROR bad data chunk] @19");
  EXPECT_EQ(got[3], "ERR[ERROR] @2");
  EXPECT_EQ(got[4], "ERR[CLIENT_ERROR bad command line format] @16");
  EXPECT_EQ(got[5],
            "ERR[CLIENT_ERROR bad command line format.  Usage: delete <key> "
            "[noreply]] @12");
  EXPECT_EQ(got[6], "MSG version cmd=16 @9");
}

}  // namespace
}  // namespace codec

namespace codec {
namespace {

TEST(TextCodecSwallowTest, HugeDeclaredLengthIsNeverBuffered) {
  TextCodec codec;
  sock::Buffer in;
  TextRequest req;
  // INT_MAX - 2 is a valid length for memcached, so it swallows the block.
  in.Append("set k 0 0 2147483645 noreply\r\n");
  auto r = codec.Decode(&in, &req);
  ASSERT_EQ(r.status, DecodeStatus::kError);
  EXPECT_TRUE(req.too_large);
  EXPECT_TRUE(req.noreply);
  EXPECT_EQ(req.error, "");  // noreply: memcached stays silent
  EXPECT_EQ(req.keys[0], "k");
  EXPECT_EQ(r.consumed, in.size());
  in.Drain(r.consumed);
  EXPECT_EQ(codec.swallow_remaining(), 2147483647u);
  const std::string chunk(1 << 16, 'z');
  for (int i = 0; i < 64; ++i) {
    in.Append(chunk);
    EXPECT_EQ(codec.Decode(&in, &req).status, DecodeStatus::kNeedMore);
    EXPECT_TRUE(in.empty());
  }
  EXPECT_EQ(codec.swallow_remaining(), 2147483647u - 64 * 65536u);
}

TEST(TextCodecSwallowTest, SwallowInPiecesThenNextCommandInSameRead) {
  TextCodec codec;
  sock::Buffer in;
  TextRequest req;
  in.Append("set k 0 0 2000000\r\nvvvv");
  auto r = codec.Decode(&in, &req);
  ASSERT_EQ(r.status, DecodeStatus::kError);
  EXPECT_EQ(req.error, "SERVER_ERROR object too large for cache");
  in.Drain(r.consumed);
  EXPECT_EQ(codec.Decode(&in, &req).status, DecodeStatus::kNeedMore);
  size_t left = 2000002 - 4;
  while (left > 10) {
    size_t n = std::min<size_t>(left - 10, 7777);
    in.Append(std::string(n, 'v'));
    EXPECT_EQ(codec.Decode(&in, &req).status, DecodeStatus::kNeedMore);
    left -= n;
  }
  EXPECT_EQ(codec.swallow_remaining(), 10u);
  in.Append(std::string(8, 'v') + "\r\nget a\r\n");
  r = codec.Decode(&in, &req);
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_EQ(req.command, TextCommand::kGet);
  EXPECT_EQ(r.consumed, 7u);
  EXPECT_EQ(codec.swallow_remaining(), 0u);
}

TEST(TextCodecSwallowTest, LargeValueArrivingSlowlyIsParsedOnce) {
  TextCodec codec;
  sock::Buffer in;
  TextRequest req;
  const std::string value(500000, 'q');
  const std::string bytes = "set k 0 0 500000\r\n" + value + "\r\n";
  size_t pos = 0;
  sock::DecodeResult r;
  while (pos < bytes.size()) {
    size_t n = std::min<size_t>(bytes.size() - pos, 4096);
    in.Append(bytes.substr(pos, n));
    pos += n;
    r = codec.Decode(&in, &req);
    if (pos < bytes.size()) {
      ASSERT_EQ(r.status, DecodeStatus::kNeedMore);
      EXPECT_EQ(in.size(), pos);  // nothing consumed while incomplete
    }
  }
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_EQ(req.value, value);
  EXPECT_EQ(req.keys[0], "k");
  EXPECT_EQ(r.consumed, bytes.size());
}

TEST(TextCodecSwallowTest, ReusedRequestIsReset) {
  TextCodec codec;
  sock::Buffer in;
  TextRequest req;
  in.Append("ms k 1 T5 q\r\nx\r\nget a b\r\n");
  auto r = codec.Decode(&in, &req);
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  in.Drain(r.consumed);
  r = codec.Decode(&in, &req);
  ASSERT_EQ(r.status, DecodeStatus::kMessage);
  EXPECT_EQ(req.keys.size(), 2u);
  EXPECT_TRUE(req.meta_flags.empty());
  EXPECT_FALSE(req.meta.quiet);
  EXPECT_EQ(req.exptime, 0);
  EXPECT_TRUE(req.value.empty());
}

}  // namespace
}  // namespace codec
