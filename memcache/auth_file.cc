#include "memcache/auth_file.h"

#include <fstream>
#include <sstream>

namespace memcache {

namespace {

// Equal without an early exit (memcached's safe_memcmp).
bool SafeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

std::shared_ptr<const AuthFile> AuthFile::Load(const std::string& path,
                                               std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "could not open auth file " + path;
    return nullptr;
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  auto file = Parse(contents.str(), error);
  if (file == nullptr) *error = "auth file " + path + ": " + *error;
  return file;
}

std::shared_ptr<const AuthFile> AuthFile::Parse(std::string_view contents,
                                                std::string* error) {
  std::shared_ptr<AuthFile> file(new AuthFile());
  size_t pos = 0;
  while (pos < contents.size() && file->entries_.size() < kMaxEntries) {
    size_t end = contents.find('\n', pos);
    std::string_view line = contents.substr(
        pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? contents.size() : end + 1;
    if (line.size() >= kMaxLineLength) {
      *error = "line longer than " + std::to_string(kMaxLineLength - 1) + " bytes";
      return nullptr;
    }
    size_t colon = line.find(':');
    // A NUL ends the line for memcached's C string scan.
    size_t nul = line.find('\0');
    if (colon == std::string_view::npos || (nul != std::string_view::npos && nul < colon)) {
      *error = "malformed entry, should be 'user:password'";
      return nullptr;
    }
    std::string_view pass = line.substr(colon + 1);
    size_t pass_end = pass.find_first_of(std::string_view("\r\0", 2));
    if (pass_end != std::string_view::npos) pass = pass.substr(0, pass_end);
    file->entries_.emplace_back(std::string(line.substr(0, colon)), std::string(pass));
  }
  return file;
}

bool AuthFile::Check(std::string_view user, std::string_view pass) const {
  bool match = false;
  for (const auto& [u, p] : entries_) {
    bool user_ok = SafeEqual(user, u);
    bool pass_ok = SafeEqual(pass, p);
    match |= user_ok && pass_ok;
  }
  return match;
}

}  // namespace memcache
