#include "memcache/auth_handler.h"

#include <glog/logging.h>

#include <utility>
#include <vector>

namespace memcache {

namespace {

constexpr size_t kMaxLineWithoutNewline = 2048;  // memcached closes past this

// Space-separated tokens, empty ones skipped (memcached's tokenize_command).
std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// A decimal length, optionally followed by the line's '\r' (memcached
// leaves it in the last token and strtoul stops at it).
bool ParseLength(std::string_view token, uint64_t* out) {
  if (!token.empty() && token.back() == '\r') token.remove_suffix(1);
  if (token.empty() || token.size() > 19) return false;
  uint64_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

void Reply(sock::Buffer* out, std::string_view line) {
  out->Append(line);
  out->Append("\r\n");
}

}  // namespace

AuthHandler::AuthHandler(std::shared_ptr<const AuthFile> auth,
                         std::unique_ptr<sock::ConnectionHandler> inner,
                         AuthCounters* counters)
    : auth_(std::move(auth)), inner_(std::move(inner)), counters_(counters) {
  CHECK(auth_ != nullptr);
  CHECK(inner_ != nullptr);
}

void AuthHandler::OnInput(sock::Connection* conn, sock::Buffer* input) {
  if (authenticated_) {
    inner_->OnInput(conn, input);
    return;
  }
  sock::Buffer out;
  Step step = Step::kContinue;
  while (!authenticated_ && !input->empty()) {
    step = Consume(input, &out);
    if (step != Step::kContinue) break;
  }
  if (!out.empty()) conn->Send(&out);
  if (step == Step::kClose) {
    input->Clear();
    conn->Close();
    return;
  }
  // Commands pipelined behind a successful login run at once.
  if (authenticated_ && !input->empty()) inner_->OnInput(conn, input);
}

AuthHandler::Step AuthHandler::Consume(sock::Buffer* input, sock::Buffer* out) {
  if (token_bytes_ == 0) {
    if (input->size() < 2) return Step::kNeedMore;
    size_t newline = input->FindNewline();
    if (newline == sock::Buffer::kNpos) {
      return input->size() > kMaxLineWithoutNewline ? Step::kClose : Step::kNeedMore;
    }
    std::string_view line = input->Peek(newline + 1).substr(0, newline);
    std::vector<std::string_view> tokens = Tokens(line);
    uint64_t length = 0;
    const bool is_auth = tokens.size() >= 5 && tokens[0] == "set" &&
                         ParseLength(tokens[4], &length);
    input->Drain(newline + 1);
    if (!is_auth) {
      Reply(out, "CLIENT_ERROR unauthenticated");
      return Step::kContinue;
    }
    if (length > kMaxTokenBytes) {
      LOG_EVERY_N(WARNING, 100) << "auth: closing a connection that declared a "
                                << length << "-byte token";
      return Step::kClose;
    }
    token_bytes_ = static_cast<size_t>(length) + 2;
  }
  if (input->size() < token_bytes_) return Step::kNeedMore;
  std::string_view block = input->Peek(token_bytes_);
  CheckToken(block, out);
  input->Drain(token_bytes_);
  token_bytes_ = 0;
  return Step::kContinue;
}

void AuthHandler::CheckToken(std::string_view block, sock::Buffer* out) {
  if (block.substr(block.size() - 2) != "\r\n") {
    Reply(out, "CLIENT_ERROR bad command line termination");
    return;
  }
  std::vector<std::string_view> tokens = Tokens(block.substr(0, block.size() - 2));
  if (tokens.size() < 2) {
    Reply(out, "CLIENT_ERROR bad authentication token format");
    return;
  }
  if (counters_ != nullptr) ++counters_->commands;
  if (auth_->Check(tokens[0], tokens[1])) {
    authenticated_ = true;
    Reply(out, "STORED");
    VLOG(1) << "auth: client authenticated as " << tokens[0];
  } else {
    if (counters_ != nullptr) ++counters_->errors;
    LOG_EVERY_N(WARNING, 100) << "auth: authentication failure";
    Reply(out, "CLIENT_ERROR authentication failure");
  }
}

}  // namespace memcache
