#include "pricing/string_index.hpp"

#include <stdexcept>

namespace pe::pricing {

StringIndex::StringIndex(const std::vector<std::string>& keys) {
  // At most a quarter full, so nearly every lookup, found or not, is decided by its first slot.
  size_t capacity = 8;
  int bits = 3;
  while (capacity < keys.size() * 4) {
    capacity *= 2;
    ++bits;
  }
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  shift_ = 64 - bits;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string& key = keys[i];
    if (find(key) >= 0) continue;
    if (storage_.size() + key.size() > UINT32_MAX) throw std::length_error("StringIndex too big");
    std::array<char, 16> head{};
    key.copy(head.data(), 16);
    const uint64_t w0 = load(head.data());
    const uint64_t w1 = load(head.data() + 8);
    size_t slot = static_cast<size_t>(hash(w0, w1, key.size()) >> shift_);
    while (slots_[slot].index >= 0) slot = (slot + 1) & mask_;
    slots_[slot] =
        Slot{w0, w1, key.size(), static_cast<int32_t>(i), static_cast<uint32_t>(storage_.size())};
    storage_ += key;
  }
}

}  // namespace pe::pricing
