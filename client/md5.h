// Md5: the MD5 message digest (RFC 1321), written from the RFC.
//
// Used only for ketama consistent hashing (client/ketama.h), where it must
// give byte-for-byte the digests libmemcached's libhashkit computes. Not for
// security. An Md5 object is a plain value; use one per thread.
#ifndef CLIENT_MD5_H_
#define CLIENT_MD5_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace client {

class Md5 {
 public:
  using Digest = std::array<uint8_t, 16>;

  Md5() { Reset(); }
  void Reset();
  void Update(const void* data, size_t n);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // Pads, returns the digest and leaves the object to be Reset() for reuse.
  Digest Final();

  // One-shot helpers.
  static Digest Of(std::string_view s);
  static std::string Hex(const Digest& d);

 private:
  void Transform(const uint8_t block[64]);

  uint32_t state_[4];
  uint64_t length_;  // bytes hashed so far
  uint8_t buffer_[64];
  size_t buffered_;
};

}  // namespace client

#endif  // CLIENT_MD5_H_
