// string_index.hpp: a small, fast, read-only map from strings to indexes.
//
// The pricing engine looks up a product family for every line it prices, tens of millions of
// times a second. A std::unordered_map<std::string, int> hashes with a general-purpose hash and
// chases a node pointer; this table is built once when rules load and finds a key in one probe
// of a flat array (rarely two): the key's first 16 bytes as two words, zero-padded, and its
// length are both the hash input and, for keys of up to 16 bytes, the whole comparison. Longer
// keys compare the rest of their bytes too. Keys are copied into the index; lookups never
// allocate.
//
// find_padded() is the fastest form, for keys stored with at least 16 readable bytes at their
// start whatever their length: a std::string always is (its buffer holds capacity() + 1 >= 16
// bytes). It loads the two words and masks off the bytes past the key, with no branch on the
// length, so a batch of families of mixed lengths costs no mispredictions.
//
//   StringIndex families({"Hardware", "Software"});
//   families.find("Software");                  // 1
//   families.find("Nope");                      // -1
//   families.find_padded(s.data(), s.size());   // s: a std::string
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace pe::pricing {
namespace detail {

// Masks that keep the first n of 16 bytes (in memory order, whatever the byte order): entry n
// is the pair of words to AND with the two words loaded at a key of n bytes.
using KeyMasks = std::array<std::array<uint64_t, 2>, 17>;
constexpr KeyMasks make_key_masks() {
  KeyMasks out{};
  for (size_t n = 0; n <= 16; ++n) {
    std::array<unsigned char, 8> lo{};
    std::array<unsigned char, 8> hi{};
    for (size_t i = 0; i < 8; ++i) {
      lo[i] = i < n ? 0xFF : 0;
      hi[i] = 8 + i < n ? 0xFF : 0;
    }
    out[n] = {std::bit_cast<uint64_t>(lo), std::bit_cast<uint64_t>(hi)};
  }
  return out;
}

}  // namespace detail

class StringIndex {
 public:
  StringIndex() = default;
  // Keys get indexes 0, 1, ... in order; a repeated key keeps its first index.
  explicit StringIndex(const std::vector<std::string>& keys);

  // The index of key, or -1.
  int find(std::string_view key) const {
    std::array<char, 16> head{};
    if (!key.empty()) std::memcpy(head.data(), key.data(), key.size() < 16 ? key.size() : 16);
    return find_words(load(head.data()), load(head.data() + 8), key);
  }

  // The same, for a key with at least 16 readable bytes at `data` (any std::string's data()).
  int find_padded(const char* data, size_t size) const { return view().find_padded(data, size); }

 private:
  struct Slot;

 public:
  // The table's few words by value, for a loop that looks up many keys: kept in registers
  // instead of being reloaded from the index on every lookup. Valid while the index lives.
  class View {
   public:
    int find_padded(const char* data, size_t size) const {
      const auto& mask = kMasks[size < 16 ? size : 16];
      return find_words(load(data) & mask[0], load(data + 8) & mask[1], {data, size});
    }

    // The same for the key with its ASCII letters lower-cased (A-Z only, as
    // normalize_country() does), for keys of at most 16 bytes: the letters are folded in the
    // two words at once.
    int find_lowercase_padded(const char* data, size_t size) const {
      const auto& mask = kMasks[size < 16 ? size : 16];
      return find_words(lowercase(load(data) & mask[0]), lowercase(load(data + 8) & mask[1]),
                        {data, size});
    }

   private:
    friend class StringIndex;
    View(const Slot* slots, const char* storage, size_t mask, int shift)
        : slots_(slots), storage_(storage), mask_(mask), shift_(shift) {}
    int find_words(uint64_t w0, uint64_t w1, std::string_view key) const;

    const Slot* slots_;
    const char* storage_;
    size_t mask_;
    int shift_;
  };
  View view() const { return View(slots_.data(), storage_.data(), mask_, shift_); }

 private:
  static uint64_t load(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }

  static constexpr detail::KeyMasks kMasks = detail::make_key_masks();

  // A-Z to a-z in each byte of w, other bytes unchanged (those >= 0x80 included): per byte,
  // the top bit of `upper` is set when the byte is from 'A' to 'Z', computed with no carry
  // between bytes, and moved to 0x20.
  static uint64_t lowercase(uint64_t w) {
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    const uint64_t low7 = w & (0x7F * kOnes);
    const uint64_t above_z = low7 + (0x7F - 'Z') * kOnes;  // top bit: byte > 'Z'
    const uint64_t from_a = low7 + (0x80 - 'A') * kOnes;   // top bit: byte >= 'A'
    const uint64_t upper = from_a & ~above_z & ~w & (0x80 * kOnes);
    return w | (upper >> 2);
  }

  // One multiplication: the top bits of the product depend on every bit of the input.
  static uint64_t hash(uint64_t w0, uint64_t w1, size_t size) {
    return (w0 ^ std::rotl(w1, 29) ^ size) * 0x9E3779B97F4A7C15ull;
  }

  int find_words(uint64_t w0, uint64_t w1, std::string_view key) const {
    return view().find_words(w0, w1, key);
  }

  struct Slot {                  // 32 bytes: two to a cache line
    uint64_t w0 = 0;             // bytes 0 to 7 of the key, zero-padded
    uint64_t w1 = 0;             // bytes 8 to 15
    uint64_t size = UINT64_MAX;  // no key has this length: an empty slot matches nothing
    int32_t index = -1;
    uint32_t offset = 0;  // of the key in storage_, for keys over 16 bytes
  };

  // Never empty (at least 8 slots), so a lookup needs no test for an empty index.
  std::vector<Slot> slots_ = std::vector<Slot>(8);
  std::string storage_;
  size_t mask_ = 7;
  int shift_ = 61;
};

inline int StringIndex::View::find_words(uint64_t w0, uint64_t w1, std::string_view key) const {
  size_t slot = static_cast<size_t>(hash(w0, w1, key.size()) >> shift_);
  while (true) {
    const Slot& s = slots_[slot];
    if (((s.w0 ^ w0) | (s.w1 ^ w1) | (s.size ^ key.size())) == 0) {
      // The first 16 bytes and the length match: that is the whole key up to 16 bytes.
      if (key.size() <= 16 ||
          std::memcmp(storage_ + s.offset + 16, key.data() + 16, key.size() - 16) == 0) {
        return s.index;
      }
    } else if (s.index < 0) {
      return -1;
    }
    slot = (slot + 1) & mask_;
  }
}

}  // namespace pe::pricing
