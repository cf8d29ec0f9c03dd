// EventConnection: a Connection of the event engine. One non-blocking socket
// driven by one EventLoop.
//
// Owns the fd, the input and output Buffers and the handler. Everything except
// Send/Close/Abort/connected/pending_output runs on the loop thread; those may
// be called from any thread (other threads post to the loop; cross-thread
// Sends are batched under a small mutex so a burst costs one post and one
// write). The loop thread's own Send appends to the output Buffer without
// locking; output queued during OnInput is written once OnInput returns.
//
// Lifetime: the connection holds a reference to itself from Start() until it
// closes, so callers may drop theirs at any time. After closing it releases
// that reference on the next loop iteration, never inside its own callbacks.
#ifndef SOCK_EVENT_CONNECTION_H_
#define SOCK_EVENT_CONNECTION_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "sock/buffer.h"
#include "sock/connection.h"
#include "sock/connection_options.h"

struct event;
struct iovec;

namespace sock {

class EventLoop;
class IoBatch;

class EventConnection : public Connection {
 public:
  // `fd` is a connected socket; the connection owns it from now on.
  static std::shared_ptr<EventConnection> Create(
      EventLoop* loop, int fd, uint64_t id, std::string peer,
      std::unique_ptr<ConnectionHandler> handler, ConnectionOptions options);
  ~EventConnection() override;

  // Registers the socket with the loop and calls OnOpen. Loop thread only;
  // post it with loop->RunInLoop.
  void Start();

  void Send(std::string_view data) override;
  void Send(Buffer* data) override;
  void Close() override;
  void Abort() override;
  bool connected() const override;
  size_t pending_output() const override;

  EventLoop* loop() const { return loop_; }
  ConnectionHandler* handler() const { return handler_.get(); }

 private:
  friend class IoBatch;
  enum class State { kNew, kOpen, kLingering, kClosed };

  EventConnection(EventLoop* loop, int fd, uint64_t id, std::string peer,
                  std::unique_ptr<ConnectionHandler> handler,
                  ConnectionOptions options);

  static void OnReadable(int fd, short what, void* arg);
  static void OnWritable(int fd, short what, void* arg);
  static void OnTimer(int fd, short what, void* arg);

  void HandleRead();
  // What a read returned (`n`, and errno as `err` when n < 0), as the
  // handler and the connection's state see it.
  void AfterRead(long n, int err);
  void HandleLingerRead();
  // IoBatch's side (see sock/io_batch.h). ReadQueued: the queued read is
  // due; with `direct` it reads now, else it returns whether the batch
  // should read for us (then FinishBatchedRead gets the bytes).
  bool ReadQueued(bool direct);
  void FinishBatchedRead(const char* data, long res, size_t asked);
  // WriteQueued: the queued flush is due; with a null `iov` it writes now,
  // else it fills up to `max` iovecs with output for the batch to send and
  // returns how many (0: nothing to send), their length in *bytes.
  int WriteQueued(iovec* iov, int max, size_t* bytes);
  void FinishBatchedWrite(long res, size_t asked);
  int fd() const { return fd_; }
  IoBatch* batch() const;
  // The immediate flush (what a flush does without a batch).
  void FlushNow();
  // The socket took less than we had: write the rest when it has room.
  void WaitForRoom();
  void CountWritten(long n);  // into options_.stats
  void HandleWrite();
  void HandleTimer();
  // After a handler callback: carry out a deferred Abort, else flush.
  void AfterCallback();
  void Flush();
  // Writes as much of output_ as the socket takes; returns bytes written, or
  // what the failing write returned (0 or -1 with errno) if nothing was.
  long WriteSome();
  void AfterOutputChange();
  void UpdateReadInterest();
  void RequestClose(const char* reason);
  void FinishClose();
  void AbortNow(const char* reason);
  void CloseNow(const std::string& reason);
  void TakeCrossThreadOutput();
  void PostCrossThreadFlush();
  void ArmTimer(std::chrono::milliseconds after);

  EventLoop* const loop_;
  int fd_;
  std::unique_ptr<ConnectionHandler> handler_;
  const ConnectionOptions options_;

  // Loop thread only.
  Buffer input_;
  Buffer output_;
  event* read_event_ = nullptr;
  event* write_event_ = nullptr;
  event* timer_event_ = nullptr;
  bool reading_ = false;       // read_event_ added
  bool writing_ = false;       // write_event_ added
  bool read_paused_ = false;   // back-pressure
  bool in_callback_ = false;   // inside OnOpen / OnInput
  bool close_requested_ = false;
  bool abort_requested_ = false;
  bool peer_eof_ = false;
  bool read_queued_ = false;   // in the loop's IoBatch for a read
  bool write_queued_ = false;  // in the loop's IoBatch for a flush
  std::string close_reason_;
  std::chrono::steady_clock::time_point last_input_;
  std::shared_ptr<EventConnection> self_;
  uint64_t destroy_hook_ = 0;  // EventLoop::AddDestroyHook id while open

  std::atomic<State> state_{State::kNew};
  std::atomic<size_t> output_bytes_{0};  // mirror of output_.size()

  // Output from other threads, moved to output_ on the loop thread.
  mutable std::mutex cross_mutex_;
  Buffer cross_output_;               // guarded by cross_mutex_
  bool cross_flush_posted_ = false;   // guarded by cross_mutex_
  std::atomic<size_t> cross_bytes_{0};
};

}  // namespace sock

#endif  // SOCK_EVENT_CONNECTION_H_
