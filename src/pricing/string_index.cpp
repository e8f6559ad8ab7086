#include "pricing/string_index.hpp"

#include <stdexcept>

namespace pe::pricing {

StringIndex::StringIndex(const std::vector<std::string>& keys) {
  // At most half full, so probes stay short.
  size_t capacity = 8;
  int bits = 3;
  while (capacity < keys.size() * 2) {
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
    const Words w = words(key);
    size_t slot = static_cast<size_t>(hash(w) >> shift_);
    while (slots_[slot].index >= 0) slot = (slot + 1) & mask_;
    slots_[slot] = Slot{w.first, w.last, static_cast<uint32_t>(storage_.size()),
                        static_cast<uint32_t>(key.size()), static_cast<int32_t>(i)};
    storage_ += key;
  }
}

}  // namespace pe::pricing
