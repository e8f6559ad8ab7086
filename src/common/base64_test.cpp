#include "common/base64.hpp"

#include <gtest/gtest.h>

namespace pe {
namespace {

TEST(Base64, EncodesTheRfcVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");  // Basic auth
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64, DecodesWithOrWithoutPadding) {
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm8"), "fo");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff");
}

TEST(Base64, RefusesWhatNoEncoderWrites) {
  EXPECT_FALSE(base64_decode("Zm9v\nYmFy"));  // a line break: GNU base64 without -w0
  EXPECT_FALSE(base64_decode("Z"));           // no encoding has this length
  EXPECT_FALSE(base64_decode("Zm9=v"));
  EXPECT_FALSE(base64_decode("-_8="));  // url alphabet given to the standard decoder
  EXPECT_FALSE(base64url_decode("+/8"));
  EXPECT_FALSE(base64_decode("Zh=="));  // stray bits after the last byte
}

TEST(Base64, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += char(i);
  for (size_t n = 0; n < all.size(); n += 37) {
    std::string part = all.substr(0, n);
    EXPECT_EQ(base64_decode(base64_encode(part)), part);
    EXPECT_EQ(base64url_decode(base64url_encode(part)), part);
  }
}

}  // namespace
}  // namespace pe
