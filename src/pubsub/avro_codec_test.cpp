#include "pubsub/avro_codec.hpp"

#include "pubsub/avro_binary.hpp"

#include <gtest/gtest.h>

namespace pe::pubsub::avro {
namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (int b : list) out.push_back(static_cast<char>(b));
  return out;
}

Schema schema(std::string_view json) {
  auto s = Schema::parse(json);
  if (!s) throw std::runtime_error(s.error().message);
  return std::move(*s);
}

// Decodes `wire` and checks it encodes back to the same bytes.
Value round_trip(const Schema& s, const std::string& wire) {
  DecodeStats stats;
  auto v = decode(s, wire, {}, &stats);
  EXPECT_TRUE(v) << v.error().message;
  if (!v) return {};
  EXPECT_TRUE(stats.canonical);
  auto back = encode(s, *v);
  EXPECT_TRUE(back) << back.error().message;
  if (back) {
    EXPECT_EQ(*back, wire);
  }
  return *v;
}

std::string decode_error(const Schema& s, const std::string& wire) {
  auto v = decode(s, wire);
  if (v) return "(decoded)";
  EXPECT_EQ(v.error().code, Errc::invalid_argument);
  return v.error().message;
}

TEST(AvroDecode, Primitives) {
  EXPECT_TRUE(round_trip(schema("\"null\""), "").is_null());
  EXPECT_EQ(round_trip(schema("\"boolean\""), bytes({1})), Value::of(true));
  EXPECT_EQ(round_trip(schema("\"int\""), bytes({0x03})), Value::of(int64_t{-2}));
  EXPECT_EQ(round_trip(schema("\"long\""), bytes({0xd8, 0x04})), Value::of(int64_t{300}));
  EXPECT_EQ(round_trip(schema("\"float\""), bytes({0, 0, 0x80, 0x3f})), Value::of(1.0f));
  EXPECT_EQ(round_trip(schema("\"double\""), bytes({0, 0, 0, 0, 0, 0, 0x04, 0xc0})),
            Value::of(-2.5));
  EXPECT_EQ(round_trip(schema("\"string\""), bytes({0x06, 'f', 'o', 'o'})),
            Value::of(std::string("foo")));
  EXPECT_EQ(round_trip(schema("\"bytes\""), bytes({0x04, 0x00, 0xff})),
            Value::of(std::string("\0\xff", 2)));
  EXPECT_EQ(round_trip(schema(R"({"type":"fixed","name":"F","size":3})"), "abc"),
            Value::of(std::string("abc")));
}

TEST(AvroDecode, RecordsAreTheirFieldsInOrder) {
  auto s = schema(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":"long"},{"name":"b","type":"string"},
      {"name":"inner","type":{"type":"record","name":"I","fields":[{"name":"c","type":"int"}]}}]})");
  // a = 1, b = "x", inner.c = -1
  Value v = round_trip(s, bytes({0x02, 0x02, 'x', 0x01}));
  const auto& fields = std::get<Value::Record>(v.datum).fields;
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0], Value::of(int64_t{1}));
  EXPECT_EQ(fields[1], Value::of(std::string("x")));
  EXPECT_EQ(std::get<Value::Record>(fields[2].datum).fields[0], Value::of(int64_t{-1}));
}

TEST(AvroDecode, EnumsAreTheSymbolIndex) {
  auto s = schema(R"({"type":"enum","name":"E","symbols":["CREATE","UPDATE","DELETE"]})");
  Value v = round_trip(s, bytes({0x04}));
  const auto& e = std::get<Value::Enum>(v.datum);
  EXPECT_EQ(e.index, 2u);
  EXPECT_EQ(e.symbol, "DELETE");
  EXPECT_EQ(decode_error(s, bytes({0x06})),
            "avro: enum index 3 out of range for E (3 symbols) at byte 0");
  EXPECT_EQ(decode_error(s, bytes({0x01})),
            "avro: enum index -1 out of range for E (3 symbols) at byte 0");
  // encode goes by the symbol when there is one.
  EXPECT_EQ(*encode(s, Value::of(Value::Enum{0, "UPDATE"})), bytes({0x02}));
  EXPECT_EQ(encode(s, Value::of(Value::Enum{0, "SNAPSHOT"})).error().message,
            "avro encode: unknown symbol 'SNAPSHOT' for E");
}

