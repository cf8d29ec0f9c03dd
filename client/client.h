// Client: the interface Session (one server) and Cluster (many servers,
// ketama) share, plus the future-based and blocking layers built on it.
//
// The core is callback based: Submit(request, done) encodes the request and
// queues it; `done` runs exactly once with the Result, on the client's
// event-loop thread (or on the calling thread when the request fails before
// being queued: invalid argument, queue full, no connection). Callbacks must
// be quick and must not block on other requests of the same client; they may
// Submit more requests.
//
// Async() wraps Submit in a std::future; Call() and the named helpers below
// block the calling thread until the result arrives (never call them from a
// completion callback: that would wait on its own loop thread).
//
// Thread-safety: every method may be called from any number of threads at
// once. Requests from one thread to one server are sent and answered in the
// order submitted.
#ifndef CLIENT_CLIENT_H_
#define CLIENT_CLIENT_H_

#include <functional>
#include <future>
#include <string_view>
#include <vector>

#include "client/request.h"
#include "client/result.h"

namespace client {

namespace internal {
// Marks the calling thread as one that runs completion callbacks (a client
// event-loop thread), so Call() there fails loudly instead of deadlocking.
void MarkCallbackThread();
bool IsCallbackThread();
}  // namespace internal

class Client {
 public:
  using Callback = std::function<void(Result&&)>;

  virtual ~Client() = default;

  virtual void Submit(const Request& request, Callback done) = 0;

  std::future<Result> Async(const Request& request);
  Result Call(const Request& request);

  // Blocking helpers, one per operation (each is Call(Request::X(...))).
  Result Get(std::string_view key) { return Call(Request::Get(key)); }
  Result Gets(std::string_view key) { return Call(Request::Gets(key)); }
  Result Gat(int64_t exptime, std::string_view key) { return Call(Request::Gat(exptime, key)); }
  Result Gats(int64_t exptime, std::string_view key) { return Call(Request::Gats(exptime, key)); }
  // Hits land in Result::items; status kOk even when nothing was found.
  Result MultiGet(std::vector<std::string_view> keys) {
    return Call(Request::MultiGet(std::move(keys)));
  }
  Result MultiGets(std::vector<std::string_view> keys) {
    return Call(Request::MultiGets(std::move(keys)));
  }
  // gat/gats of several keys: hits in Result::items, each touched to exptime.
  Result MultiGat(int64_t exptime, std::vector<std::string_view> keys) {
    return Call(Request::MultiGat(exptime, std::move(keys)));
  }
  Result MultiGats(int64_t exptime, std::vector<std::string_view> keys) {
    return Call(Request::MultiGats(exptime, std::move(keys)));
  }
  Result Set(std::string_view key, std::string_view value, uint32_t flags = 0,
             int64_t exptime = 0) {
    return Call(Request::Set(key, value, flags, exptime));
  }
  Result Add(std::string_view key, std::string_view value, uint32_t flags = 0,
             int64_t exptime = 0) {
    return Call(Request::Add(key, value, flags, exptime));
  }
  Result Replace(std::string_view key, std::string_view value, uint32_t flags = 0,
                 int64_t exptime = 0) {
    return Call(Request::Replace(key, value, flags, exptime));
  }
  Result Append(std::string_view key, std::string_view value) {
    return Call(Request::Append(key, value));
  }
  Result Prepend(std::string_view key, std::string_view value) {
    return Call(Request::Prepend(key, value));
  }
  Result Cas(std::string_view key, std::string_view value, uint64_t cas,
             uint32_t flags = 0, int64_t exptime = 0) {
    return Call(Request::Cas(key, value, cas, flags, exptime));
  }
  Result Delete(std::string_view key) { return Call(Request::Delete(key)); }
  Result Incr(std::string_view key, uint64_t delta) { return Call(Request::Incr(key, delta)); }
  Result Decr(std::string_view key, uint64_t delta) { return Call(Request::Decr(key, delta)); }
  Result Touch(std::string_view key, int64_t exptime) {
    return Call(Request::Touch(key, exptime));
  }
  Result FlushAll() { return Call(Request::FlushAll()); }
  Result Version() { return Call(Request::Version()); }
  Result Stats(std::string_view sub = {}) { return Call(Request::Stats(sub)); }
  Result MetaGet(std::string_view key, std::string_view flags = "v") {
    return Call(Request::MetaGet(key, flags));
  }
  Result MetaSet(std::string_view key, std::string_view value, std::string_view flags = {}) {
    return Call(Request::MetaSet(key, value, flags));
  }
  Result MetaDelete(std::string_view key, std::string_view flags = {}) {
    return Call(Request::MetaDelete(key, flags));
  }
  Result MetaArithmetic(std::string_view key, std::string_view flags = "v") {
    return Call(Request::MetaArithmetic(key, flags));
  }
  Result MetaNoop() { return Call(Request::MetaNoop()); }
};

}  // namespace client

#endif  // CLIENT_CLIENT_H_
