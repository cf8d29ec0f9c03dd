// Acceptor: accepts connections on a listening socket from an EventLoop.
//
// Owns the listening fd. Lives on its loop's thread: construct anywhere, but
// call Listen/Stop and destroy it on the loop thread. Each accepted socket is
// non-blocking and close-on-exec and is handed to the callback, which owns it.
#ifndef SOCK_ACCEPTOR_H_
#define SOCK_ACCEPTOR_H_

#include <functional>
#include <string>

struct event;

namespace sock {

class EventLoop;

class Acceptor {
 public:
  using NewConnectionCallback = std::function<void(int fd)>;

  Acceptor(EventLoop* loop, int listen_fd, NewConnectionCallback callback);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  void Listen();
  // Stops accepting and closes the listening socket. Idempotent.
  void Stop();

 private:
  static void OnAcceptable(int fd, short what, void* arg);
  void HandleAccept();

  EventLoop* const loop_;
  int listen_fd_;
  int spare_fd_;  // closed to accept-and-drop when out of file descriptors
  NewConnectionCallback callback_;
  event* event_ = nullptr;
};

}  // namespace sock

#endif  // SOCK_ACCEPTOR_H_
