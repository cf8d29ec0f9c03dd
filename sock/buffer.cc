#include "sock/buffer.h"

#include <event2/buffer.h>
#include <glog/logging.h>

#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace sock {

Buffer::Buffer() : buf_(evbuffer_new()) { CHECK(buf_ != nullptr); }

Buffer::~Buffer() {
  if (buf_ != nullptr) evbuffer_free(buf_);
}

Buffer::Buffer(Buffer&& other) noexcept : buf_(evbuffer_new()) {
  std::swap(buf_, other.buf_);
}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    Clear();
    std::swap(buf_, other.buf_);
  }
  return *this;
}

size_t Buffer::size() const { return evbuffer_get_length(buf_); }

void Buffer::Append(std::string_view data) {
  if (data.empty()) return;
  CHECK_EQ(evbuffer_add(buf_, data.data(), data.size()), 0);
}

void Buffer::AppendReference(const void* data, size_t n, Cleanup cleanup,
                             void* arg) {
  if (n == 0) {
    if (cleanup != nullptr) cleanup(data, n, arg);
    return;
  }
  CHECK_EQ(evbuffer_add_reference(buf_, data, n, cleanup, arg), 0);
}

void Buffer::AppendBuffer(Buffer* other) {
  if (other == this || other->empty()) return;
  CHECK_EQ(evbuffer_add_buffer(buf_, other->buf_), 0);
}

size_t Buffer::FindNewline(size_t limit) const {
  size_t len = size();
  if (limit > len) limit = len;
  if (limit == 0) return kNpos;
  // Scan chain by chain: cheaper than evbuffer_search for one byte and it
  // lets us stop at `limit`.
  size_t offset = 0;
  evbuffer_ptr pos;
  evbuffer_ptr_set(buf_, &pos, 0, EVBUFFER_PTR_SET);
  evbuffer_iovec vec[8];
  while (offset < limit) {
    int n = evbuffer_peek(buf_, static_cast<ev_ssize_t>(limit - offset), &pos,
                          vec, 8);
    if (n <= 0) break;
    int used = n < 8 ? n : 8;
    for (int i = 0; i < used && offset < limit; ++i) {
      size_t want = vec[i].iov_len;
      if (want > limit - offset) want = limit - offset;
      const void* hit = memchr(vec[i].iov_base, '\n', want);
      if (hit != nullptr) {
        return offset + (static_cast<const char*>(hit) -
                         static_cast<const char*>(vec[i].iov_base));
      }
      offset += want;
    }
    if (evbuffer_ptr_set(buf_, &pos, offset, EVBUFFER_PTR_SET) != 0) break;
  }
  return kNpos;
}

std::string_view Buffer::Peek(size_t n) {
  if (n == 0) return {};
  DCHECK_LE(n, size());
  auto* p = evbuffer_pullup(buf_, static_cast<ev_ssize_t>(n));
  CHECK(p != nullptr);
  return {reinterpret_cast<const char*>(p), n};
}

std::string_view Buffer::Front() const {
  evbuffer_iovec vec;
  // Asks for one byte so libevent stops at the first non-empty chain.
  if (evbuffer_peek(buf_, 1, nullptr, &vec, 1) < 1) return {};
  return {static_cast<const char*>(vec.iov_base), vec.iov_len};
}

size_t Buffer::CopyOut(void* out, size_t n) const {
  ev_ssize_t got = evbuffer_copyout(buf_, out, n);
  return got < 0 ? 0 : static_cast<size_t>(got);
}

int Buffer::PeekChains(iovec* out, int max, size_t* bytes) const {
  constexpr int kMax = 64;
  evbuffer_iovec vec[kMax];
  const int cap = max < kMax ? max : kMax;
  int n = evbuffer_peek(buf_, -1, nullptr, vec, cap);
  if (n > cap) n = cap;  // it returns how many chains it would need
  size_t total = 0;
  for (int i = 0; i < n; ++i) {
    out[i].iov_base = vec[i].iov_base;
    out[i].iov_len = vec[i].iov_len;
    total += vec[i].iov_len;
  }
  *bytes = total;
  return n;
}

void Buffer::Drain(size_t n) {
  if (n > 0) evbuffer_drain(buf_, n);
}

std::string Buffer::ToString() const {
  std::string s(size(), '\0');
  CopyOut(s.data(), s.size());
  return s;
}

long Buffer::ReadFrom(int fd, size_t max) {
  // Not evbuffer_read: in libevent 2.1 it caps every read at 4096 bytes and
  // costs an extra ioctl(FIONREAD). Reserve space and readv into it.
  //
  // The last kSpill bytes of a large read go to a stack buffer instead:
  // libevent rounds a new chain up to a power of two including its header,
  // so reserving a full 64 KiB allocates a 128 KiB chain, and at glibc's
  // mmap threshold (128 KiB, fixed by main/memcache_server.cc's mallopt) that
  // is an mmap + munmap + page faults on every read of an emptied buffer
  // (doc/benchmarks.md: it doubled the server's CPU per request).
  if (max == 0) return 0;
  constexpr size_t kSpill = 4096;
  char spill[kSpill];
  const size_t spill_len = max > 2 * kSpill ? kSpill : 0;
  const size_t reserve = max - spill_len;
  evbuffer_iovec vec[2];
  int n = evbuffer_reserve_space(buf_, static_cast<ev_ssize_t>(reserve), vec, 2);
  if (n <= 0) {
    errno = ENOMEM;
    return -1;
  }
  iovec iov[3];
  size_t room = reserve;
  int used = 0;
  for (int i = 0; i < n && room > 0; ++i, ++used) {
    size_t len = vec[i].iov_len < room ? vec[i].iov_len : room;
    vec[i].iov_len = len;  // commit below counts only what readv could fill
    iov[i].iov_base = vec[i].iov_base;
    iov[i].iov_len = len;
    room -= len;
  }
  int iovcnt = used;
  if (spill_len > 0) {
    iov[iovcnt].iov_base = spill;
    iov[iovcnt].iov_len = spill_len;
    ++iovcnt;
  }
  ssize_t got;
  do {
    got = ::readv(fd, iov, iovcnt);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) {
    int saved = errno;
    evbuffer_commit_space(buf_, vec, 0);  // drop the reservation
    errno = saved;
    return got;
  }
  size_t left = static_cast<size_t>(got);
  int commit = 0;
  for (; commit < used && left > 0; ++commit) {
    if (vec[commit].iov_len > left) vec[commit].iov_len = left;
    left -= vec[commit].iov_len;
  }
  CHECK_EQ(evbuffer_commit_space(buf_, vec, commit), 0);
  if (left > 0) CHECK_EQ(evbuffer_add(buf_, spill, left), 0);
  return got;
}

long Buffer::WriteTo(int fd, size_t max) {
  if (max == kNpos) return evbuffer_write(buf_, fd);
  return evbuffer_write_atmost(buf_, fd, static_cast<ev_ssize_t>(max));
}

}  // namespace sock
