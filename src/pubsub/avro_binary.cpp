#include "pubsub/avro_binary.hpp"

#include <bit>
#include <cstring>

namespace pe::pubsub::avro {

static_assert(std::endian::native == std::endian::little,
              "float and double are copied as they sit in memory: little-endian hosts only");

Error BinaryReader::error(std::string_view problem) const {
  return Error{Errc::invalid_argument,
               "avro: " + std::string(problem) + " at byte " + std::to_string(pos_)};
}

// Up to max_bytes groups of 7 bits, least significant first. The last group may not carry bits
// beyond 64 (or 32) and may not be 0 unless it is the only one: one encoding per value.
Result<uint64_t> BinaryReader::read_varint(int max_bytes) {
  uint64_t value = 0;
  const size_t start = pos_;
  for (int i = 0; i < max_bytes; ++i) {
    if (pos_ == data_.size()) {
      pos_ = start;
      return error("truncated varint");
    }
    const auto byte = static_cast<uint8_t>(data_[pos_++]);
    const int shift = 7 * i;
    if (i == max_bytes - 1) {
      // The last group holds the top 64 - 63 = 1 bit of a long, 32 - 28 = 4 bits of an int.
      const int room = (max_bytes == 10 ? 64 : 32) - shift;
      if ((byte & 0x80) || (byte >> room) != 0) {
        pos_ = start;
        return error("varint overflows its type");
      }
    }
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      if (byte == 0 && i > 0) {
        pos_ = start;
        return error("overlong varint");
      }
      return value;
    }
  }
  pos_ = start;
  return error("varint overflows its type");  // not reached: the last byte is checked above
}

Result<int64_t> BinaryReader::read_long() {
  auto raw = read_varint(10);
  if (!raw) return raw.error();
  return static_cast<int64_t>((*raw >> 1) ^ (~(*raw & 1) + 1));
}

Result<int32_t> BinaryReader::read_int() {
  auto raw = read_varint(5);
  if (!raw) return raw.error();
  const auto u = static_cast<uint32_t>(*raw);
  return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
}

Result<bool> BinaryReader::read_boolean() {
  if (pos_ == data_.size()) return error("truncated boolean");
  const auto byte = static_cast<uint8_t>(data_[pos_]);
  if (byte > 1) return error("a boolean must be 0 or 1");
  ++pos_;
  return byte == 1;
}

Result<float> BinaryReader::read_float() {
  if (remaining() < 4) return error("truncated float");
  float value;
  std::memcpy(&value, data_.data() + pos_, 4);
  pos_ += 4;
  return value;
}

Result<double> BinaryReader::read_double() {
  if (remaining() < 8) return error("truncated double");
  double value;
  std::memcpy(&value, data_.data() + pos_, 8);
  pos_ += 8;
  return value;
}

Result<std::string_view> BinaryReader::read_bytes() {
  const size_t start = pos_;
  auto length = read_long();
  if (!length) return length.error();
  if (*length < 0) {
    pos_ = start;
    return error("negative length");
  }
  if (static_cast<uint64_t>(*length) > remaining()) {
    pos_ = start;
    return error("length " + std::to_string(*length) + " past the end");
  }
  auto view = data_.substr(pos_, static_cast<size_t>(*length));
  pos_ += view.size();
  return view;
}

Result<std::string_view> BinaryReader::read_fixed(size_t size) {
  if (size > remaining()) return error("truncated fixed");
  auto view = data_.substr(pos_, size);
  pos_ += size;
  return view;
}

void BinaryWriter::write_long(int64_t value) {
  auto u = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  while (u >= 0x80) {
    out_.push_back(static_cast<char>((u & 0x7f) | 0x80));
    u >>= 7;
  }
  out_.push_back(static_cast<char>(u));
}

void BinaryWriter::write_float(float value) {
  char bytes[4];
  std::memcpy(bytes, &value, 4);
  out_.append(bytes, 4);
}

void BinaryWriter::write_double(double value) {
  char bytes[8];
  std::memcpy(bytes, &value, 8);
  out_.append(bytes, 8);
}

void BinaryWriter::write_bytes(std::string_view bytes) {
  write_long(static_cast<int64_t>(bytes.size()));
  out_.append(bytes);
}

}  // namespace pe::pubsub::avro
