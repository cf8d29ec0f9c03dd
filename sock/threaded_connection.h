// ThreadedConnection: a Connection of the threaded engine. Each connection has
// a reader thread (poll + read -> handler OnInput; it also runs OnOpen and
// OnClose) and a writer thread (waits for queued output, takes the whole queue
// and writes it with gather writes).
//
// Owns the fd, two wake-up eventfds, the outbound queue and the handler.
// Send/Close/Abort/connected/pending_output are thread-safe. Output queued by
// the reader thread during OnInput is handed to the writer once OnInput
// returns, so a batch of replies is one write.
//
// Lifetime: the reader thread holds a reference until the connection has
// closed; it joins the writer thread before closing the fd. The reader thread
// itself is joined by the destructor (or detached if the last reference dies
// on the reader thread itself). Servers keep closed connections until they
// can join them, so no thread outlives its Server.
#ifndef SOCK_THREADED_CONNECTION_H_
#define SOCK_THREADED_CONNECTION_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sock/buffer.h"
#include "sock/connection.h"
#include "sock/connection_options.h"

namespace sock {

class ThreadedConnection : public Connection {
 public:
  // `fd` is a connected socket (blocking or not); owned from now on.
  static std::shared_ptr<ThreadedConnection> Create(
      int fd, uint64_t id, std::string peer,
      std::unique_ptr<ConnectionHandler> handler, ConnectionOptions options);
  ~ThreadedConnection() override;

  // Starts the reader and writer threads. Call once. Returns false if the
  // threads cannot be created; then no callback ever runs and the fd is
  // closed when the connection is destroyed.
  bool Start();

  void Send(std::string_view data) override;
  void Send(Buffer* data) override;
  void Close() override;
  void Abort() override;
  bool connected() const override;
  size_t pending_output() const override;

  // Waits until the reader thread has finished (the connection is closed and
  // on_closed has run) and joins it. Not from the reader thread.
  void Join();

  ConnectionHandler* handler() const { return handler_.get(); }

 private:
  ThreadedConnection(int fd, uint64_t id, std::string peer,
                     std::unique_ptr<ConnectionHandler> handler,
                     ConnectionOptions options);

  void ReaderMain(std::shared_ptr<ThreadedConnection> self);
  void WriterMain();
  // Reader phases.
  void ServeInput();
  void WaitForWriter();
  void Linger();
  void Teardown(std::shared_ptr<ThreadedConnection> self);
  bool WaitReadable(int timeout_ms, bool* woken);
  bool WriteBatch(Buffer* batch);
  void RequestClose(const char* reason);
  bool OnReaderThread() const {
    return reader_id_.load(std::memory_order_relaxed) ==
           std::this_thread::get_id();
  }
  static void Signal(int efd);
  static void ClearSignal(int efd);

  int fd_;
  int reader_wake_fd_;  // eventfd: wakes the reader's poll
  int writer_wake_fd_;  // eventfd: wakes the writer's poll (abort only)
  std::unique_ptr<ConnectionHandler> handler_;
  const ConnectionOptions options_;

  std::thread reader_;
  std::thread writer_;
  std::atomic<std::thread::id> reader_id_{};

  // Reader thread only.
  Buffer input_;
  bool in_input_ = false;
  bool queued_in_input_ = false;  // Send during OnInput; wake the writer after
  bool peer_eof_ = false;

  mutable std::mutex mutex_;
  std::condition_variable writer_cv_;  // output queued, close or abort
  std::condition_variable reader_cv_;  // drained below low water, writer done
  Buffer queue_;                 // guarded by mutex_
  // Sends from other threads before OnOpen has returned wait here, so output
  // queued by OnOpen goes first (as on the event engine).
  Buffer pre_open_;               // guarded by mutex_
  bool opened_ = false;           // guarded by mutex_
  bool close_requested_ = false;  // guarded by mutex_
  bool abort_ = false;            // guarded by mutex_
  bool input_done_ = false;       // guarded; the reader calls no more OnInput
  bool writer_done_ = false;      // guarded by mutex_
  bool fd_closed_ = false;        // guarded by mutex_
  std::string close_reason_;      // guarded by mutex_
  std::atomic<size_t> pending_bytes_{0};  // queued + being written
  std::atomic<bool> open_{true};
};

}  // namespace sock

#endif  // SOCK_THREADED_CONNECTION_H_