TEST(AvroDecode, UnionsAreTheBranchThenTheValue) {
  auto s = schema(R"(["null","string","long"])");
  Value null = round_trip(s, bytes({0x00}));
  EXPECT_TRUE(null.is_null());
  EXPECT_EQ(null.branch, 0);
  Value text = round_trip(s, bytes({0x02, 0x02, 'a'}));
  EXPECT_EQ(text.branch, 1);
  EXPECT_EQ(std::get<std::string>(text.datum), "a");
  Value number = round_trip(s, bytes({0x04, 0x54}));
  EXPECT_EQ(number.branch, 2);
  EXPECT_EQ(std::get<int64_t>(number.datum), 42);
  EXPECT_EQ(decode_error(s, bytes({0x06})),
            "avro: union branch 3 out of range (3 branches) at byte 0");
  EXPECT_EQ(decode_error(s, bytes({0x01})),
            "avro: union branch -1 out of range (3 branches) at byte 0");
  // Without a branch, encode takes the first that fits the value.
  EXPECT_EQ(*encode(s, Value::of(int64_t{42})), bytes({0x04, 0x54}));
  EXPECT_EQ(*encode(s, Value{}), bytes({0x00}));
  EXPECT_EQ(encode(s, Value::of(true)).error().message,
            "avro encode: no union branch fits the value for union");
  EXPECT_EQ(encode(s, Value::of(int64_t{1}, 1)).error().message,
            "avro encode: a value of the wrong kind for string");
}

TEST(AvroDecode, ArraysAndMapsAreBlocks) {
  auto array = schema(R"({"type":"array","items":"long"})");
  EXPECT_EQ(round_trip(array, bytes({0x00})), Value::of(Value::Array{}));
  Value a = round_trip(array, bytes({0x04, 0x02, 0x04, 0x00}));  // [1, 2]
  EXPECT_EQ(std::get<Value::Array>(a.datum).items,
            (std::vector<Value>{Value::of(int64_t{1}), Value::of(int64_t{2})}));
  auto map = schema(R"({"type":"map","values":"string"})");
  Value m = round_trip(map, bytes({0x02, 0x02, 'k', 0x02, 'v', 0x00}));  // {"k": "v"}
  const auto& entries = std::get<Value::Map>(m.datum);
  ASSERT_EQ(entries.keys.size(), 1u);
  EXPECT_EQ(entries.keys[0], "k");
  EXPECT_EQ(entries.values[0], Value::of(std::string("v")));
}

TEST(AvroDecode, ReadsNegativeCountsWithTheirByteSize) {
  auto array = schema(R"({"type":"array","items":"long"})");
  // Block of -2 items in 2 bytes: [1, 2]; then a block of 1: [3]; then the end.
  DecodeStats stats;
  auto v = decode(array, bytes({0x03, 0x04, 0x02, 0x04, 0x02, 0x06, 0x00}), {}, &stats);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(stats.canonical);
  EXPECT_EQ(std::get<Value::Array>(v->datum).items.size(), 3u);
  EXPECT_EQ(*encode(array, *v), bytes({0x06, 0x02, 0x04, 0x06, 0x00}));  // canonical: one block
  // The byte size must be what the block holds.
  EXPECT_EQ(decode_error(array, bytes({0x03, 0x06, 0x02, 0x04, 0x00, 0x00})),
            "avro: block of 3 bytes held 2 at byte 0");
  EXPECT_EQ(decode_error(array, bytes({0x03, 0x40, 0x02, 0x04, 0x00})),
            "avro: block byte size 32 past the end at byte 0");
}

