// HashKey: the 64-bit hash that places a key in a shard and a bucket.
//
// A small multiply-fold hash in the style of wyhash: 16 bytes per round, one
// 64x64->128 multiply each, so typical keys (10-60 bytes) cost a few
// nanoseconds. Keys are attacker-chosen, but a memcached port is a trusted
// network service; the seed only decorrelates shard and bucket bits.
#ifndef MEMCACHE_KEY_HASH_H_
#define MEMCACHE_KEY_HASH_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace memcache {

namespace key_hash_internal {

constexpr uint64_t kP0 = 0xa0761d6478bd642full;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;

inline uint64_t Fold(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
// 1..3 bytes, each byte position read at least once.
inline uint64_t Load1To3(const char* p, size_t n) {
  return (static_cast<uint64_t>(static_cast<uint8_t>(p[0])) << 16) |
         (static_cast<uint64_t>(static_cast<uint8_t>(p[n >> 1])) << 8) |
         static_cast<uint8_t>(p[n - 1]);
}

}  // namespace key_hash_internal

inline uint64_t HashKey(std::string_view key) {
  using namespace key_hash_internal;  // NOLINT
  const char* p = key.data();
  size_t n = key.size();
  uint64_t seed = kP0 ^ Fold(n ^ kP1, kP2);
  uint64_t a, b;
  if (n <= 16) {
    if (n >= 4) {
      // Two overlapping 4-byte windows from each end cover 4..16 bytes.
      size_t mid = (n >> 3) << 2;
      a = (Load32(p) << 32) | Load32(p + mid);
      b = (Load32(p + n - 4) << 32) | Load32(p + n - 4 - mid);
    } else if (n > 0) {
      a = Load1To3(p, n);
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    size_t i = n;
    while (i > 16) {
      seed = Fold(Load64(p) ^ kP1, Load64(p + 8) ^ seed);
      p += 16;
      i -= 16;
    }
    a = Load64(p + i - 16);
    b = Load64(p + i - 8);
  }
  return Fold(kP1 ^ n, Fold(a ^ kP1, b ^ seed));
}

}  // namespace memcache

#endif  // MEMCACHE_KEY_HASH_H_
