// Ketama and MD5 against RFC 1321's test suite and against libmemcached itself.
#include "client/ketama.h"

#include <libmemcached/memcached.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/md5.h"

namespace client {
namespace {

TEST(Md5Test, Rfc1321Suite) {
  EXPECT_EQ(Md5::Hex(Md5::Of("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5::Hex(Md5::Of("a")), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Md5::Hex(Md5::Of("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5::Hex(Md5::Of("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Md5::Hex(Md5::Of("abcdefghijklmnopqrstuvwxyz")),
            "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(Md5::Hex(Md5::Of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(Md5::Hex(Md5::Of("1234567890123456789012345678901234567890123456789"
                             "0123456789012345678901234567890")),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5Test, IncrementalMatchesOneShot) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 7));
  for (size_t split = 0; split <= data.size(); split += 13) {
    Md5 m;
    m.Update(std::string_view(data).substr(0, split));
    m.Update(std::string_view(data).substr(split));
    EXPECT_EQ(m.Final(), Md5::Of(data)) << split;
  }
}

// libmemcached with KETAMA_WEIGHTED over `servers`: the server index for each key.
std::vector<uint32_t> LibmemcachedPlacement(const std::vector<KetamaServer>& servers,
                                            const std::vector<std::string>& keys) {
  memcached_st* memc = memcached_create(nullptr);
  EXPECT_EQ(memcached_behavior_set(memc, MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1),
            MEMCACHED_SUCCESS);
  for (const auto& s : servers) {
    EXPECT_EQ(memcached_server_add_with_weight(memc, s.host.c_str(), s.port, s.weight),
              MEMCACHED_SUCCESS);
  }
  std::vector<uint32_t> out;
  out.reserve(keys.size());
  for (const auto& k : keys) out.push_back(memcached_generate_hash(memc, k.data(), k.size()));
  // server_by_key must agree with generate_hash (it is what set/get use).
  for (size_t i = 0; i < keys.size(); i += 997) {
    memcached_return_t rc = MEMCACHED_SUCCESS;  // set only on failure
    const memcached_instance_st* inst =
        memcached_server_by_key(memc, keys[i].data(), keys[i].size(), &rc);
    EXPECT_NE(inst, nullptr);
    if (inst == nullptr) continue;
    EXPECT_EQ(memcached_server_port(inst), servers[out[i]].port);
    EXPECT_EQ(std::string(memcached_server_name(inst)), servers[out[i]].host);
  }
  memcached_free(memc);
  return out;
}

std::vector<std::string> TestKeys(int n) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) {
    keys.push_back("key:" + std::to_string(i) + (i % 3 == 0 ? ":user" : ""));
  }
  return keys;
}

void ExpectSamePlacement(const std::vector<KetamaServer>& servers) {
  std::vector<std::string> keys = TestKeys(10000);
  std::vector<uint32_t> want = LibmemcachedPlacement(servers, keys);
  Ketama ring(servers);
  std::vector<int> counts(servers.size());
  int mismatches = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    int got = ring.Find(keys[i]);
    ASSERT_GE(got, 0);
    ++counts[got];
    if (static_cast<uint32_t>(got) != want[i] && ++mismatches < 5) {
      ADD_FAILURE() << keys[i] << ": ours " << got << " libmemcached " << want[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
  for (size_t s = 0; s < servers.size(); ++s) EXPECT_GT(counts[s], 0) << s;
}

TEST(KetamaTest, MatchesLibmemcachedWeightedNonDefaultPorts) {
  ExpectSamePlacement({{"127.0.0.1", 11311, 1},
                       {"127.0.0.1", 11312, 2},
                       {"127.0.0.1", 11313, 3},
                       {"10.0.0.4", 11400, 5},
                       {"cache-5.example", 22122, 1}});
}

TEST(KetamaTest, MatchesLibmemcachedWeightedDefaultPort) {
  ExpectSamePlacement({{"10.0.1.1", 11211, 4},
                       {"10.0.1.2", 11211, 1},
                       {"10.0.1.3", 11211, 7},
                       {"10.0.1.4", 11212, 2},
                       {"mc.example.com", 11211, 3}});
}

TEST(KetamaTest, MatchesLibmemcachedEqualWeights) {
  ExpectSamePlacement({{"a", 11211, 1}, {"b", 11211, 1}, {"c", 11211, 1},
                       {"d", 11211, 1}, {"e", 11211, 1}});
}

TEST(KetamaTest, EjectedServerGetsNoKeysOthersKeepTheirs) {
  std::vector<KetamaServer> servers = {{"h1", 1000, 1}, {"h2", 1000, 2}, {"h3", 1000, 1}};
  Ketama full(servers);
  EXPECT_EQ(full.points(), 480u);  // 160 per live server, shared by weight
  servers[1].live = false;
  Ketama partial(servers);
  // Weighted ketama rescales every server's share by the live count, so a few
  // keys of the survivors move too (as in libmemcached); most stay.
  int kept = 0, others = 0;
  for (const auto& k : TestKeys(2000)) {
    int before = full.Find(k);
    int after = partial.Find(k);
    EXPECT_NE(after, 1);
    if (before != 1) {
      ++others;
      kept += before == after;
    }
  }
  EXPECT_GT(kept, others * 8 / 10);
  servers[0].live = servers[2].live = false;
  EXPECT_EQ(Ketama(servers).Find("x"), -1);
}

}  // namespace
}  // namespace client
