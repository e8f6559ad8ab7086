// string_index.hpp: a small, fast, read-only map from strings to indexes.
//
// The pricing engine looks up a product family for every line it prices, tens of millions of
// times a second. A std::unordered_map<std::string, int> hashes with a general-purpose hash and
// chases a node pointer; this table is built once when rules load, hashes the first and last 8
// bytes and the length, and finds a key in one or two probes of a flat array with one memcmp.
// Keys are copied into the index; lookups take any string_view and never allocate.
//
//   StringIndex families({"Hardware", "Software"});
//   families.find("Software");   // 1
//   families.find("Nope");       // -1
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace pe::pricing {

class StringIndex {
 public:
  StringIndex() = default;
  // Keys get indexes 0, 1, ... in order; a repeated key keeps its first index.
  explicit StringIndex(const std::vector<std::string>& keys);

  // The index of key, or -1.
  int find(std::string_view key) const {
    if (slots_.empty()) return -1;
    const uint64_t h = hash(key);
    size_t slot = static_cast<size_t>(h >> shift_);
    while (true) {
      const Slot& s = slots_[slot];
      if (s.index < 0) return -1;
      if (s.hash == h && s.size == key.size() &&
          std::memcmp(storage_.data() + s.offset, key.data(), key.size()) == 0) {
        return s.index;
      }
      slot = (slot + 1) & mask_;
    }
  }

  static uint64_t hash(std::string_view key) {
    const size_t n = key.size();
    uint64_t a = 0;
    uint64_t b = 0;
    if (n >= 8) {
      std::memcpy(&a, key.data(), 8);
      std::memcpy(&b, key.data() + n - 8, 8);
    } else if (n > 0) {
      std::memcpy(&a, key.data(), n);
    }
    uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ (n * 0xC2B2AE3D27D4EB4Full));
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 29;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h | 1;  // never 0, and the top bits pick the slot
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t offset = 0;
    uint32_t size = 0;
    int32_t index = -1;
  };
  std::vector<Slot> slots_;
  std::string storage_;
  size_t mask_ = 0;
  int shift_ = 64;
};

}  // namespace pe::pricing
