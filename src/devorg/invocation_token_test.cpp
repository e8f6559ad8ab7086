#include "devorg/invocation_token.hpp"

#include "common/base64.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pe::devorg {
namespace {

namespace json = boost::json;

const InvocationClaims kExpected{.org_id = "00D000000000001AAA",
                                 .org_domain_url = "http://127.0.0.1:8111",
                                 .app_uuid = "6f1c3b8e-1d2a-4c55-9a0b-0123456789ab",
                                 .request_id = "",
                                 .exp = 0};
constexpr int64_t kNow = 1'700'000'000;

InvocationClaims claims(int64_t exp = kNow + 300) {
  InvocationClaims c = kExpected;
  c.request_id = "AbCdEfGhIjKlMnOpQrStUvWx";
  c.exp = exp;
  return c;
}

std::string refusal(const Result<InvocationClaims>& r) {
  EXPECT_FALSE(r);
  if (r) return "";
  EXPECT_EQ(r.error().code, Errc::permission_denied);
  return r.error().message;
}

TEST(Base64Url, RoundTripsEveryLengthAndRefusesOtherAlphabets) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    auto encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(base64url_decode(encoded), bytes);
    bytes.push_back(static_cast<char>(i * 37 + 250));
  }
  EXPECT_EQ(base64url_encode("{\"a\":1}"), "eyJhIjoxfQ");
  EXPECT_FALSE(base64url_decode("ab+/"));
  EXPECT_FALSE(base64url_decode("a"));
  EXPECT_FALSE(base64url_decode("eyJhIjoxfR"));  // non-zero trailing bits: not canonical
}

TEST(InvocationSigner, VerifiesWhatItMinted) {
  InvocationSigner signer("org secret");
  std::string token = signer.mint(claims());
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 1);
  // The payload is readable (base64url JSON), as the contract says.
  auto payload = base64url_decode(token.substr(0, token.find('.')));
  ASSERT_TRUE(payload);
  auto doc = json::parse(*payload).as_object();
  EXPECT_EQ(doc.at("org_id").as_string(), kExpected.org_id);
  EXPECT_EQ(doc.at("org_domain_url").as_string(), kExpected.org_domain_url);
  EXPECT_EQ(doc.at("app_uuid").as_string(), kExpected.app_uuid);
  EXPECT_EQ(doc.at("request_id"), "AbCdEfGhIjKlMnOpQrStUvWx");
  EXPECT_EQ(doc.at("exp"), kNow + 300);

  auto verified = signer.verify(token, kExpected, kNow);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->request_id, "AbCdEfGhIjKlMnOpQrStUvWx");
  EXPECT_EQ(verified->exp, kNow + 300);
}

TEST(InvocationSigner, RefusesForgedTokens) {
  InvocationSigner signer("org secret");
  std::string token = signer.mint(claims());
  const std::string not_ours = "the token was not issued by this org";
  // Another org's secret.
  EXPECT_EQ(refusal(InvocationSigner("other secret").verify(token, kExpected, kNow)), not_ours);
  // A payload changed after signing (a later expiry), signature kept.
  std::string later = base64url_encode(
      R"({"org_id":"00D000000000001AAA","org_domain_url":"http://127.0.0.1:8111",)"
      R"("app_uuid":"6f1c3b8e-1d2a-4c55-9a0b-0123456789ab","request_id":"x","exp":9999999999})");
  EXPECT_EQ(refusal(signer.verify(later + token.substr(token.find('.')), kExpected, kNow)),
            not_ours);
  // A flipped signature character, no signature, garbage, empty, huge.
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(refusal(signer.verify(flipped, kExpected, kNow)), not_ours);
  EXPECT_EQ(refusal(signer.verify(token.substr(0, token.find('.') + 1), kExpected, kNow)),
            not_ours);
  EXPECT_EQ(refusal(signer.verify(token.substr(0, token.find('.')), kExpected, kNow)), not_ours);
  EXPECT_EQ(refusal(signer.verify("not a token at all", kExpected, kNow)), not_ours);
  EXPECT_EQ(refusal(signer.verify("", kExpected, kNow)), not_ours);
  EXPECT_EQ(refusal(signer.verify(std::string(10000, 'a') + ".b", kExpected, kNow)), not_ours);
}

TEST(InvocationSigner, RefusesExpiredTokens) {
  InvocationSigner signer("org secret");
  EXPECT_EQ(refusal(signer.verify(signer.mint(claims(kNow)), kExpected, kNow)),
            "the token has expired");
  EXPECT_EQ(refusal(signer.verify(signer.mint(claims(kNow - 1)), kExpected, kNow)),
            "the token has expired");
  EXPECT_TRUE(signer.verify(signer.mint(claims(kNow + 1)), kExpected, kNow));
}

TEST(InvocationSigner, RefusesATokenPresentedForAnotherOrgUrlOrApp) {
  InvocationSigner signer("org secret");
  std::string token = signer.mint(claims());
  InvocationClaims other_org = kExpected;
  other_org.org_id = "00D000000000002AAA";
  EXPECT_EQ(refusal(signer.verify(token, other_org, kNow)), "the token was issued for another org");
  InvocationClaims other_url = kExpected;
  other_url.org_domain_url = "https://evil.example.com";
  EXPECT_EQ(refusal(signer.verify(token, other_url, kNow)),
            "the token was issued for another org URL");
  InvocationClaims other_app = kExpected;
  other_app.app_uuid = "00000000-0000-0000-0000-000000000000";
  EXPECT_EQ(refusal(signer.verify(token, other_app, kNow)), "the token was issued for another app");
}

TEST(InvocationSigner, RandomSecretsDiffer) {
  auto a = InvocationSigner::with_random_secret();
  auto b = InvocationSigner::with_random_secret();
  EXPECT_TRUE(a.verify(a.mint(claims()), kExpected, kNow));
  EXPECT_FALSE(b.verify(a.mint(claims()), kExpected, kNow));
}

}  // namespace
}  // namespace pe::devorg
