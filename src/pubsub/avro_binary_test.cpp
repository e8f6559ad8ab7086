#include "pubsub/avro_binary.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace pe::pubsub::avro {
namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (int b : list) out.push_back(static_cast<char>(b));
  return out;
}

std::string long_bytes(int64_t v) {
  std::string out;
  BinaryWriter(out).write_long(v);
  return out;
}

// The specification's table of zig-zag examples, and the extremes.
TEST(AvroBinary, LongsAreZigZagVarints) {
  EXPECT_EQ(long_bytes(0), bytes({0x00}));
  EXPECT_EQ(long_bytes(-1), bytes({0x01}));
  EXPECT_EQ(long_bytes(1), bytes({0x02}));
  EXPECT_EQ(long_bytes(-2), bytes({0x03}));
  EXPECT_EQ(long_bytes(2), bytes({0x04}));
  EXPECT_EQ(long_bytes(-64), bytes({0x7f}));
  EXPECT_EQ(long_bytes(64), bytes({0x80, 0x01}));
  EXPECT_EQ(long_bytes(300), bytes({0xd8, 0x04}));
  EXPECT_EQ(long_bytes(std::numeric_limits<int64_t>::max()),
            bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  EXPECT_EQ(long_bytes(std::numeric_limits<int64_t>::min()),
            bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-65}, int64_t{1} << 40,
                    int64_t{1736877279422521345}, std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min()}) {
    std::string b = long_bytes(v);
    BinaryReader in(b);
    auto back = in.read_long();
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, v);
    EXPECT_TRUE(in.at_end());
  }
}

TEST(AvroBinary, IntsStopAtThirtyTwoBits) {
  std::string max = bytes({0xfe, 0xff, 0xff, 0xff, 0x0f});
  auto v = BinaryReader(max).read_int();
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, std::numeric_limits<int32_t>::max());
  std::string min = bytes({0xff, 0xff, 0xff, 0xff, 0x0f});
  EXPECT_EQ(*BinaryReader(min).read_int(), std::numeric_limits<int32_t>::min());
  // 2^31 as a long is fine, as an int it overflows.
  std::string big = long_bytes(int64_t{1} << 31);
  EXPECT_EQ(*BinaryReader(big).read_long(), int64_t{1} << 31);
  auto overflow = BinaryReader(big).read_int();
  ASSERT_FALSE(overflow);
  EXPECT_EQ(overflow.error().message, "avro: varint overflows its type at byte 0");
}

TEST(AvroBinary, RefusesMalformedVarints) {
  std::string truncated = bytes({0x80, 0x80});
  auto t = BinaryReader(truncated).read_long();
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::invalid_argument);
  EXPECT_EQ(t.error().message, "avro: truncated varint at byte 0");
  EXPECT_FALSE(BinaryReader("").read_long());
  // Eleven bytes, or ten whose last carries more than bit 63.
  std::string eleven = bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00});
  EXPECT_EQ(BinaryReader(eleven).read_long().error().message,
            "avro: varint overflows its type at byte 0");
  std::string wide = bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02});
  EXPECT_FALSE(BinaryReader(wide).read_long());
  // 0 written in two bytes: a second encoding of the same value.
  std::string overlong = bytes({0x80, 0x00});
  EXPECT_EQ(BinaryReader(overlong).read_long().error().message, "avro: overlong varint at byte 0");
}

TEST(AvroBinary, FloatsAndDoublesAreLittleEndian) {
  std::string out;
  BinaryWriter w(out);
  w.write_float(1.0f);
  w.write_double(-2.5);
  EXPECT_EQ(out, bytes({0x00, 0x00, 0x80, 0x3f, 0, 0, 0, 0, 0, 0, 0x04, 0xc0}));
  BinaryReader in(out);
  EXPECT_EQ(*in.read_float(), 1.0f);
  EXPECT_EQ(*in.read_double(), -2.5);
  EXPECT_TRUE(in.at_end());
  EXPECT_EQ(BinaryReader("abc").read_float().error().message, "avro: truncated float at byte 0");
  EXPECT_FALSE(BinaryReader("1234567").read_double());
}

TEST(AvroBinary, BooleansAreOneByteZeroOrOne) {
  std::string out;
  BinaryWriter(out).write_boolean(true);
  BinaryWriter(out).write_boolean(false);
  EXPECT_EQ(out, bytes({1, 0}));
  BinaryReader in(out);
  EXPECT_TRUE(*in.read_boolean());
  EXPECT_FALSE(*in.read_boolean());
  EXPECT_FALSE(in.read_boolean());  // at the end
  std::string two = bytes({2});
  EXPECT_EQ(BinaryReader(two).read_boolean().error().message,
            "avro: a boolean must be 0 or 1 at byte 0");
}

TEST(AvroBinary, StringsAreALengthThenTheBytes) {
  std::string out;
  BinaryWriter(out).write_string("foo");
  EXPECT_EQ(out, bytes({0x06, 'f', 'o', 'o'}));
  BinaryReader in(out);
  EXPECT_EQ(*in.read_string(), "foo");
  EXPECT_TRUE(in.at_end());
  std::string past = bytes({0x08, 'f', 'o', 'o'});
  BinaryReader p(past);
  EXPECT_EQ(p.read_bytes().error().message, "avro: length 4 past the end at byte 0");
  EXPECT_EQ(p.position(), 0u);  // nothing consumed
  std::string negative = bytes({0x01});
  EXPECT_EQ(BinaryReader(negative).read_bytes().error().message, "avro: negative length at byte 0");
  // A length of 2^62: an error, not an allocation.
  std::string huge = long_bytes(int64_t{1} << 62) + "x";
  EXPECT_FALSE(BinaryReader(huge).read_bytes());
  EXPECT_EQ(*BinaryReader("abcd").read_fixed(3), "abc");
  EXPECT_FALSE(BinaryReader("ab").read_fixed(3));
}

}  // namespace
}  // namespace pe::pubsub::avro
