// string_index.hpp: a small, fast, read-only map from strings to indexes.
//
// The pricing engine looks up a product family for every line it prices, tens of millions of
// times a second. A std::unordered_map<std::string, int> hashes with a general-purpose hash and
// chases a node pointer; this table is built once when rules load, hashes the first and last 8
// bytes and the length, and finds a key in one or two probes of a flat array, comparing keys of
// up to 16 bytes as two words and a length (longer keys add one memcmp of their middle).
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
    const Words w = words(key);
    size_t slot = static_cast<size_t>(hash(w) >> shift_);
    while (true) {
      const Slot& s = slots_[slot];
      if (s.index < 0) return -1;
      // (size, first, last) is the whole key up to 16 bytes; longer keys compare the middle.
      if (s.first == w.first && s.last == w.last && s.size == key.size() &&
          (key.size() <= 16 || same_middle(storage_.data() + s.offset, key))) {
        return s.index;
      }
      slot = (slot + 1) & mask_;
    }
  }

 private:
  // Bytes [8, size - 8) of two keys of the same size > 16: two overlapping words up to 32 bytes
  // (product family names like "Professional Services"), memcmp beyond.
  static bool same_middle(const char* stored, std::string_view key) {
    const size_t n = key.size();
    if (n > 32) return std::memcmp(stored + 8, key.data() + 8, n - 16) == 0;
    uint64_t a1, a2, b1, b2;
    std::memcpy(&a1, stored + 8, 8);
    std::memcpy(&b1, key.data() + 8, 8);
    std::memcpy(&a2, stored + n - 16, 8);
    std::memcpy(&b2, key.data() + n - 16, 8);
    return a1 == b1 && a2 == b2;
  }

  struct Words {
    uint64_t first = 0;
    uint64_t last = 0;
    size_t size = 0;
  };

  // Up to 16 bytes of the key in two words, without reading past its end; for keys of at most
  // 16 bytes, (size, first, last) identifies the key.
  static Words words(std::string_view key) {
    const auto* p = reinterpret_cast<const unsigned char*>(key.data());
    const size_t n = key.size();
    Words w;
    w.size = n;
    if (n >= 8) {
      std::memcpy(&w.first, p, 8);
      std::memcpy(&w.last, p + n - 8, 8);
    } else if (n >= 4) {
      uint32_t lo;
      uint32_t hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      w.first = lo | (static_cast<uint64_t>(hi) << 32);
    } else if (n > 0) {
      w.first =
          p[0] | (static_cast<uint64_t>(p[n / 2]) << 8) | (static_cast<uint64_t>(p[n - 1]) << 16);
    }
    return w;
  }

  static uint64_t hash(const Words& w) {
    uint64_t h = w.first ^ (w.last * 0x9E3779B97F4A7C15ull) ^ (w.size * 0xC2B2AE3D27D4EB4Full);
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 29;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h;
  }

  struct Slot {
    uint64_t first = 0;
    uint64_t last = 0;
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
