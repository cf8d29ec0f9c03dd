// Reply building helpers for the command handlers.
//
// ReplyLine assembles one status line ("VALUE k 0 5 12\r\n", "HD c9 k..\r\n")
// in a fixed stack buffer without allocating; every line memcached can send
// is bounded (key <= 250 bytes, base64 key <= 336, opaque <= 32 bytes, at
// most ~20 flags), so overflowing the buffer is a bug.
//
// AppendValueLine appends an item's value bytes by reference: the output Buffer
// holds a reference on the item until the bytes are written or dropped.
#ifndef MEMCACHE_REPLY_WRITER_H_
#define MEMCACHE_REPLY_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "memcache/item.h"
#include "sock/buffer.h"

namespace memcache {

class ReplyLine {
 public:
  static constexpr size_t kCapacity = 2048;

  ReplyLine& Append(std::string_view s);
  ReplyLine& Append(char c);
  ReplyLine& AppendUint(uint64_t v);
  ReplyLine& AppendInt(int64_t v);
  // " <letter><token>" as meta replies write their flags.
  ReplyLine& Flag(char letter, std::string_view token = {});
  ReplyLine& FlagUint(char letter, uint64_t v);
  ReplyLine& FlagInt(char letter, int64_t v);
  // Appends "\r\n" and copies the line into `out`.
  void Finish(sock::Buffer* out);

  std::string_view view() const { return std::string_view(buf_, len_); }
  size_t size() const { return len_; }

 private:
  char buf_[kCapacity];
  size_t len_ = 0;
};

// Appends `line` + "\r\n".
void AppendLine(sock::Buffer* out, std::string_view line);

// Appends the value bytes of `item` followed by "\r\n". Values go by
// reference (zero copy; the item stores its CRLF right after the value);
// tiny ones are copied, which is cheaper than a reference chain entry plus
// its cleanup.
void AppendValueLine(sock::Buffer* out, const ItemRef& item);

}  // namespace memcache

#endif  // MEMCACHE_REPLY_WRITER_H_
