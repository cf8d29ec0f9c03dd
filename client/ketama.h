// Ketama: a consistent-hashing ring compatible with libmemcached's
// MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED distribution (libmemcached 1.x,
// update_continuum in hosts.cc), so our client and a libmemcached client
// sharing a server list put every key on the same server.
//
// The ring: each live server gets floor(weight / total_weight * 40 * live) * 4
// points (160 per server when weights are equal), computed in float as
// libmemcached does. The points come 4 per MD5 digest of "host-N" (port 11211)
// or "host:port-N" (other ports), N = 0, 1, ..., each point being 4 digest
// bytes read little-endian. Points are sorted by (value, server index). A key
// hashes to the first 4 bytes (little-endian) of MD5(key) and belongs to the
// first point >= its hash, wrapping to the first point.
//
// A Ketama is immutable after Build; share it between threads freely.
#ifndef CLIENT_KETAMA_H_
#define CLIENT_KETAMA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace client {

struct KetamaServer {
  std::string host;     // exactly as libmemcached was given it
  uint16_t port = 11211;
  uint32_t weight = 1;
  bool live = true;     // false: ejected, gets no points (indexes stay stable)
};

class Ketama {
 public:
  static constexpr uint16_t kDefaultPort = 11211;
  static constexpr uint32_t kPointsPerServer = 160;

  Ketama() = default;
  // Builds the ring over `servers`; Find returns indexes into this list.
  explicit Ketama(const std::vector<KetamaServer>& servers);

  // The key's hash: MD5(key) bytes 0..3 little-endian (libhashkit's md5).
  static uint32_t Hash(std::string_view key);
  // Index of the server for `key`, or -1 when no server is live. With exactly
  // one server configured, always 0 (libmemcached skips hashing then).
  int Find(std::string_view key) const;
  int FindHash(uint32_t hash) const;

  size_t points() const { return ring_.size(); }
  size_t server_count() const { return server_count_; }

 private:
  struct Point {
    uint32_t value;
    uint32_t index;
  };
  std::vector<Point> ring_;
  size_t server_count_ = 0;
};

}  // namespace client

#endif  // CLIENT_KETAMA_H_
