// Buffer: a chained byte buffer (a thin owner of libevent's evbuffer).
//
// Used for both directions of every connection: the reader side appends what
// it reads and codecs decode from the front; the writer side appends replies
// (copied, or by reference to bytes someone else owns) and flushes them with
// one gather write. A Buffer is not thread-safe: one thread uses it at a time.
#ifndef SOCK_BUFFER_H_
#define SOCK_BUFFER_H_

#include <cstddef>
#include <string>
#include <string_view>

struct evbuffer;
struct iovec;

namespace sock {

class Buffer {
 public:
  static constexpr size_t kNpos = static_cast<size_t>(-1);

  Buffer();
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  size_t size() const;
  bool empty() const { return size() == 0; }

  // Copies `data` to the end.
  void Append(std::string_view data);
  void Append(const void* data, size_t n) {
    Append(std::string_view(static_cast<const char*>(data), n));
  }
  // Appends `n` bytes at `data` without copying them; `cleanup(data, n, arg)`
  // runs once the bytes have been written or dropped. The caller keeps the
  // bytes alive and unchanged until then.
  using Cleanup = void (*)(const void* data, size_t n, void* arg);
  void AppendReference(const void* data, size_t n, Cleanup cleanup, void* arg);
  // Moves everything in `other` to the end of this buffer (no copy).
  void AppendBuffer(Buffer* other);

  // Offset of the first '\n' among the first `limit` bytes, or kNpos.
  size_t FindNewline(size_t limit = kNpos) const;
  // Makes the first `n` bytes (n <= size()) contiguous and returns them. The
  // view is valid until the buffer is next changed.
  std::string_view Peek(size_t n);
  // The bytes at the front that are contiguous already (the first chain:
  // maybe fewer than size(), even none), without copying or moving
  // anything; for parsers with a fast path that fall back to Peek. Valid
  // until the buffer is next changed.
  std::string_view Front() const;
  // Copies up to `n` bytes from the front into `out` without draining;
  // returns how many were copied.
  size_t CopyOut(void* out, size_t n) const;
  // Points up to `max` iovecs at the front chains, without copying or
  // draining (for a gather write someone else issues); returns how many it
  // filled and, in *bytes, their total length. Valid until the buffer is next
  // changed.
  int PeekChains(iovec* out, int max, size_t* bytes) const;
  // Removes the first `n` bytes (or everything, if fewer).
  void Drain(size_t n);
  void Clear() { Drain(size()); }
  // The whole contents as a string (for tests and small buffers).
  std::string ToString() const;

  // Reads at most `max` bytes from `fd` to the end. Returns what read(2)
  // returns: bytes read, 0 at end of stream, -1 with errno set.
  long ReadFrom(int fd, size_t max);
  // Writes from the front with one gather write of at most `max` bytes and
  // drains what was written. Returns bytes written or -1 with errno set.
  long WriteTo(int fd, size_t max = kNpos);

  evbuffer* raw() const { return buf_; }

 private:
  evbuffer* buf_;
};

}  // namespace sock

#endif  // SOCK_BUFFER_H_
