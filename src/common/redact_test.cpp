#include "common/redact.hpp"

#include <gtest/gtest.h>

namespace pe {
namespace {

TEST(Redact, BearerAndBasicCredentials) {
  EXPECT_EQ(redact("Authorization: Bearer abc.def-123"), "Authorization: Bearer [REDACTED]");
  EXPECT_EQ(redact("authorization: bearer abc"), "authorization: bearer [REDACTED]");
  EXPECT_EQ(redact("Basic dXNlcjpwYXNz"), "Basic [REDACTED]");
  EXPECT_EQ(redact("x Bearer y z"), "x Bearer [REDACTED] z");
}

TEST(Redact, PasswordsInUrls) {
  EXPECT_EQ(redact("redis://user:hunter2@host:6379/0"), "redis://user:[REDACTED]@host:6379/0");
  EXPECT_EQ(redact("rediss://:p4ss@ec2.example.com:12345"),
            "rediss://:[REDACTED]@ec2.example.com:12345");
  EXPECT_EQ(redact("url=https://u:p@events.example.com/x next"),
            "url=https://u:[REDACTED]@events.example.com/x next");
  // A user without a password and URLs without credentials stay as they are.
  EXPECT_EQ(redact("https://user@host/path"), "https://user@host/path");
  EXPECT_EQ(redact("http://127.0.0.1:8080/healthz"), "http://127.0.0.1:8080/healthz");
}

TEST(Redact, SalesforceSessionIds) {
  EXPECT_EQ(redact("token 00D5e000000abcd!AQ4AQFzH1nIaBc.dEf_gh rest"), "token [REDACTED] rest");
  EXPECT_EQ(redact("00D5e000000abcdEAA!AR8AQJXg5aBcDeFg"), "[REDACTED]");
  // An org id alone is not a secret.
  EXPECT_EQ(redact("org 00D5e000000abcdEAA"), "org 00D5e000000abcdEAA");
}

TEST(Redact, JwtsAndBase64Json) {
  // An invocation's auth token (base64url payload . signature) and a JWT.
  EXPECT_EQ(redact("auth eyJvcmdfaWQiOiIwMEQifQ.c2lnbmF0dXJlLWJ5dGVz-_ end"),
            "auth [REDACTED] end");
  EXPECT_EQ(redact("jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc"), "jwt=[REDACTED]");
  // A header value: base64 of a JSON object.
  EXPECT_EQ(redact("x-request-context: eyJpZCI6IjEyMyIsImF1dGgiOiJ4In0="),
            "x-request-context: [REDACTED]");
  // Short, or inside a word: not a token.
  EXPECT_EQ(redact("eyJ short"), "eyJ short");
  EXPECT_EQ(redact("keyJabcdefghijklmnopqrstuvwxyz"), "keyJabcdefghijklmnopqrstuvwxyz");
}

TEST(Redact, SensitiveKeysInTextAndJson) {
  EXPECT_EQ(redact(R"({"accessToken":"abc","orgId":"00D"})"),
            R"({"accessToken":"[REDACTED]","orgId":"00D"})");
  EXPECT_EQ(redact(R"({"access_token": "abc def"})"), R"({"access_token": "[REDACTED]"})");
  EXPECT_EQ(redact("/cb?access_token=abc&x=1"), "/cb?access_token=[REDACTED]&x=1");
  EXPECT_EQ(redact("password=s3cret user=bob"), "password=[REDACTED] user=bob");
  EXPECT_EQ(redact("HEROKU_APPLINK_TOKEN=abc"), "HEROKU_APPLINK_TOKEN=[REDACTED]");
  // Escaped quotes inside a JSON string do not end the secret early.
  EXPECT_EQ(redact(R"({"token":"a\"b","n":1})"), R"({"token":"[REDACTED]","n":1})");
  // Non-string JSON values and plain words are left alone.
  EXPECT_EQ(redact(R"({"tokens":5})"), R"({"tokens":5})");
  EXPECT_EQ(redact("the token was refreshed"), "the token was refreshed");
}

TEST(Redact, KeyNames) {
  EXPECT_TRUE(is_sensitive_key("Authorization"));
  EXPECT_TRUE(is_sensitive_key("HEROKU_APPLINK_TOKEN"));
  EXPECT_TRUE(is_sensitive_key("x-client-context"));
  EXPECT_TRUE(is_sensitive_key("redis_password"));
  EXPECT_FALSE(is_sensitive_key("request_id"));
  EXPECT_FALSE(is_sensitive_key("path"));
}

TEST(Redact, HostileInputNeverCrashesOrLeaks) {
  EXPECT_EQ(redact(""), "");
  EXPECT_EQ(redact("Bearer"), "Bearer");
  EXPECT_EQ(redact("token="), "token=");
  EXPECT_EQ(redact("://:@"), "://:[REDACTED]@");
  std::string long_secret(100000, 'a');
  EXPECT_EQ(redact("Bearer " + long_secret), "Bearer [REDACTED]");
  std::string binary("\0\xff\x01password=\x80x", 15);
  EXPECT_EQ(redact(binary).find("\x80x"), std::string::npos);
}

}  // namespace
}  // namespace pe
