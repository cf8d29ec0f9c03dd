// TextCodecOptions: limits of the server-direction text codec. Defaults are
// memcached 1.6.18's with its default settings (-I 1m, CAS enabled).
#ifndef CODEC_TEXT_CODEC_OPTIONS_H_
#define CODEC_TEXT_CODEC_OPTIONS_H_

#include <cstddef>

namespace codec {

struct TextCodecOptions {
  // memcached's item_size_max (-I). A storage request whose item would not
  // fit is answered "SERVER_ERROR object too large for cache" and its data
  // block is swallowed without being buffered.
  size_t max_item_size = 1024 * 1024;
  // Bytes of an item besides key, suffix and data: memcached's 48-byte item
  // header plus the 8-byte CAS (set to 48 to mirror `memcached -C`).
  // An item needs header + nkey + 1 + (flags ? 4 : 0) + datalen + 2 bytes.
  size_t item_header_size = 56;
  // Absolute cap on a command line (only get/gets lines may exceed 2048
  // bytes, as in memcached; memcached itself has no cap for those). Longer
  // lines close the connection silently.
  size_t max_line_length = 1024 * 1024;
  // Accept "misbehave" and "debugtime" (MEMCACHED_DEBUG builds only) as
  // kAdmin; a release memcached answers "ERROR" to them.
  bool debug_commands = false;
};

// memcached's limits.
constexpr size_t kMaxKeyLength = 250;         // KEY_MAX_LENGTH
constexpr size_t kMaxNonGetLineLength = 2048;  // try_read_command_ascii

}  // namespace codec

#endif  // CODEC_TEXT_CODEC_OPTIONS_H_
