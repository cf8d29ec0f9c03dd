#include "client/items.h"

#include <stdexcept>
#include <utility>

namespace client {

uint32_t Items::Hash(std::string_view key) {
  uint32_t h = 2166136261u;  // FNV-1a: short keys, no setup cost
  for (char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

bool Items::Matches(const Slot& s, std::string_view key, uint32_t hash) const {
  return s.hash == hash && s.key_size == key.size() &&
         key == std::string_view(bytes_.data() + s.key_offset, s.key_size);
}

Items::const_iterator Items::find(std::string_view key) const {
  const uint32_t h = Hash(key);
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (Matches(slots_[i], key, h)) return {this, i};
  }
  return end();
}

size_t Items::count(std::string_view key) const {
  const uint32_t h = Hash(key);
  size_t n = 0;
  for (const Slot& s : slots_) n += Matches(s, key, h) ? 1 : 0;
  return n;
}

ItemView Items::at(std::string_view key) const {
  const_iterator it = find(key);
  if (it == end()) throw std::out_of_range("client::Items::at: no such key");
  return *it;
}

namespace {
// Reservations stop here: past it the buffer grows as needed (one big value
// must not reserve n of them).
constexpr size_t kMaxGuess = 256 << 10;
constexpr size_t kSmallValueGuess = 48;
}  // namespace

void Items::ExpectHits(size_t n, size_t key_bytes) {
  expected_ = n;
  if (n == 0) return;
  slots_.reserve(slots_.size() + n);
  size_t guess = key_bytes + n * kSmallValueGuess;
  bytes_.reserve(bytes_.size() + (guess < kMaxGuess ? guess : kMaxGuess));
}

void Items::Add(std::string_view key, std::string_view value, uint32_t flags,
                uint64_t cas) {
  if (slots_.empty() && expected_ > 1) {
    // Assume the other hits are about the size of the first (ExpectHits
    // reserved the slots).
    size_t guess = expected_ * (key.size() + value.size()) + (expected_ >> 2) * 16;
    guess = guess < kMaxGuess ? guess : kMaxGuess;
    if (guess > bytes_.capacity()) bytes_.reserve(guess);
  }
  Slot s;
  s.key_offset = bytes_.size();
  s.value_size = static_cast<uint32_t>(value.size());
  s.hash = Hash(key);
  s.flags = flags;
  s.key_size = static_cast<uint32_t>(key.size());
  s.cas = cas;
  bytes_.append(key.data(), key.size());
  bytes_.append(value.data(), value.size());
  slots_.push_back(s);
}

void Items::Append(Items&& other) {
  if (empty()) {
    *this = std::move(other);
    other.clear();
    return;
  }
  const uint64_t shift = bytes_.size();
  bytes_.append(other.bytes_);
  slots_.reserve(slots_.size() + other.slots_.size());
  for (Slot s : other.slots_) {
    s.key_offset += shift;
    slots_.push_back(s);
  }
  other.clear();
}

void Items::clear() {
  bytes_.clear();
  slots_.clear();
}

}  // namespace client
