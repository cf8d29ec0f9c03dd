// TextReply: one decoded reply element of memcached's text protocol, as
// produced by ReplyCodec (client direction).
//
// Multi-part replies arrive as several elements: a retrieval reply is zero or
// more kValue elements then kEnd; a stats reply is kStat (or kLine) elements
// then kEnd. Everything else is one element. The client session assembles
// elements into results because only it knows which request a reply answers.
//
// Lifetime: every string_view points into the connection's input buffer and is
// valid only until the bytes of this element are drained.
#ifndef CODEC_TEXT_REPLY_H_
#define CODEC_TEXT_REPLY_H_

#include <cstdint>
#include <string_view>

namespace codec {

enum class ReplyType : uint8_t {
  kNone,
  kValue,    // VALUE <key> <flags> <bytes> [<cas>]\r\n<data>\r\n
  kEnd,      // END: closes a retrieval or stats reply
  kStat,     // STAT <name> <value>   (key = name, text = value)
  kLine,     // any other line inside a stats reply (e.g. "ITEM ..."): text
  kStored,
  kNotStored,
  kExists,
  kNotFound,
  kDeleted,
  kTouched,
  kOk,       // flush_all, verbosity, stats detail on|off, cache_memlimit
  kReset,    // stats reset
  kVersion,  // VERSION <text>
  kNumber,   // incr/decr result: number
  kError,        // ERROR [text]
  kClientError,  // CLIENT_ERROR <text>
  kServerError,  // SERVER_ERROR <text>
  // Meta replies; text holds the returned flags (without the code).
  kMetaValue,      // VA <size> <flags>*\r\n<data>\r\n
  kMetaHit,        // HD <flags>*
  kMetaMiss,       // EN
  kMetaNotFound,   // NF <flags>*
  kMetaNotStored,  // NS <flags>*
  kMetaExists,     // EX <flags>*
  kMetaNoop,       // MN
  kMetaDebug,      // ME <key> <text>
};

// A short name for logs and tests ("VALUE", "STORED", "VA", ...).
const char* ReplyTypeName(ReplyType type);

struct TextReply {
  ReplyType type = ReplyType::kNone;
  std::string_view line;  // the first line, without \r\n
  std::string_view key;   // kValue, kMetaDebug: the key; kStat: the name
  std::string_view text;  // version, error text, stat value, meta flags, kLine
  std::string_view data;  // kValue, kMetaValue: the data block, without \r\n
  uint32_t flags = 0;     // kValue
  uint64_t cas = 0;       // kValue with a cas column (gets, gats)
  bool has_cas = false;
  uint64_t number = 0;    // kNumber

  void Reset() { *this = TextReply(); }
};

}  // namespace codec

#endif  // CODEC_TEXT_REPLY_H_
