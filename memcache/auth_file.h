// AuthFile: the user/password list of memcached's ASCII authentication (-Y),
// in memcached's format: one "user:password" per line, at most 8 entries,
// each line under 256 bytes; a line without ':' makes the file malformed.
//
// Immutable once loaded; shared by every connection (any thread may call
// Check).
#ifndef MEMCACHE_AUTH_FILE_H_
#define MEMCACHE_AUTH_FILE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memcache {

class AuthFile {
 public:
  static constexpr size_t kMaxEntries = 8;     // memcached's MAX_ENTRIES
  static constexpr size_t kMaxLineLength = 256;  // MAX_ENTRY_LEN

  // Reads and parses `path`; null with *error set on failure.
  static std::shared_ptr<const AuthFile> Load(const std::string& path,
                                              std::string* error);
  // Parses file contents; null with *error set when malformed.
  static std::shared_ptr<const AuthFile> Parse(std::string_view contents,
                                               std::string* error);

  // True if (user, pass) is an entry. Compares every entry in full, so the
  // time taken does not depend on where a guess first differs.
  bool Check(std::string_view user, std::string_view pass) const;
  size_t size() const { return entries_.size(); }

 private:
  AuthFile() = default;
  std::vector<std::pair<std::string, std::string>> entries_;
};

}  // namespace memcache

#endif  // MEMCACHE_AUTH_FILE_H_
