// CommandHandler: the meta commands (mg ms md ma mn me), byte for byte as
// memcached 1.6.18 answers them (expected strings checked against the real
// daemon; cas values are read back from the store).
#include <string>

#include "tests/memcache/handler_test_util.h"

namespace memcache {
namespace {

using testing_util::HandlerTest;

class MetaCommandTest : public HandlerTest {
 protected:
  std::string Cas(const std::string& key) { return std::to_string(CasOf(key)); }
};

TEST_F(MetaCommandTest, NoopAndMissAndHit) {
  EXPECT_EQ(Run("mn\r\n"), "MN\r\n");
  EXPECT_EQ(Run("mg nope v\r\n"), "EN\r\n");
  Run("set foo 5 0 3\r\nbar\r\n");
  EXPECT_EQ(Run("mg foo\r\n"), "HD\r\n");
  EXPECT_EQ(Run("mg foo v\r\n"), "VA 3\r\nbar\r\n");
  EXPECT_EQ(Run("mg foo s v c t f\r\n"),
            "VA 3 s3 c" + Cas("foo") + " t-1 f5\r\nbar\r\n");
}

TEST_F(MetaCommandTest, ReturnFlagsInRequestOrder) {
  Run("set a 0 100 1\r\n1\r\n");
  clock_.Advance(3);
  EXPECT_EQ(Run("mg a v s f t c k l h Oxx\r\n"),
            "VA 1 s1 f0 t97 c" + Cas("a") + " ka l3 h0 Oxx\r\n1\r\n");
  // The last-access time only moves on an LRU bump, at most once a minute.
  EXPECT_EQ(Run("mg a h l\r\n"), "HD h1 l3\r\n");
}

TEST_F(MetaCommandTest, NoUpdateKeepsItemUnfetched) {
  Run("ms k 3 T100\r\nhit\r\n");
  EXPECT_EQ(Run("mg k u h\r\n"), "HD h0\r\n");
  EXPECT_EQ(Run("mg k h\r\n"), "HD h0\r\n");
  EXPECT_EQ(Run("mg k u h\r\n"), "HD h1\r\n");
}

TEST_F(MetaCommandTest, QuietGetSuppressesOnlyMisses) {
  Run("set a 0 0 1\r\n1\r\n");
  EXPECT_EQ(Run("mg a v s q k\r\nmg zz v q k\r\nmn\r\n"), "VA 1 s1 ka\r\n1\r\nMN\r\n");
  EXPECT_EQ(Run("mg zz k O123\r\n"), "EN kzz O123\r\n");
}

TEST_F(MetaCommandTest, QuietPipeline) {
  EXPECT_EQ(Run("ms quiet 2 q\r\nbo\r\n"
                "mg quiet v q\r\nmg quiet v q\r\nmg quietmiss v q\r\nmd quiet q\r\n"
                "md quiet q\r\nmn\r\n"),
            "VA 2\r\nbo\r\nVA 2\r\nbo\r\nNF\r\nMN\r\n");
}

TEST_F(MetaCommandTest, TouchUpdatesTtlInFlagOrder) {
  Run("ms k 4 T100\r\nooom\r\n");
  // 't' before 'T' reports the TTL before the update, after it the new one.
  EXPECT_EQ(Run("mg k t T300\r\n"), "HD t100\r\n");
  EXPECT_EQ(Run("mg k T200 t\r\n"), "HD t200\r\n");
  EXPECT_EQ(Run("mg k t t\r\n"), "CLIENT_ERROR duplicate flag\r\n");
  auto s = Stats();
  EXPECT_EQ(s["cmd_touch"], "2");
  EXPECT_EQ(s["touch_hits"], "2");
}

TEST_F(MetaCommandTest, VivifyWinsOnceThenReportsTokenSent) {
  std::string reply = Run("mg nw s c v N30 t\r\n");
  EXPECT_EQ(reply, "VA 0 s0 c" + Cas("nw") + " t30 W\r\n\r\n");
  EXPECT_EQ(Run("mg nw s v N30\r\n"), "VA 0 s0 Z\r\n\r\n");
  // A set with the right cas clears the token.
  std::string cas = Cas("nw");
  EXPECT_EQ(Run("ms nw 2 C" + cas + " T120\r\nmu\r\n"), "HD\r\n");
  EXPECT_EQ(Run("mg nw v N30\r\n"), "VA 2\r\nmu\r\n");
}

TEST_F(MetaCommandTest, QuietDoesNotHideVivifiedHit) {
  EXPECT_EQ(Run("mg k s N30 t q\r\n"), "HD s0 t30 W\r\n");
}

TEST_F(MetaCommandTest, RecacheWinsWhenTtlBelowToken) {
  Run("ms k 2 T30\r\nhi\r\n");
  EXPECT_EQ(Run("mg k R20 t v\r\n"), "VA 2 t30\r\nhi\r\n");
  EXPECT_EQ(Run("mg k R40 t v\r\n"), "VA 2 t30 W\r\nhi\r\n");
  EXPECT_EQ(Run("mg k R40 t v\r\n"), "VA 2 t30 Z\r\nhi\r\n");
}

TEST_F(MetaCommandTest, InvalidateServesStaleAndWinsOnce) {
  Run("set k 0 0 3\r\nmoo\r\n");
  uint64_t before = CasOf("k");
  EXPECT_EQ(Run("md k I T30\r\n"), "HD\r\n");
  EXPECT_NE(CasOf("k"), before);
  EXPECT_EQ(Run("mg k s t v\r\n"), "VA 3 s3 t30 X W\r\nmoo\r\n");
  EXPECT_EQ(Run("mg k s v\r\n"), "VA 3 s3 Z X\r\nmoo\r\n");
  // A stale set (cas older than the item's) keeps the item stale.
  EXPECT_EQ(Run("ms k 1 T90 C1\r\nf\r\n"), "EX\r\n");
  EXPECT_EQ(Run("ms k 1 I T90 C1\r\nf\r\n"), "HD\r\n");
  EXPECT_EQ(Run("mg k t v\r\n"), "VA 1 t30 Z X\r\nf\r\n");
  // The current cas makes a normal write.
  EXPECT_EQ(Run("ms k 1 T90 C" + Cas("k") + "\r\ng\r\n"), "HD\r\n");
  EXPECT_EQ(Run("mg k t v\r\n"), "VA 1 t90\r\ng\r\n");
}

TEST_F(MetaCommandTest, SetModes) {
  EXPECT_EQ(Run("ms m 2 T120\r\naa\r\n"), "HD\r\n");
  EXPECT_EQ(Run("ms m 2 ME\r\nbb\r\n"), "NS\r\n");
  EXPECT_EQ(Run("ms n 2 ME\r\nbb\r\n"), "HD\r\n");
  EXPECT_EQ(Run("ms n 2 MA\r\ncc\r\n"), "HD\r\n");
  EXPECT_EQ(Run("ms n 2 MP\r\naa\r\n"), "HD\r\n");
  EXPECT_EQ(Run("mg n v\r\n"), "VA 6\r\naabbcc\r\n");
  EXPECT_EQ(Run("ms z 2 MR\r\nzz\r\n"), "NS\r\n");
  EXPECT_EQ(Run("ms z 2 MA\r\nzz\r\n"), "NS\r\n");
  EXPECT_EQ(Run("ms n 2 MR\r\nxx\r\n"), "HD\r\n");
  EXPECT_EQ(Run("ms n 2 MS\r\nyy\r\n"), "HD\r\n");
  EXPECT_EQ(Run("ms n 2 MZ\r\ntt\r\n"), "CLIENT_ERROR invalid mode for ms M token\r\n");
  EXPECT_EQ(Run("mg n v\r\n"), "VA 2\r\nyy\r\n");
}

TEST_F(MetaCommandTest, SetReturnsFlagsAndCas) {
  std::string reply = Run("ms a 2 T0 F5 c k Oab\r\nhi\r\n");
  EXPECT_EQ(reply, "HD c" + Cas("a") + " ka Oab\r\n");
  EXPECT_EQ(Run("mg a f t s\r\n"), "HD f5 t-1 s2\r\n");
  std::string bad = std::to_string(CasOf("a") + 10);
  EXPECT_EQ(Run("ms a 2 c C" + bad + "\r\nio\r\n"), "EX c0\r\n");
  reply = Run("ms a 2 c C" + Cas("a") + "\r\nio\r\n");
  EXPECT_EQ(reply, "HD c" + Cas("a") + "\r\n");
  EXPECT_EQ(Run("ms a 2 q\r\nzz\r\nmn\r\n"), "MN\r\n");
}

TEST_F(MetaCommandTest, Base64Keys) {
  // "44OG44K544OI" is base64 for a UTF-8 katakana word.
  EXPECT_EQ(Run("ms 44OG44K544OI 2 b\r\npo\r\n"), "HD\r\n");
  EXPECT_EQ(Run("mg 44OG44K544OI v\r\n"), "EN\r\n");
  EXPECT_EQ(Run("mg 44OG44K544OI b k v\r\n"), "VA 2 k44OG44K544OI b\r\npo\r\n");
  std::string reply = Run("ms YWJj 2 k b c\r\nhi\r\n");
  EXPECT_EQ(reply, "HD kYWJj b c" + Cas("abc") + "\r\n");
  EXPECT_EQ(Run("mg abc v\r\n"), "VA 2\r\nhi\r\n");
  EXPECT_EQ(Run("md YWJj b k\r\n"), "HD kYWJj b\r\n");
  EXPECT_EQ(Run("mg abc\r\n"), "EN\r\n");
}

TEST_F(MetaCommandTest, Delete) {
  EXPECT_EQ(Run("md nokey\r\n"), "NF\r\n");
  EXPECT_EQ(Run("md nokey q\r\nmn\r\n"), "NF\r\nMN\r\n");
  Run("set k 0 0 1\r\n5\r\n");
  EXPECT_EQ(Run("md k C999 Oz\r\n"), "EX Oz\r\n");
  EXPECT_EQ(Run("md k C" + Cas("k") + " q\r\nmn\r\n"), "MN\r\n");
  EXPECT_EQ(Run("mg k\r\n"), "EN\r\n");
  auto s = Stats();
  EXPECT_EQ(s["delete_hits"], "1");
  EXPECT_EQ(s["delete_misses"], "3");
}

TEST_F(MetaCommandTest, Arithmetic) {
  EXPECT_EQ(Run("ma mo\r\n"), "NF\r\n");
  EXPECT_EQ(Run("ma mo D1\r\n"), "NF\r\n");
  Run("set mo 0 0 1\r\n1\r\n");
  EXPECT_EQ(Run("ma mo\r\n"), "HD\r\n");
  EXPECT_EQ(Run("ma mo v\r\n"), "VA 1\r\n3\r\n");
  Run("set mo 0 0 1\r\nq\r\n");
  EXPECT_EQ(Run("ma mo\r\n"),
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  EXPECT_EQ(Run("ma mi N0 J13 v t\r\n"), "VA 2 t-1\r\n13\r\n");
  EXPECT_EQ(Run("ma mi N0 J13 v t\r\n"), "VA 2 t-1\r\n14\r\n");
  EXPECT_EQ(Run("ma mi v D30\r\n"), "VA 2\r\n44\r\n");
  EXPECT_EQ(Run("ma mi v MD D22\r\n"), "VA 2\r\n22\r\n");
  EXPECT_EQ(Run("ma mi v M- D9000\r\n"), "VA 1\r\n0\r\n");
  EXPECT_EQ(Run("mg mi v\r\n"), "VA 2\r\n0 \r\n");  // space padded in place
  EXPECT_EQ(Run("ma mi q D1\r\nmn\r\n"), "MN\r\n");
  EXPECT_EQ(Run("ma mi MX\r\n"), "CLIENT_ERROR invalid mode for ma M token\r\n");
}

TEST_F(MetaCommandTest, ArithmeticTtlAndCas) {
  EXPECT_EQ(Run("ma mu N90 t\r\n"), "HD t90\r\n");
  EXPECT_EQ(Run("ma mu T300 v t\r\n"), "VA 1 t300\r\n1\r\n");
  EXPECT_EQ(Run("ma mu C99999 v\r\n"), "EX\r\n");
  std::string cas = Cas("mu");
  EXPECT_EQ(Run("ma mu C" + cas + " v\r\n"), "VA 1\r\n2\r\n");
  EXPECT_NE(Cas("mu"), cas);
  std::string reply = Run("ma mu c\r\n");
  EXPECT_EQ(reply, "HD c" + Cas("mu") + "\r\n");
}

TEST_F(MetaCommandTest, ArithmeticOnStaleItemKeepsItStale) {
  Run("ms n 1\r\n5\r\n");
  EXPECT_EQ(Run("md n I\r\n"), "HD\r\n");
  EXPECT_EQ(Run("ma n v\r\n"), "VA 1\r\n6\r\n");
  EXPECT_EQ(Run("mg n v\r\n"), "VA 1 X W\r\n6\r\n");
}

TEST_F(MetaCommandTest, FlagErrors) {
  EXPECT_EQ(Run("mg a a a\r\n"), "CLIENT_ERROR invalid flag\r\n");
  EXPECT_EQ(Run("mg a v v\r\n"), "CLIENT_ERROR duplicate flag\r\n");
  EXPECT_EQ(Run("md a zz\r\n"), "CLIENT_ERROR invalid or duplicate flag\r\n");
  EXPECT_EQ(Run("ma a D1 D1\r\n"), "CLIENT_ERROR invalid or duplicate flag\r\n");
  EXPECT_EQ(Run("mg a Tabc\r\n"), "CLIENT_ERROR bad token in command line format\r\n");
  EXPECT_EQ(Run("ms a 2 O123456789012345678901234567890123\r\nhi\r\n"),
            "CLIENT_ERROR opaque token too long\r\n");
  // Errors are not hidden by q.
  EXPECT_EQ(Run("mg a q Tx\r\n"), "CLIENT_ERROR bad token in command line format\r\n");
}

TEST_F(MetaCommandTest, Debug) {
  EXPECT_EQ(Run("me none\r\n"), "EN\r\n");
  Run("set foo 0 0 2\r\nhi\r\n");
  clock_.Advance(2);
  EXPECT_EQ(Run("me foo\r\n"),
            "ME foo exp=-1 la=2 cas=" + Cas("foo") + " fetch=no cls=1 size=64\r\n");
  EXPECT_EQ(Stats()["cmd_meta"], "2");
}

TEST_F(MetaCommandTest, GetCountersMatchClassic) {
  Run("set a 0 0 1\r\na\r\n");
  Run("mg a v\r\nmg b v\r\n");
  auto s = Stats();
  EXPECT_EQ(s["cmd_get"], "2");
  EXPECT_EQ(s["get_hits"], "1");
  EXPECT_EQ(s["get_misses"], "1");
}

}  // namespace
}  // namespace memcache
