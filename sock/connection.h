// Connection and ConnectionHandler: the interface every engine implements.
//
// A connection has a reader side and a writer side. The reader side reads
// bytes into the connection's input Buffer and calls its handler's OnInput;
// the handler decodes what it can (usually through a codec, see
// sock/codec_handler.h), drains what it used and queues replies with Send.
// The writer side owns an outbound queue: everything queued is flushed with
// one gather write, and a partial write resumes when the socket is writable.
//
// Threads: the handler's callbacks run on the connection's reader thread (the
// I/O thread of the event engine, or the connection's reader thread in the
// threaded engine), one at a time. Send, Close and Abort may be called from
// any thread. The same handler code runs unchanged on both engines.
#ifndef SOCK_CONNECTION_H_
#define SOCK_CONNECTION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sock/buffer.h"

namespace sock {

class Connection;
using ConnectionPtr = std::shared_ptr<Connection>;

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  // The connection is established (accepted or connected).
  virtual void OnOpen(Connection* /*conn*/) {}
  // New bytes are in `input`. Drain what was used; leave partial messages.
  virtual void OnInput(Connection* conn, Buffer* input) = 0;
  // The connection is closed (by either side, timeout or error); no more
  // callbacks follow. `reason` is a short text for logs.
  virtual void OnClose(Connection* /*conn*/, std::string_view /*reason*/) {}
};

using HandlerFactory = std::function<std::unique_ptr<ConnectionHandler>()>;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;

  // Queues bytes for the writer side. Thread-safe. Called from inside
  // OnInput, output is batched: it is flushed once OnInput returns.
  virtual void Send(std::string_view data) = 0;
  virtual void Send(Buffer* data) = 0;  // moves data's contents, no copy

  // Flushes everything queued, then closes. Thread-safe.
  virtual void Close() = 0;
  // Closes at once, dropping queued output (the peer sees a reset). Thread-safe.
  virtual void Abort() = 0;

  virtual bool connected() const = 0;
  // Bytes queued on the writer side and not yet written.
  virtual size_t pending_output() const = 0;

  uint64_t id() const { return id_; }
  const std::string& peer() const { return peer_; }

  // Per-connection data a handler or server may hang on the connection.
  void set_context(std::shared_ptr<void> context) { context_ = std::move(context); }
  template <typename T>
  T* context() const { return static_cast<T*>(context_.get()); }

 protected:
  Connection(uint64_t id, std::string peer) : id_(id), peer_(std::move(peer)) {}

 private:
  const uint64_t id_;
  const std::string peer_;
  std::shared_ptr<void> context_;
};

}  // namespace sock

#endif  // SOCK_CONNECTION_H_
