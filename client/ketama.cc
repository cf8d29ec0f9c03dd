#include "client/ketama.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "client/md5.h"

namespace client {
namespace {

inline uint32_t DigestWord(const Md5::Digest& d, int word) {
  return uint32_t(d[word * 4 + 3]) << 24 | uint32_t(d[word * 4 + 2]) << 16 |
         uint32_t(d[word * 4 + 1]) << 8 | uint32_t(d[word * 4]);
}

}  // namespace

Ketama::Ketama(const std::vector<KetamaServer>& servers)
    : server_count_(servers.size()) {
  uint32_t live = 0;
  uint64_t total_weight = 0;
  for (const auto& s : servers) {
    if (!s.live) continue;
    ++live;
    total_weight += s.weight;
  }
  if (live == 0 || total_weight == 0) return;
  ring_.reserve(live * kPointsPerServer + 64);
  char name[512];
  for (size_t i = 0; i < servers.size(); ++i) {
    const KetamaServer& s = servers[i];
    if (!s.live) continue;
    // Float on purpose: libmemcached computes the share in float, and the
    // rounding decides how many points a server gets.
    float pct = static_cast<float>(s.weight) / static_cast<float>(total_weight);
    float share = pct * static_cast<float>(kPointsPerServer) / 4.0f *
                      static_cast<float>(live) +
                  0.0000000001F;
    uint32_t points = static_cast<uint32_t>(std::floor(share)) * 4;
    for (uint32_t n = 0; n < points / 4; ++n) {
      int len = s.port == kDefaultPort
                    ? snprintf(name, sizeof(name), "%s-%u", s.host.c_str(), n)
                    : snprintf(name, sizeof(name), "%s:%u-%u", s.host.c_str(),
                               static_cast<unsigned>(s.port), n);
      if (len < 0 || static_cast<size_t>(len) >= sizeof(name)) continue;
      Md5::Digest d = Md5::Of(std::string_view(name, static_cast<size_t>(len)));
      for (int w = 0; w < 4; ++w) {
        ring_.push_back(Point{DigestWord(d, w), static_cast<uint32_t>(i)});
      }
    }
  }
  std::sort(ring_.begin(), ring_.end(), [](const Point& a, const Point& b) {
    return a.value != b.value ? a.value < b.value : a.index < b.index;
  });
}

uint32_t Ketama::Hash(std::string_view key) {
  return DigestWord(Md5::Of(key), 0);
}

int Ketama::FindHash(uint32_t hash) const {
  if (ring_.empty()) return -1;
  auto it = std::lower_bound(
      ring_.begin(), ring_.end(), hash,
      [](const Point& p, uint32_t h) { return p.value < h; });
  if (it == ring_.end()) it = ring_.begin();
  return static_cast<int>(it->index);
}

int Ketama::Find(std::string_view key) const {
  if (ring_.empty()) return -1;
  if (server_count_ == 1) return 0;
  return FindHash(Hash(key));
}

}  // namespace client
