#include "client/result.h"

namespace client {

const char* StatusName(Status status) {
  switch (status) {
    case Status::kOk: return "OK";
    case Status::kNotFound: return "NOT_FOUND";
    case Status::kNotStored: return "NOT_STORED";
    case Status::kExists: return "EXISTS";
    case Status::kError: return "ERROR";
    case Status::kClientError: return "CLIENT_ERROR";
    case Status::kServerError: return "SERVER_ERROR";
    case Status::kConnectionError: return "CONNECTION_ERROR";
    case Status::kTimeout: return "TIMEOUT";
    case Status::kQueueFull: return "QUEUE_FULL";
    case Status::kInvalidArgument: return "INVALID_ARGUMENT";
  }
  return "?";
}

std::string Result::Describe() const {
  std::string s = StatusName(status);
  if (status != Status::kOk && !message.empty()) {
    s += ' ';
    s += message;
  }
  return s;
}

}  // namespace client
