#include "memcache/slab_classes.h"

#include <gtest/gtest.h>

namespace memcache {
namespace {

// Copied from `memcached -vv` (1.6.18, defaults): id, chunk size, perslab.
struct Row {
  int id;
  size_t size;
  size_t perslab;
};
constexpr Row kMemcachedTable[] = {
    {1, 96, 10922},
    {2, 120, 8738},
    {3, 152, 6898},
    {4, 192, 5461},
    {5, 240, 4369},
    {6, 304, 3449},
    {7, 384, 2730},
    {8, 480, 2184},
    {9, 600, 1747},
    {10, 752, 1394},
    {11, 944, 1110},
    {12, 1184, 885},
    {13, 1480, 708},
    {14, 1856, 564},
    {15, 2320, 451},
    {16, 2904, 361},
    {17, 3632, 288},
    {18, 4544, 230},
    {19, 5680, 184},
    {20, 7104, 147},
    {21, 8880, 118},
    {22, 11104, 94},
    {23, 13880, 75},
    {24, 17352, 60},
    {25, 21696, 48},
    {26, 27120, 38},
    {27, 33904, 30},
    {28, 42384, 24},
    {29, 52984, 19},
    {30, 66232, 15},
    {31, 82792, 12},
    {32, 103496, 10},
    {33, 129376, 8},
    {34, 161720, 6},
    {35, 202152, 5},
    {36, 252696, 4},
    {37, 315872, 3},
    {38, 394840, 2},
    {39, 524288, 2},
};

TEST(SlabClassesTest, TableMatchesMemcached1618) {
  const SlabClasses& t = SlabClasses::Default();
  EXPECT_EQ(t.largest(), 39);
  for (const Row& r : kMemcachedTable) {
    EXPECT_EQ(t.chunk_size(r.id), r.size) << "class " << r.id;
    EXPECT_EQ(t.chunks_per_page(r.id), r.perslab) << "class " << r.id;
  }
}

TEST(SlabClassesTest, ItemTotalCountsHeaderKeyFlagsValueCas) {
  // 48 header + 3 key + 1 NUL + 0 flags + 2 ("\r\n") + 8 cas.
  EXPECT_EQ(SlabClasses::ItemTotal(3, 2, false, true), 62u);
  EXPECT_EQ(SlabClasses::ItemTotal(3, 2, true, true), 66u);
  EXPECT_EQ(SlabClasses::ItemTotal(3, 2, false, false), 54u);
}

TEST(SlabClassesTest, ClassBoundaries) {
  const SlabClasses& t = SlabClasses::Default();
  EXPECT_EQ(t.ClassFor(0), 0);
  EXPECT_EQ(t.ClassFor(1), 1);
  EXPECT_EQ(t.ClassFor(96), 1);
  EXPECT_EQ(t.ClassFor(97), 2);
  EXPECT_EQ(t.ClassFor(120), 2);
  EXPECT_EQ(t.ClassFor(121), 3);
  EXPECT_EQ(t.ClassFor(524288), 39);
  // Larger than the largest chunk: memcached's "chunked" items stay in the
  // largest class's LRU.
  EXPECT_EQ(t.ClassFor(1000000), 39);
}

TEST(SlabClassesTest, ClassForMatchesALinearScan) {
  // ClassFor is a branch-free binary search; check it against the plain
  // definition for every size up to past the largest chunk, and for a
  // table with fewer classes.
  const SlabClasses coarse(48, 2.0, 1 << 20, 1 << 19);
  for (const SlabClasses* t : {&SlabClasses::Default(), &coarse}) {
    for (size_t n = 1; n <= 600000; ++n) {
      int want = t->largest();
      for (int id = 1; id < t->largest(); ++id) {
        if (n <= t->chunk_size(id)) {
          want = id;
          break;
        }
      }
      ASSERT_EQ(t->ClassFor(n), want) << "ntotal " << n;
    }
  }
}

TEST(SlabClassesTest, MemcachedSuiteExpectations) {
  const SlabClasses& t = SlabClasses::Default();
  // t/issue_29.t: 0-byte values land in class 1.
  EXPECT_EQ(t.ClassForItem(6, 2, false, true), 1);
  // t/issue_163.t: a 66,560-byte value lands in class 31.
  EXPECT_EQ(t.ClassForItem(3, 66560 + 2, false, true), 31);
}

}  // namespace
}  // namespace memcache
