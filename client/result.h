// Result: what every client operation completes with. Outcomes the protocol
// defines (a miss, NOT_STORED, EXISTS) are statuses, never exceptions; so are
// transport failures, timeouts and error replies.
#ifndef CLIENT_RESULT_H_
#define CLIENT_RESULT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "client/items.h"

namespace client {

enum class Status : uint8_t {
  kOk,
  kNotFound,        // miss, NOT_FOUND, EN, NF
  kNotStored,       // NOT_STORED, NS
  kExists,          // EXISTS, EX (cas mismatch)
  kError,           // the server answered "ERROR" (unknown command)
  kClientError,     // CLIENT_ERROR <message>
  kServerError,     // SERVER_ERROR <message> (e.g. object too large, out of memory)
  kConnectionError, // no connection, connection lost, protocol desync
  kTimeout,         // the request's deadline passed
  kQueueFull,       // the session's bound on outstanding requests was reached
  kInvalidArgument, // rejected before sending (bad key, bad meta flags, ...)
};

const char* StatusName(Status status);

struct Result {
  Status status = Status::kOk;
  // get, gets, gat, gats, mg: the value, its client flags and (gets, gats,
  // mg with c) its cas unique.
  std::string value;
  uint32_t flags = 0;
  uint64_t cas = 0;
  uint64_t number = 0;     // incr, decr, ma with v: the new value
  std::string message;     // version text; error text for error statuses
  std::string meta_flags;  // meta commands: the flags the server returned
  Items items;             // multi-get: the hits, in reply order (client/items.h)
  std::vector<std::pair<std::string, std::string>> stats;  // in server order

  bool ok() const { return status == Status::kOk; }
  // "OK", "NOT_FOUND", "SERVER_ERROR out of memory", ... for logs and tools.
  std::string Describe() const;

  static Result Failure(Status status, std::string message) {
    Result r;
    r.status = status;
    r.message = std::move(message);
    return r;
  }
};

}  // namespace client

#endif  // CLIENT_RESULT_H_
