// ReplyCodec (codec/reply_codec.h): every reply form, split at every offset.
#include "codec/reply_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace codec {
namespace {

using sock::Buffer;
using sock::DecodeStatus;

// A decoded element, copied out of the buffer for comparison.
struct Element {
  ReplyType type;
  std::string key, text, data;
  uint32_t flags;
  uint64_t cas, number;
  bool has_cas;
  bool operator==(const Element& o) const {
    return type == o.type && key == o.key && text == o.text && data == o.data &&
           flags == o.flags && cas == o.cas && number == o.number && has_cas == o.has_cas;
  }
};

std::ostream& operator<<(std::ostream& os, const Element& e) {
  return os << ReplyTypeName(e.type) << " key=" << e.key << " text=" << e.text
            << " data=" << e.data.size() << "B flags=" << e.flags << " cas=" << e.cas
            << " n=" << e.number;
}

Element Copy(const TextReply& r) {
  return Element{r.type, std::string(r.key), std::string(r.text), std::string(r.data),
                 r.flags, r.cas, r.number, r.has_cas};
}

// Decodes everything decodable; returns false on a decode error.
bool DecodeAll(ReplyCodec* codec, Buffer* in, std::vector<Element>* out) {
  TextReply reply;
  while (!in->empty()) {
    auto r = codec->Decode(in, &reply);
    if (r.status == DecodeStatus::kNeedMore) {
      EXPECT_EQ(r.consumed, 0u);
      return true;
    }
    if (r.status == DecodeStatus::kError) return false;
    out->push_back(Copy(reply));
    in->Drain(r.consumed);
  }
  return true;
}

const char kGenericStream[] =
    "VALUE k1 5 3\r\nabc\r\n"
    "VALUE key:two 4294967295 0 99\r\n\r\n"
    "VALUE bin 0 6\r\na\r\nb\0c\r\n"
    "END\r\n"
    "END\r\n"
    "STORED\r\nNOT_STORED\r\nEXISTS\r\nNOT_FOUND\r\nDELETED\r\nTOUCHED\r\nOK\r\n"
    "VERSION 1.6.18\r\n"
    "18446744073709551615\r\n"
    "0\r\n"
    "ERROR\r\n"
    "CLIENT_ERROR bad command line format\r\n"
    "SERVER_ERROR object too large for cache\r\n"
    "VA 4 f12 c777 t-1\r\nmeta\r\n"
    "VA 0\r\n\r\n"
    "HD c5\r\nHD\r\nEN\r\nNF\r\nNS\r\nEX c9\r\nMN\r\n"
    "ME key exp=-1 la=3 cas=2 fetch=no cls=1 size=63\r\n";

std::vector<Element> ExpectedGeneric() {
  auto e = [](ReplyType t) { return Element{t, "", "", "", 0, 0, 0, false}; };
  std::vector<Element> v;
  Element a = e(ReplyType::kValue);
  a.key = "k1"; a.flags = 5; a.data = "abc";
  v.push_back(a);
  Element b = e(ReplyType::kValue);
  b.key = "key:two"; b.flags = 4294967295u; b.cas = 99; b.has_cas = true;
  v.push_back(b);
  Element c = e(ReplyType::kValue);
  c.key = "bin"; c.data = std::string("a\r\nb\0c", 6);
  v.push_back(c);
  v.push_back(e(ReplyType::kEnd));
  v.push_back(e(ReplyType::kEnd));
  for (ReplyType t : {ReplyType::kStored, ReplyType::kNotStored, ReplyType::kExists,
                      ReplyType::kNotFound, ReplyType::kDeleted, ReplyType::kTouched,
                      ReplyType::kOk}) {
    v.push_back(e(t));
  }
  Element ver = e(ReplyType::kVersion);
  ver.text = "1.6.18";
  v.push_back(ver);
  Element n1 = e(ReplyType::kNumber);
  n1.number = 18446744073709551615ull;
  v.push_back(n1);
  v.push_back(e(ReplyType::kNumber));
  v.push_back(e(ReplyType::kError));
  Element ce = e(ReplyType::kClientError);
  ce.text = "bad command line format";
  v.push_back(ce);
  Element se = e(ReplyType::kServerError);
  se.text = "object too large for cache";
  v.push_back(se);
  Element va = e(ReplyType::kMetaValue);
  va.text = "f12 c777 t-1";
  va.data = "meta";
  v.push_back(va);
  v.push_back(e(ReplyType::kMetaValue));
  Element hd = e(ReplyType::kMetaHit);
  hd.text = "c5";
  v.push_back(hd);
  v.push_back(e(ReplyType::kMetaHit));
  v.push_back(e(ReplyType::kMetaMiss));
  v.push_back(e(ReplyType::kMetaNotFound));
  v.push_back(e(ReplyType::kMetaNotStored));
  Element ex = e(ReplyType::kMetaExists);
  ex.text = "c9";
  v.push_back(ex);
  v.push_back(e(ReplyType::kMetaNoop));
  Element me = e(ReplyType::kMetaDebug);
  me.key = "key";
  me.text = "exp=-1 la=3 cas=2 fetch=no cls=1 size=63";
  v.push_back(me);
  return v;
}

std::string GenericStream() { return std::string(kGenericStream, sizeof(kGenericStream) - 1); }

TEST(ReplyCodecTest, DecodesEveryReplyForm) {
  ReplyCodec codec;
  Buffer in;
  in.Append(GenericStream());
  std::vector<Element> got;
  ASSERT_TRUE(DecodeAll(&codec, &in, &got));
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(got, ExpectedGeneric());
}

TEST(ReplyCodecTest, SplitAtEveryOffset) {
  const std::string stream = GenericStream();
  const std::vector<Element> want = ExpectedGeneric();
  for (size_t split = 0; split <= stream.size(); ++split) {
    ReplyCodec codec;
    Buffer in;
    std::vector<Element> got;
    in.Append(stream.substr(0, split));
    ASSERT_TRUE(DecodeAll(&codec, &in, &got)) << split;
    in.Append(stream.substr(split));
    ASSERT_TRUE(DecodeAll(&codec, &in, &got)) << split;
    EXPECT_TRUE(in.empty()) << split;
    ASSERT_EQ(got, want) << "split at " << split;
  }
}

TEST(ReplyCodecTest, ByteByByte) {
  const std::string stream = GenericStream();
  ReplyCodec codec;
  Buffer in;
  std::vector<Element> got;
  for (char c : stream) {
    in.Append(std::string_view(&c, 1));
    ASSERT_TRUE(DecodeAll(&codec, &in, &got));
  }
  EXPECT_EQ(got, ExpectedGeneric());
}

TEST(ReplyCodecTest, StatsContextTakesAnyLine) {
  const std::string stream =
      "STAT pid 1234\r\nSTAT version 1.6.18\r\nSTAT empty \r\n"
      "ITEM foo [5 b; 0 s]\r\nEND\r\nRESET\r\nOK\r\nERROR\r\n";
  for (size_t split = 0; split <= stream.size(); ++split) {
    ReplyCodec codec;
    codec.set_context(ReplyContext::kStats);
    Buffer in;
    std::vector<Element> got;
    in.Append(stream.substr(0, split));
    ASSERT_TRUE(DecodeAll(&codec, &in, &got));
    in.Append(stream.substr(split));
    ASSERT_TRUE(DecodeAll(&codec, &in, &got));
    ASSERT_EQ(got.size(), 8u) << split;
    EXPECT_EQ(got[0].type, ReplyType::kStat);
    EXPECT_EQ(got[0].key, "pid");
    EXPECT_EQ(got[0].text, "1234");
    EXPECT_EQ(got[1].text, "1.6.18");
    EXPECT_EQ(got[2].key, "empty");
    EXPECT_EQ(got[2].text, "");
    EXPECT_EQ(got[3].type, ReplyType::kLine);
    EXPECT_EQ(got[3].text, "ITEM foo [5 b; 0 s]");
    EXPECT_EQ(got[4].type, ReplyType::kEnd);
    EXPECT_EQ(got[5].type, ReplyType::kReset);
    EXPECT_EQ(got[6].type, ReplyType::kOk);
    EXPECT_EQ(got[7].type, ReplyType::kError);
  }
}

TEST(ReplyCodecTest, LargeValueInPieces) {
  std::string value(300000, 'q');
  value[12345] = '\n';
  std::string stream = "VALUE big 1 " + std::to_string(value.size()) + "\r\n" + value +
                       "\r\nEND\r\n";
  ReplyCodec codec;
  Buffer in;
  std::vector<Element> got;
  for (size_t off = 0; off < stream.size(); off += 4096) {
    in.Append(stream.substr(off, 4096));
    ASSERT_TRUE(DecodeAll(&codec, &in, &got));
    if (off + 4096 < stream.size() - 7) {
      EXPECT_TRUE(got.empty()) << off;
    }
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data, value);
  EXPECT_EQ(got[1].type, ReplyType::kEnd);
}

TEST(ReplyCodecTest, MalformedLinesAreErrors) {
  for (const char* bad : {"BOGUS\r\n", "VALUE k x 3\r\nabc\r\n", "VALUE k 0\r\n",
                          "VALUE k 0 -1\r\n", "STORED extra\r\n", "VA x\r\n",
                          "99999999999999999999999\r\n", "STAT a b\r\n"}) {
    ReplyCodec codec;
    Buffer in;
    in.Append(bad);
    TextReply reply;
    auto r = codec.Decode(&in, &reply);
    EXPECT_EQ(r.status, DecodeStatus::kError) << bad;
    EXPECT_FALSE(reply.text.empty()) << bad;
  }
}

TEST(ReplyCodecTest, DataBlockMustEndWithCrLf) {
  ReplyCodec codec;
  Buffer in;
  in.Append("VALUE k 0 3\r\nabcXY");
  TextReply reply;
  EXPECT_EQ(codec.Decode(&in, &reply).status, DecodeStatus::kError);
}

TEST(ReplyCodecTest, OverlongLineIsAnErrorNotABuffer) {
  ReplyCodec codec(100);
  Buffer in;
  in.Append(std::string(99, 'A'));
  TextReply reply;
  EXPECT_EQ(codec.Decode(&in, &reply).status, DecodeStatus::kNeedMore);
  in.Append(std::string(10, 'A'));
  auto r = codec.Decode(&in, &reply);
  EXPECT_EQ(r.status, DecodeStatus::kError);
  EXPECT_EQ(r.consumed, 0u);
}

TEST(ReplyCodecTest, BareNewlineTolerated) {
  ReplyCodec codec;
  Buffer in;
  in.Append("STORED\nEND\n");
  std::vector<Element> got;
  ASSERT_TRUE(DecodeAll(&codec, &in, &got));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, ReplyType::kStored);
}

}  // namespace
}  // namespace codec
