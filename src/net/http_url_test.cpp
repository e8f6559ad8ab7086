#include "net/http_url.hpp"

#include <gtest/gtest.h>

namespace pe::net {
namespace {

TEST(HttpUrl, SplitsAnHttpsUrlWithPortPathAndQuery) {
  auto url = parse_http_url("https://Example.COM:8443/services/data/v62.0/query?q=SELECT+Id");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "example.com");
  EXPECT_FALSE(url->host_is_ip);
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->target, "/services/data/v62.0/query?q=SELECT+Id");
  EXPECT_EQ(url->origin(), "https://example.com:8443");
  EXPECT_EQ(url->host_header(), "example.com:8443");
  EXPECT_EQ(url->display(), "https://example.com:8443/services/data/v62.0/query?q=SELECT+Id");
  EXPECT_FALSE(url->has_userinfo);
}

TEST(HttpUrl, DefaultPortsAreImpliedAndLeftOutOfTheHostHeader) {
  auto https = parse_http_url("HTTPS://login.salesforce.com");
  ASSERT_TRUE(https);
  EXPECT_EQ(https->port, 443);
  EXPECT_EQ(https->target, "/");
  EXPECT_EQ(https->host_header(), "login.salesforce.com");
  EXPECT_EQ(https->origin(), "https://login.salesforce.com:443");

  auto http = parse_http_url("http://localhost:/x");
  ASSERT_TRUE(http);
  EXPECT_FALSE(http->tls);
  EXPECT_EQ(http->port, 80);
  EXPECT_EQ(http->host_header(), "localhost");
}

TEST(HttpUrl, KeepsTheQueryExactlyAsWrittenAndDropsTheFragment) {
  auto url = parse_http_url(
      "http://h/a%20b/c?q=SELECT%20Id%2CName+FROM+Account&&x=%2F&empty=&flag#section");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->target, "/a%20b/c?q=SELECT%20Id%2CName+FROM+Account&&x=%2F&empty=&flag");

  auto empty_query = parse_http_url("http://h/p?");
  ASSERT_TRUE(empty_query);
  EXPECT_EQ(empty_query->target, "/p?");
}

TEST(HttpUrl, AcceptsIpAddresses) {
  auto v4 = parse_http_url("http://127.0.0.1:8080/healthz");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->host_is_ip);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->host_header(), "127.0.0.1:8080");

  auto v6 = parse_http_url("https://[::1]:8443/");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->host_is_ip);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header(), "[::1]:8443");
  EXPECT_EQ(v6->origin(), "https://[::1]:8443");
}

TEST(HttpUrl, DecodesCredentialsButNeverShowsThem) {
  auto url = parse_http_url("https://pub%40lisher:p%3Ass@events.example.com/v1/publish");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->has_userinfo);
  EXPECT_EQ(url->user, "pub@lisher");
  EXPECT_EQ(url->password, "p:ss");
  EXPECT_EQ(url->target, "/v1/publish");
  EXPECT_EQ(url->display(), "https://events.example.com/v1/publish");
  EXPECT_EQ(url->origin(), "https://events.example.com:443");
}

TEST(HttpUrl, RejectsWhatIsNotAnAbsoluteHttpUrl) {
  for (const char* text :
       {"", "example.com/path", "/relative", "ftp://example.com/", "redis://127.0.0.1:6379",
        "http://", "http:///path", "http://h:0/", "http://h:99999/", "http://exa mple.com/",
        "http://ho%41st/", "https://h/a b", "mailto:someone@example.com"}) {
    auto url = parse_http_url(text);
    ASSERT_FALSE(url) << text;
    EXPECT_EQ(url.error().code, Errc::invalid_argument) << text;
    EXPECT_TRUE(url.error().message.starts_with("invalid URL ")) << url.error().message;
  }
}

TEST(HttpUrl, ErrorMessagesNeverContainCredentials) {
  for (const char* text :
       {"http://user:s3cret@h:0/", "ftp://user:s3cret@h/", "http://admin:s3cret@exa mple/"}) {
    auto url = parse_http_url(text);
    ASSERT_FALSE(url) << text;
    EXPECT_EQ(url.error().message.find("s3cret"), std::string::npos) << url.error().message;
    EXPECT_EQ(url.error().message.find("admin"), std::string::npos) << url.error().message;
  }
}

}  // namespace
}  // namespace pe::net
