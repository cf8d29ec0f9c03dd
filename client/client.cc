#include "client/client.h"

#include <glog/logging.h>

#include <memory>

#include "client/baton.h"

namespace client {
namespace {

thread_local bool t_callback_thread = false;

}  // namespace

namespace internal {
void MarkCallbackThread() { t_callback_thread = true; }
bool IsCallbackThread() { return t_callback_thread; }
}  // namespace internal

std::future<Result> Client::Async(const Request& request) {
  auto promise = std::make_shared<std::promise<Result>>();
  std::future<Result> future = promise->get_future();
  Submit(request, [promise](Result&& r) { promise->set_value(std::move(r)); });
  return future;
}

Result Client::Call(const Request& request) {
  CHECK(!internal::IsCallbackThread())
      << "blocking Call() on a client loop thread would wait for itself";
  // Lives on this stack frame: the callback captures one pointer, so
  // std::function stores it inline and a blocking call allocates nothing.
  struct Waiter {
    Baton baton;
    Result result;
  } waiter;
  Submit(request, [w = &waiter](Result&& r) {
    w->result = std::move(r);
    w->baton.PostLater();
  });
  waiter.baton.Wait();
  return std::move(waiter.result);
}

}  // namespace client
