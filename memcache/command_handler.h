// CommandHandler: answers decoded memcached text-protocol requests
// (codec::TextRequest) from the shared Store, writing memcached 1.6.18's exact
// reply bytes. It is the MessageHandler of sock::CodecHandler: one instance
// per connection, called on that connection's reader thread only.
//
// Each command is one function (see commands.h), picked through a table
// indexed by TextCommand. Values of get hits are appended to the output by
// reference: the item stays alive until the socket layer has written them.
//
// The handler never touches a socket, so tests drive it with a codec and a
// Buffer, or with hand-built TextRequests, and compare the output bytes.
#ifndef MEMCACHE_COMMAND_HANDLER_H_
#define MEMCACHE_COMMAND_HANDLER_H_

#include "codec/text_request.h"
#include "memcache/command_context.h"
#include "sock/buffer.h"
#include "sock/codec_handler.h"
#include "sock/connection.h"

namespace memcache {

class CommandHandler {
 public:
  // `context` must outlive the handler.
  explicit CommandHandler(CommandContext* context) : context_(context) {}

  // conn may be null (tests); it only names the connection in logs.
  sock::HandleResult OnMessage(sock::Connection* conn, codec::TextRequest& request,
                               sock::Buffer* out);
  // Writes request.error + "\r\n"; closes when memcached would.
  sock::HandleResult OnDecodeError(sock::Connection* conn,
                                   codec::TextRequest& request, sock::Buffer* out);

 private:
  CommandContext* context_;
};

}  // namespace memcache

#endif  // MEMCACHE_COMMAND_HANDLER_H_
