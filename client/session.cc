#include "client/session.h"

#include <utility>

#include "client/session_core.h"
#include "sock/event_loop.h"
#include "sock/event_loop_thread.h"

namespace client {

Session::Session(SessionOptions options, sock::EventLoop* loop) {
  if (loop == nullptr) {
    own_loop_ = std::make_unique<sock::EventLoopThread>("mc-session", options.busy_poll,
                                                      options.io_batching);
    loop = own_loop_->Start();
  }
  core_ = std::make_shared<SessionCore>(std::move(options), loop);
  core_->Start(nullptr);
}

Session::~Session() {
  core_->Shutdown();
  if (own_loop_ != nullptr) own_loop_->Stop();
}

void Session::Submit(const Request& request, Callback done) {
  core_->Submit(request, std::move(done));
}

bool Session::connected() const {
  return core_->state() == SessionCore::State::kConnected;
}

std::string Session::last_error() const { return core_->last_error(); }

const SessionOptions& Session::options() const { return core_->options(); }

void Session::Close() { core_->Shutdown(); }

}  // namespace client
