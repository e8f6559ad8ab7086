#include "net/redis_protocol.hpp"

#include <gtest/gtest.h>

namespace pe::net {
namespace {

using namespace std::string_literals;

TEST(RedisUrl, ParsesPlainTlsUserPasswordAndDb) {
  auto e = parse_redis_url("redis://localhost");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_FALSE(e->tls);
  EXPECT_EQ(e->host, "localhost");
  EXPECT_EQ(e->port, 6379);
  EXPECT_EQ(e->db, 0);

  e = parse_redis_url("rediss://h%40rk:p%3Ass%40w0rd@ec2-1-2-3-4.compute.amazonaws.com:25070/3");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->user, "h@rk");
  EXPECT_EQ(e->password, "p:ss@w0rd");
  EXPECT_EQ(e->port, 25070);
  EXPECT_EQ(e->db, 3);
  EXPECT_EQ(e->describe(), "rediss://h@rk:[REDACTED]@ec2-1-2-3-4.compute.amazonaws.com:25070/3");

  e = parse_redis_url("redis://:onlypass@127.0.0.1:7000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->user, "");
  EXPECT_EQ(e->password, "onlypass");

  e = parse_redis_url("redis://[::1]:7001/");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->describe(), "redis://[::1]:7001/0");
}

TEST(RedisUrl, RejectsHostileInputWithoutShowingThePassword) {
  struct Case {
    std::string url;
    std::string message;
  };
  std::vector<Case> cases = {
      {"", "invalid Redis URL: not an absolute URL"},
      {"localhost:6379", "invalid Redis URL: the scheme must be redis:// or rediss://"},
      {"http://u:secret@h:1", "invalid Redis URL: the scheme must be redis:// or rediss://"},
      {"redis://:secret@", "invalid Redis URL: no host"},
      {"redis://:secret@h:0", "invalid Redis URL: the port must be a number from 1 to 65535"},
      {"redis://:secret@h:70000", "invalid Redis URL: the port must be a number from 1 to 65535"},
      {"redis://:secret@h:1/x", "invalid Redis URL: the path must be a database number, e.g. /0"},
      {"redis://:secret@h:1/-1", "invalid Redis URL: the path must be a database number, e.g. /0"},
      {"redis://:secret@h:1/0?ssl=true",
       "invalid Redis URL: query strings and fragments are not supported"},
      {"redis://:secret@h:1/" + std::string(5000, '9'),
       "invalid Redis URL: longer than 4096 characters"},
      {"redis://:sec ret@h", "invalid Redis URL: not an absolute URL"},
  };
  for (const auto& c : cases) {
    auto e = parse_redis_url(c.url);
    ASSERT_FALSE(e) << c.url;
    EXPECT_EQ(e.error().code, Errc::invalid_argument);
    EXPECT_EQ(e.error().message, c.message) << c.url.substr(0, 60);
    EXPECT_EQ(e.error().message.find("secret"), std::string::npos);
  }
}

TEST(RedisCommand, EncodesBinarySafeBulkStrings) {
  RedisCommand cmd("SET");
  cmd.arg(std::string_view("k\r\n", 3)).arg(std::string_view("a\0b", 3)).arg(int64_t{-42});
  EXPECT_EQ(cmd.encoded(), "*4\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$3\r\na\0b\r\n$3\r\n-42\r\n"s);
  EXPECT_EQ(RedisCommand({"PING"}).encoded(), "*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(RedisCommand({"GET", ""}).encoded(), "*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
}

TEST(RedisDecoder, DecodesEveryReplyTypeFedByteByByte) {
  std::string stream =
      "+OK\r\n:-7\r\n$5\r\nhe\0lo\r\n$-1\r\n-WRONGTYPE Operation against a key\r\n"
      "*3\r\n:1\r\n*2\r\n+a\r\n$-1\r\n$0\r\n\r\n*-1\r\n"s;  // "he\0lo" is binary
  RedisDecoder decoder;
  std::vector<RedisReply> replies;
  for (char c : stream) {
    decoder.feed(std::string_view(&c, 1));
    for (;;) {
      auto r = decoder.next();
      ASSERT_TRUE(r);
      if (!*r) break;
      replies.push_back(std::move(**r));
    }
  }
  ASSERT_EQ(replies.size(), 7u);
  EXPECT_EQ(replies[0].type, RedisReply::Type::status);
  EXPECT_EQ(replies[0].text, "OK");
  EXPECT_EQ(replies[1].integer, -7);
  EXPECT_EQ(replies[2].text, std::string("he\0lo", 5));
  EXPECT_TRUE(replies[3].is_nil());
  EXPECT_TRUE(replies[4].is_error());
  EXPECT_EQ(replies[4].error_prefix(), "WRONGTYPE");
  ASSERT_EQ(replies[5].elements.size(), 3u);
  EXPECT_EQ(replies[5].elements[1].elements[0].text, "a");
  EXPECT_TRUE(replies[5].elements[1].elements[1].is_nil());
  EXPECT_EQ(replies[5].elements[2].text, "");
  EXPECT_TRUE(replies[6].is_nil());
}

TEST(RedisDecoder, MalformedProtocolIsAnErrorNotACrash) {
  for (std::string bad : {"?what\r\n", "$abc\r\n", ":12x\r\n", "*2\r\n!x\r\n"}) {
    RedisDecoder decoder;
    decoder.feed(bad);
    auto r = decoder.next();
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::internal);
    EXPECT_NE(r.error().message.find("malformed reply from Redis"), std::string::npos);
  }
}

TEST(RedisErrors, MapToKinds) {
  auto make = [](std::string text) {
    RedisReply r;
    r.type = RedisReply::Type::error;
    r.text = std::move(text);
    return r;
  };
  EXPECT_EQ(error_from_reply(make("NOSCRIPT No matching script")).code, Errc::not_found);
  EXPECT_EQ(error_from_reply(make("WRONGPASS invalid username-password pair")).code,
            Errc::unauthenticated);
  EXPECT_EQ(error_from_reply(make("LOADING Redis is loading")).code, Errc::unavailable);
  EXPECT_EQ(error_from_reply(make("OOM command not allowed")).code, Errc::resource_exhausted);
  auto e = error_from_reply(make("ERR unknown command"));
  EXPECT_EQ(e.code, Errc::invalid_argument);
  EXPECT_EQ(e.message, "redis: ERR unknown command");
}

}  // namespace
}  // namespace pe::net