TEST(AvroDecode, RefusesCountsThatCannotFit) {
  auto array = schema(R"({"type":"array","items":"long"})");
  // 2^40 items in 3 bytes: refused before any allocation.
  std::string wire;
  BinaryWriter(wire).write_long(int64_t{1} << 40);
  wire += bytes({0x02, 0x00});
  EXPECT_EQ(decode_error(array, wire),
            "avro: 1099511627776 items cannot fit in the 2 bytes left at byte 0");
  // Items that take no bytes are bounded by max_values instead.
  auto nulls = schema(R"({"type":"array","items":"null"})");
  std::string many;
  BinaryWriter(many).write_long(int64_t{1} << 40);
  many += bytes({0x00});
  EXPECT_EQ(decode_error(nulls, many), "avro: more than 1000000 values at byte 0");
  // Records of nulls too: 400,000 items of 2 fields each make 1,200,000 values.
  auto pairs = schema(R"({"type":"array","items":{"type":"record","name":"P","fields":[
      {"name":"a","type":"null"},{"name":"b","type":"null"}]}})");
  std::string pair_wire;
  BinaryWriter(pair_wire).write_long(400'000);
  pair_wire += bytes({0x00});
  EXPECT_NE(decode_error(pairs, pair_wire).find("more than 1000000 values"), std::string::npos);
  auto v = decode(nulls, bytes({0x06, 0x00}));
  ASSERT_TRUE(v);
  EXPECT_EQ(std::get<Value::Array>(v->datum).items.size(), 3u);
}

TEST(AvroDecode, RefusesMalformedInput) {
  auto s = schema(R"({"type":"record","name":"R","fields":[
      {"name":"ids","type":{"type":"array","items":"string"}},{"name":"n","type":"int"}]})");
  // Truncated inside the second id: the path says where.
  EXPECT_EQ(decode_error(s, bytes({0x04, 0x02, 'a', 0x04, 'b'})),
            "avro: length 2 past the end at byte 3 (in ids[1])");
  EXPECT_EQ(decode_error(s, bytes({0x00})), "avro: truncated varint at byte 1 (in n)");
  EXPECT_EQ(decode_error(s, bytes({0x00, 0x80, 0x80, 0x80, 0x80, 0x80})),
            "avro: varint overflows its type at byte 1 (in n)");
  EXPECT_EQ(decode_error(s, bytes({0x00, 0x02, 0x00})), "avro: 1 bytes after the datum at byte 2");
  EXPECT_EQ(decode_error(schema("\"boolean\""), bytes({0x02})),
            "avro: a boolean must be 0 or 1 at byte 0");
}

TEST(AvroDecode, RefusesDeepNesting) {
  auto list =
      schema(R"({"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]})");
  std::string wire;
  for (int i = 0; i < 100; ++i) wire += bytes({0x02});
  wire += bytes({0x00});
  EXPECT_NE(decode_error(list, wire).find("nested deeper than 64 values"), std::string::npos);
  std::string shallow = bytes({0x02, 0x02, 0x00});
  auto v = round_trip(list, shallow);
  EXPECT_EQ(std::get<Value::Record>(v.datum).fields[0].branch, 1);
}

TEST(AvroEncode, RefusesValuesThatDoNotFit) {
  auto s = schema(R"({"type":"record","name":"R","fields":[{"name":"n","type":"int"}]})");
  EXPECT_EQ(encode(s, Value::of(Value::Record{{Value::of(int64_t{1} << 31)}})).error().message,
            "avro encode: 2147483648 is out of range for int (in n)");
  EXPECT_EQ(encode(s, Value::of(Value::Record{})).error().message,
            "avro encode: 1 fields expected for R");
  EXPECT_EQ(encode(s, Value::of(std::string("x"))).error().message,
            "avro encode: a value of the wrong kind for R");
  auto fixed = schema(R"({"type":"fixed","name":"F","size":2})");
  EXPECT_EQ(encode(fixed, Value::of(std::string("abc"))).error().message,
            "avro encode: a fixed of 2 bytes expected for F");
}

}  // namespace
}  // namespace pe::pubsub::avro
