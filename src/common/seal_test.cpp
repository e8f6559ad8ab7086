#include "common/seal.hpp"

#include <gtest/gtest.h>

namespace pe {
namespace {

constexpr std::string_view kHexKey =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

Sealer sealer() { return Sealer::from_key_text(kHexKey).value(); }

TEST(Seal, OpensWhatItSealedWithTheSameAssociatedData) {
  std::string sealed = sealer().seal("00Dxx!secret-token", "job-1");
  EXPECT_EQ(sealed.substr(0, 3), "v1.");
  EXPECT_EQ(sealed.find("secret"), std::string::npos);
  EXPECT_EQ(sealer().open(sealed, "job-1").value(), "00Dxx!secret-token");
}

TEST(Seal, EachSealIsDifferent) {
  EXPECT_NE(sealer().seal("token", "job"), sealer().seal("token", "job"));
}

TEST(Seal, RefusesOtherAssociatedDataOtherKeysAndAlteredText) {
  std::string sealed = sealer().seal("token", "job-1");
  EXPECT_EQ(sealer().open(sealed, "job-2").error().code, Errc::permission_denied);
  auto other = Sealer::from_key_text(std::string(64, 'a')).value();
  EXPECT_EQ(other.open(sealed, "job-1").error().code, Errc::permission_denied);
  std::string altered = sealed;
  altered[10] = altered[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(sealer().open(altered, "job-1").error().code, Errc::permission_denied);
  EXPECT_EQ(sealer().open("v1.", "job-1").error().code, Errc::invalid_argument);
  EXPECT_EQ(sealer().open("token", "job-1").error().code, Errc::invalid_argument);
  EXPECT_EQ(sealer().open("v1.!!", "job-1").error().code, Errc::invalid_argument);
}

TEST(Seal, KeysAreHexOrBase64Of32Bytes) {
  EXPECT_TRUE(Sealer::from_key_text(kHexKey));
  EXPECT_TRUE(Sealer::from_key_text("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
  EXPECT_TRUE(Sealer::from_key_text("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"));
  auto short_key = Sealer::from_key_text("abcd");
  ASSERT_FALSE(short_key);
  EXPECT_EQ(short_key.error().code, Errc::invalid_argument);
  EXPECT_EQ(short_key.error().message.find("abcd"), std::string::npos);
  EXPECT_FALSE(Sealer::from_key_text(""));
  // Same key both ways.
  auto hex = Sealer::from_key_text(kHexKey).value();
  auto b64 = Sealer::from_key_text("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").value();
  EXPECT_EQ(b64.open(hex.seal("x", "a"), "a").value(), "x");
}

}  // namespace
}  // namespace pe
