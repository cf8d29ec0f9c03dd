// AuthHandler: memcached's optional ASCII authentication (-Y <file>) in
// front of a connection's normal handler.
//
// Until the client authenticates, every command is answered here, as
// memcached 1.6's try_read_command_asciiauth does:
//   set <any key> <any flags> <any exptime> <n>\r\n<user> <pass>\r\n
//     -> "STORED" (authenticated; later input goes to the inner handler)
//     -> "CLIENT_ERROR authentication failure"        (wrong user/pass)
//     -> "CLIENT_ERROR bad authentication token format" (not two tokens)
//     -> "CLIENT_ERROR bad command line termination"  (no \r\n after n bytes)
//   any other line -> "CLIENT_ERROR unauthenticated"
// A line of more than 2048 bytes without '\n' closes the connection, as in
// memcached. Unlike memcached, a declared length over kMaxTokenBytes also
// closes it, so an unauthenticated client cannot make us buffer anything big.
//
// One per connection, called on its reader thread only.
#ifndef MEMCACHE_AUTH_HANDLER_H_
#define MEMCACHE_AUTH_HANDLER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "memcache/auth_file.h"
#include "sock/buffer.h"
#include "sock/connection.h"

namespace memcache {

// Shared counters ("auth_cmds" / "auth_errors" in memcached's stats).
struct AuthCounters {
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> errors{0};
};

class AuthHandler : public sock::ConnectionHandler {
 public:
  static constexpr size_t kMaxTokenBytes = 1024;

  // `counters` may be null; otherwise it must outlive the handler.
  AuthHandler(std::shared_ptr<const AuthFile> auth,
              std::unique_ptr<sock::ConnectionHandler> inner,
              AuthCounters* counters = nullptr);

  void OnOpen(sock::Connection* conn) override { inner_->OnOpen(conn); }
  void OnInput(sock::Connection* conn, sock::Buffer* input) override;
  void OnClose(sock::Connection* conn, std::string_view reason) override {
    inner_->OnClose(conn, reason);
  }

  bool authenticated() const { return authenticated_; }

 private:
  enum class Step { kNeedMore, kContinue, kClose };
  // Handles at most one command line or token block from `input`.
  Step Consume(sock::Buffer* input, sock::Buffer* out);
  void CheckToken(std::string_view block, sock::Buffer* out);

  std::shared_ptr<const AuthFile> auth_;
  std::unique_ptr<sock::ConnectionHandler> inner_;
  AuthCounters* counters_;
  bool authenticated_ = false;
  size_t token_bytes_ = 0;  // bytes of "<user> <pass>\r\n" awaited (0: none)
};

}  // namespace memcache

#endif  // MEMCACHE_AUTH_HANDLER_H_
