#include "memcache/prefix_stats.h"

namespace memcache {

PrefixStats::Counts* PrefixStats::Find(std::string_view key) {
  size_t pos = key.find(delimiter_);
  if (pos == std::string_view::npos) return nullptr;
  // memcached stops at a NUL byte as well; keys never contain one here.
  std::string_view prefix = key.substr(0, pos);
  auto it = prefixes_.find(prefix);
  if (it == prefixes_.end()) {
    it = prefixes_.emplace(std::string(prefix), Counts{}).first;
  }
  return &it->second;
}

void PrefixStats::RecordGet(std::string_view key, bool hit) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Counts* c = Find(key)) {
    ++c->gets;
    if (hit) ++c->hits;
  }
}

void PrefixStats::RecordSet(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Counts* c = Find(key)) ++c->sets;
}

void PrefixStats::RecordDelete(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Counts* c = Find(key)) ++c->deletes;
}

std::string PrefixStats::Dump() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [prefix, c] : prefixes_) {
    out += "PREFIX ";
    out += prefix;
    out += " get " + std::to_string(c.gets) + " hit " + std::to_string(c.hits) +
           " set " + std::to_string(c.sets) + " del " +
           std::to_string(c.deletes) + "\r\n";
  }
  out += "END\r\n";
  return out;
}

void PrefixStats::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  prefixes_.clear();
}

}  // namespace memcache
