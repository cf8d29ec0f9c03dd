// Request encoding (client/request.h) and reply assembly (client/reply_assembler.h).
#include "client/request.h"

#include <gtest/gtest.h>

#include <string>

#include "client/reply_assembler.h"

namespace client {
namespace {

std::string Wire(const Request& r) {
  std::string out, error;
  EXPECT_TRUE(EncodeRequest(r, &out, &error)) << error;
  return out;
}

std::string Rejection(const Request& r) {
  std::string out, error;
  EXPECT_FALSE(EncodeRequest(r, &out, &error));
  EXPECT_TRUE(out.empty());
  return error;
}

TEST(RequestTest, WireForms) {
  EXPECT_EQ(Wire(Request::Get("k")), "get k\r\n");
  EXPECT_EQ(Wire(Request::Gets("k")), "gets k\r\n");
  EXPECT_EQ(Wire(Request::Gat(-1, "k")), "gat -1 k\r\n");
  EXPECT_EQ(Wire(Request::Gats(30, "k")), "gats 30 k\r\n");
  EXPECT_EQ(Wire(Request::MultiGet({"a", "b", "c"})), "get a b c\r\n");
  EXPECT_EQ(Wire(Request::MultiGets({"a"})), "gets a\r\n");
  EXPECT_EQ(Wire(Request::MultiGat(-1, {"a", "b"})), "gat -1 a b\r\n");
  EXPECT_EQ(Wire(Request::MultiGats(30, {"a", "b", "c"})), "gats 30 a b c\r\n");
  EXPECT_EQ(Wire(Request::Set("k", "v\r\n", 4294967295u, 100)),
            "set k 4294967295 100 3\r\nv\r\n\r\n");
  EXPECT_EQ(Wire(Request::Add("k", "")), "add k 0 0 0\r\n\r\n");
  EXPECT_EQ(Wire(Request::Replace("k", "x", 1, -1)), "replace k 1 -1 1\r\nx\r\n");
  EXPECT_EQ(Wire(Request::Append("k", "x")), "append k 0 0 1\r\nx\r\n");
  EXPECT_EQ(Wire(Request::Prepend("k", "x")), "prepend k 0 0 1\r\nx\r\n");
  EXPECT_EQ(Wire(Request::Cas("k", "x", 18446744073709551615ull)),
            "cas k 0 0 1 18446744073709551615\r\nx\r\n");
  EXPECT_EQ(Wire(Request::Set("k", "v").NoReply()), "set k 0 0 1 noreply\r\nv\r\n");
  EXPECT_EQ(Wire(Request::Delete("k")), "delete k\r\n");
  EXPECT_EQ(Wire(Request::Delete("k").NoReply()), "delete k noreply\r\n");
  EXPECT_EQ(Wire(Request::Incr("k", 5)), "incr k 5\r\n");
  EXPECT_EQ(Wire(Request::Decr("k", 0).NoReply()), "decr k 0 noreply\r\n");
  EXPECT_EQ(Wire(Request::Touch("k", 10)), "touch k 10\r\n");
  EXPECT_EQ(Wire(Request::FlushAll()), "flush_all\r\n");
  EXPECT_EQ(Wire(Request::FlushAll(60)), "flush_all 60\r\n");
  EXPECT_EQ(Wire(Request::Version()), "version\r\n");
  EXPECT_EQ(Wire(Request::Stats()), "stats\r\n");
  EXPECT_EQ(Wire(Request::Stats("slabs")), "stats slabs\r\n");
  EXPECT_EQ(Wire(Request::Verbosity(1)), "verbosity 1\r\n");
  EXPECT_EQ(Wire(Request::MetaGet("k", "v f t")), "mg k v f t\r\n");
  EXPECT_EQ(Wire(Request::MetaGet("k", "")), "mg k\r\n");
  EXPECT_EQ(Wire(Request::MetaSet("k", "val", "T30 F5")), "ms k 3 T30 F5\r\nval\r\n");
  EXPECT_EQ(Wire(Request::MetaDelete("k")), "md k\r\n");
  EXPECT_EQ(Wire(Request::MetaArithmetic("k", "v MD D2")), "ma k v MD D2\r\n");
  EXPECT_EQ(Wire(Request::MetaNoop()), "mn\r\n");
}

TEST(RequestTest, NoReplyOnlyWhereTheServerHonoursIt) {
  EXPECT_FALSE(Request::Set("k", "v").NoReply().expects_reply());
  EXPECT_TRUE(Request::Get("k").NoReply().expects_reply());
  EXPECT_EQ(Wire(Request::Get("k").NoReply()), "get k\r\n");
  EXPECT_TRUE(Request::MetaGet("k").NoReply().expects_reply());
}

TEST(RequestTest, RejectsWhatMemcachedWouldMisparse) {
  EXPECT_EQ(Rejection(Request::Get("a b")), "invalid key");
  EXPECT_EQ(Rejection(Request::Get("a\r\n")), "invalid key");
  EXPECT_EQ(Rejection(Request::Get(std::string(251, 'x'))), "invalid key");
  EXPECT_EQ(Rejection(Request::MultiGet({"ok", "not ok"})), "invalid key");
  EXPECT_EQ(Rejection(Request::MultiGet({})), "multi-get without keys");
  EXPECT_EQ(Rejection(Request::MultiGat(10, {"ok", std::string_view("a\0b", 3)})),
            "invalid key");
  EXPECT_EQ(Rejection(Request::MultiGats(10, {})), "multi-get without keys");
  EXPECT_NE(Rejection(Request::MetaGet("k", "v q")).find("quiet"), std::string::npos);
  EXPECT_NE(Rejection(Request::MetaGet("k", "v\r\nget x")).find("line break"),
            std::string::npos);
  EXPECT_NE(Rejection(Request::Stats("a\nb")).find("line break"), std::string::npos);
}

codec::TextReply Reply(codec::ReplyType type) {
  codec::TextReply r;
  r.type = type;
  return r;
}

TEST(ReplyAssemblerTest, RetrievalAndMismatch) {
  Result r;
  PrepareResult(Op::kGet, &r);
  EXPECT_EQ(r.status, Status::kNotFound);
  codec::TextReply v = Reply(codec::ReplyType::kValue);
  v.key = "k";
  v.data = "val";
  v.flags = 3;
  EXPECT_EQ(ApplyReply(Op::kGet, v, &r), ApplyOutcome::kMore);
  EXPECT_EQ(ApplyReply(Op::kGet, Reply(codec::ReplyType::kEnd), &r), ApplyOutcome::kDone);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.value, "val");
  EXPECT_EQ(r.flags, 3u);
  Result s;
  EXPECT_EQ(ApplyReply(Op::kSet, Reply(codec::ReplyType::kEnd), &s), ApplyOutcome::kMismatch);
  EXPECT_EQ(ApplyReply(Op::kGet, Reply(codec::ReplyType::kStored), &s),
            ApplyOutcome::kMismatch);
  EXPECT_EQ(ApplyReply(Op::kMetaGet, Reply(codec::ReplyType::kMetaNoop), &s),
            ApplyOutcome::kMismatch);
  codec::TextReply err = Reply(codec::ReplyType::kServerError);
  err.text = "out of memory storing object";
  EXPECT_EQ(ApplyReply(Op::kSet, err, &s), ApplyOutcome::kDone);
  EXPECT_EQ(s.status, Status::kServerError);
  EXPECT_EQ(s.message, "out of memory storing object");
}

TEST(ReplyAssemblerTest, MetaReturnFlags) {
  Result r;
  ParseMetaReturnFlags("f17 c12345 t-1 kfoo", &r);
  EXPECT_EQ(r.flags, 17u);
  EXPECT_EQ(r.cas, 12345u);
}

}  // namespace
}  // namespace client
