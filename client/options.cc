#include "client/options.h"

#include <cstdlib>

namespace client {
namespace {

bool ParseNumber(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return false;
  *out = v;
  return true;
}

}  // namespace

std::string ServerAddress::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool ParseServerAddress(std::string_view text, ServerAddress* out, std::string* error) {
  ServerAddress a;
  std::string_view rest;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      *error = "bad server address '" + std::string(text) + "'";
      return false;
    }
    a.host = std::string(text.substr(1, close - 1));
    rest = text.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') {
      *error = "bad server address '" + std::string(text) + "'";
      return false;
    }
    if (!rest.empty()) rest.remove_prefix(1);
  } else {
    size_t colon = text.find(':');
    a.host = std::string(text.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  }
  if (a.host.empty()) {
    *error = "bad server address '" + std::string(text) + "': empty host";
    return false;
  }
  if (!rest.empty()) {
    size_t colon = rest.find(':');
    uint64_t port = 0;
    if (!ParseNumber(rest.substr(0, colon), 65535, &port) || port == 0) {
      *error = "bad port in '" + std::string(text) + "'";
      return false;
    }
    a.port = static_cast<uint16_t>(port);
    if (colon != std::string_view::npos) {
      uint64_t weight = 0;
      if (!ParseNumber(rest.substr(colon + 1), UINT32_MAX, &weight) || weight == 0) {
        *error = "bad weight in '" + std::string(text) + "'";
        return false;
      }
      a.weight = static_cast<uint32_t>(weight);
    }
  }
  *out = std::move(a);
  return true;
}

bool ParseServerList(std::string_view text, std::vector<ServerAddress>* out,
                     std::string* error) {
  out->clear();
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find_first_of(", ", i);
    if (end == std::string_view::npos) end = text.size();
    if (end > i) {
      ServerAddress a;
      if (!ParseServerAddress(text.substr(i, end - i), &a, error)) return false;
      out->push_back(std::move(a));
    }
    i = end + 1;
  }
  if (out->empty()) {
    *error = "no servers given";
    return false;
  }
  return true;
}

}  // namespace client
