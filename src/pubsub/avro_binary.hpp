// avro_binary.hpp: the primitives of Avro's binary encoding (specification, "Binary Encoding"):
// int and long as zig-zag varints, float and double as little-endian IEEE 754, bytes and string
// as a long length then the bytes, fixed as raw bytes, boolean as one byte 0 or 1.
//
// BinaryReader never reads past the end of its input and refuses what a correct writer never
// produces: a varint longer than its type allows or with superfluous continuation bytes
// ("overlong"), a value beyond int32 for an int, a boolean byte other than 0 or 1, a negative or
// too long length. So every accepted input has exactly one encoding, which is what lets
// decode(encode(x)) and encode(decode(bytes)) round trip. BinaryWriter appends to a std::string.
//
//   avro::BinaryReader in(payload);
//   auto n = in.read_long();                 // Result<int64_t>
//   auto s = in.read_string();               // Result<std::string_view>, a view into payload
//   std::string out;
//   avro::BinaryWriter(out).write_long(-1);  // out == "\x01"
#pragma once

#include "common/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pe::pubsub::avro {

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view bytes) : data_(bytes) {}

  Result<int64_t> read_long();
  Result<int32_t> read_int();
  Result<bool> read_boolean();
  Result<float> read_float();
  Result<double> read_double();
  // bytes and string: a length, then that many bytes (a view into the input).
  Result<std::string_view> read_bytes();
  Result<std::string_view> read_string() { return read_bytes(); }
  Result<std::string_view> read_fixed(size_t size);

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  // invalid_argument "avro: <problem> at byte <position>".
  Error error(std::string_view problem) const;

 private:
  Result<uint64_t> read_varint(int max_bytes);

  std::string_view data_;
  size_t pos_ = 0;
};

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string& out) : out_(out) {}

  void write_long(int64_t value);
  void write_int(int32_t value) { write_long(value); }
  void write_boolean(bool value) { out_.push_back(value ? '\1' : '\0'); }
  void write_float(float value);
  void write_double(double value);
  void write_bytes(std::string_view bytes);
  void write_string(std::string_view text) { write_bytes(text); }
  void write_fixed(std::string_view bytes) { out_.append(bytes); }

 private:
  std::string& out_;
};

}  // namespace pe::pubsub::avro
