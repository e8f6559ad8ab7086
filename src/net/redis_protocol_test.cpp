#include "net/redis_protocol.hpp"

#include <hiredis/hiredis.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <random>

namespace pe::net {
namespace {

using namespace std::string_literals;

// ---- URLs -----------------------------------------------------------------------------------

TEST(RedisUrl, ParsesPlainTlsUserPasswordAndDb) {
  auto e = parse_redis_url("redis://localhost");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_FALSE(e->tls);
  EXPECT_EQ(e->host, "localhost");
  EXPECT_EQ(e->port, 6379);
  EXPECT_EQ(e->db, 0);
  EXPECT_EQ(e->user, "");
  EXPECT_EQ(e->password, "");

  e = parse_redis_url("rediss://h%40rk:p%3Ass%40w0rd@ec2-1-2-3-4.compute.amazonaws.com:25070/3");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->user, "h@rk");
  EXPECT_EQ(e->password, "p:ss@w0rd");
  EXPECT_EQ(e->host, "ec2-1-2-3-4.compute.amazonaws.com");
  EXPECT_EQ(e->port, 25070);
  EXPECT_EQ(e->db, 3);
  EXPECT_EQ(e->describe(), "rediss://h@rk:[REDACTED]@ec2-1-2-3-4.compute.amazonaws.com:25070/3");

  e = parse_redis_url("redis://:onlypass@127.0.0.1:7000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->user, "");
  EXPECT_EQ(e->password, "onlypass");
  EXPECT_EQ(e->describe(), "redis://:[REDACTED]@127.0.0.1:7000/0");

  e = parse_redis_url("redis://[::1]:7001/");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->describe(), "redis://[::1]:7001/0");

  e = parse_redis_url("REDISS://:p%00w@h/15");  // schemes are case-insensitive; NUL decoded
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->password, "p\0w"s);
  EXPECT_EQ(e->db, 15);
}

TEST(RedisUrl, RejectsHostileInputWithoutShowingThePassword) {
  struct Case {
    std::string url;
    std::string message;
  };
  const std::string prefix = "invalid Redis URL: ";
  std::vector<Case> cases = {
      {"", "not an absolute URL"},
      {"localhost:6379", "the scheme must be redis:// or rediss://"},
      {"http://u:secret@h:1", "the scheme must be redis:// or rediss://"},
      {"redis:", "no host"},
      {"redis://:secret@", "no host"},
      {"redis://:secret@:6379", "no host"},
      {"redis://:secret@h:0", "the port must be a number from 1 to 65535"},
      {"redis://:secret@h:70000", "the port must be a number from 1 to 65535"},
      {"redis://:secret@h:99999999999999999999999", "the port must be a number from 1 to 65535"},
      {"redis://:secret@h:", "the port must be a number from 1 to 65535"},
      {"redis://:secret@h:1/x", "the path must be a database number, e.g. /0"},
      {"redis://:secret@h:1/-1", "the path must be a database number, e.g. /0"},
      {"redis://:secret@h:1/0/1", "the path must be a database number, e.g. /0"},
      {"redis://:secret@h:1/99999999999", "the path must be a database number, e.g. /0"},
      {"redis://secretuser@h", "a user name needs a password: redis://user:password@host"},
      {"redis://:secret@h:1/0?ssl=true", "query strings and fragments are not supported"},
      {"redis://:secret@h:1/0#frag", "query strings and fragments are not supported"},
      {"redis://:secret@h:1/" + std::string(5000, '9'), "longer than 4096 characters"},
      {"redis://:" + std::string(5000, 's') + "ecret@h", "longer than 4096 characters"},
      {"redis://:sec ret@h", "not an absolute URL"},
      {"redis://:secret@h\r\n:1", "not an absolute URL"},
      {"redis://:sec\0ret@h"s, "not an absolute URL"},
      {"redis://:secret%zz@h", "not an absolute URL"},
      {"redis://:secret@[::1", "not an absolute URL"},
      // An unescaped @ in a password ends the authority; the rest parses as a path.
      {"redis://:p@ss@secret@h", "the path must be a database number, e.g. /0"},
  };
  for (const auto& c : cases) {
    auto e = parse_redis_url(c.url);
    ASSERT_FALSE(e) << c.url.substr(0, 60);
    EXPECT_EQ(e.error().code, Errc::invalid_argument);
    EXPECT_EQ(e.error().message, prefix + c.message) << c.url.substr(0, 60);
    EXPECT_EQ(e.error().message.find("secret"), std::string::npos) << e.error().message;
  }
}

// ---- Commands -------------------------------------------------------------------------------

TEST(RedisCommand, EncodesBinarySafeBulkStringsAndIntegers) {
  RedisCommand cmd("SET");
  cmd.arg(std::string_view("k\r\n", 3)).arg(std::string_view("a\0b", 3)).arg(int64_t{-42});
  EXPECT_EQ(cmd.encoded(), "*4\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$3\r\na\0b\r\n$3\r\n-42\r\n"s);
  EXPECT_EQ(cmd.size(), 4u);
  EXPECT_EQ(RedisCommand({"PING"}).encoded(), "*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(RedisCommand({"GET", ""}).encoded(), "*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
  EXPECT_EQ(RedisCommand("EXPIRE", "k", 60).encoded(),
            RedisCommand({"EXPIRE", "k", "60"}).encoded());
  EXPECT_EQ(RedisCommand("X", std::numeric_limits<uint64_t>::max()).encoded(),
            "*2\r\n$1\r\nX\r\n$20\r\n18446744073709551615\r\n");
  EXPECT_EQ(RedisCommand("X", std::numeric_limits<int64_t>::min()).encoded(),
            "*2\r\n$1\r\nX\r\n$20\r\n-9223372036854775808\r\n");
  std::string out = "prefix";
  RedisCommand("A", std::string("b")).append_to(out);
  EXPECT_EQ(out, "prefix*2\r\n$1\r\nA\r\n$1\r\nb\r\n");
}

TEST(RedisCommand, MatchesHiredisOwnFormatterOnRandomBinaryArguments) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> args(1 + rng() % 6);
    for (auto& a : args) {
      a.resize(rng() % 40);
      for (auto& ch : a) ch = static_cast<char>(rng() % 256);
    }
    RedisCommand ours(args[0]);
    for (size_t i = 1; i < args.size(); ++i) ours.arg(args[i]);
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    char* theirs = nullptr;
    int n =
        redisFormatCommandArgv(&theirs, static_cast<int>(args.size()), argv.data(), lens.data());
    ASSERT_GT(n, 0);
    EXPECT_EQ(ours.encoded(), std::string(theirs, static_cast<size_t>(n)));
    std::free(theirs);
  }
}

TEST(RedisCommand, FlagsCommandsThatBreakPipelining) {
  EXPECT_TRUE(RedisCommand("subscribe", "ch").breaks_pipeline());
  EXPECT_TRUE(RedisCommand("PSUBSCRIBE", "c*").breaks_pipeline());
  EXPECT_TRUE(RedisCommand("Monitor").breaks_pipeline());
  EXPECT_FALSE(RedisCommand("PUBLISH", "subscribe", "x").breaks_pipeline());
  EXPECT_FALSE(RedisCommand("GET", "monitor").breaks_pipeline());
}

// ---- Decoder --------------------------------------------------------------------------------

// Every reply the decoder yields for the stream fed in pieces of `step` bytes, or the first error.
Result<std::vector<RedisReply>> decode(std::string_view stream, size_t step = 0,
                                       size_t limit = RedisDecoder::kDefaultMaxReplyBytes) {
  RedisDecoder decoder(limit);
  std::vector<RedisReply> replies;
  if (step == 0) step = stream.size();
  for (size_t at = 0; at < stream.size(); at += step) {
    decoder.feed(stream.substr(at, step));
    for (;;) {
      auto r = decoder.next();
      if (!r) return r.error();
      if (!*r) break;
      replies.push_back(std::move(**r));
    }
  }
  return replies;
}

RedisReply str(std::string text, RedisReply::Type type = RedisReply::Type::string) {
  RedisReply r;
  r.type = type;
  r.text = std::move(text);
  return r;
}
RedisReply num(int64_t value) {
  RedisReply r;
  r.type = RedisReply::Type::integer;
  r.integer = value;
  return r;
}
RedisReply arr(std::vector<RedisReply> elements) {
  RedisReply r;
  r.type = RedisReply::Type::array;
  r.elements = std::move(elements);
  return r;
}

const std::string kEveryType =
    "+OK\r\n:-7\r\n$5\r\nhe\0lo\r\n$-1\r\n-WRONGTYPE Operation against a key\r\n"
    "*3\r\n:1\r\n*2\r\n+a\r\n$-1\r\n$0\r\n\r\n*-1\r\n*0\r\n"
    ":9223372036854775807\r\n$4\r\n\r\n\r\n\r\n"s;

TEST(RedisDecoder, DecodesEveryReplyTypeWhateverTheSplit) {
  std::vector<RedisReply> expected = {
      str("OK", RedisReply::Type::status),
      num(-7),
      str("he\0lo"s),
      RedisReply{},
      str("WRONGTYPE Operation against a key", RedisReply::Type::error),
      arr({num(1), arr({str("a", RedisReply::Type::status), RedisReply{}}), str("")}),
      RedisReply{},
      arr({}),
      num(std::numeric_limits<int64_t>::max()),
      str("\r\n\r\n"),
  };
  for (size_t step = 1; step <= kEveryType.size(); ++step) {
    auto replies = decode(kEveryType, step);
    ASSERT_TRUE(replies) << replies.error().message;
    ASSERT_EQ(*replies, expected) << "pieces of " << step;
  }
  EXPECT_EQ(expected[4].error_prefix(), "WRONGTYPE");
  EXPECT_EQ(expected[0].error_prefix(), "");
}

TEST(RedisDecoder, WaitsForTheRestOfAPartialReply) {
  RedisDecoder decoder;
  decoder.feed("*2\r\n$3\r\nfoo\r\n$3\r\nba");
  auto r = decoder.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_GT(decoder.buffered(), 0u);
  decoder.feed("r\r\n");
  r = decoder.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(**r, arr({str("foo"), str("bar")}));
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(RedisDecoder, NestsEightLevelsAndRefusesNine) {
  auto nested = [](int depth) {
    std::string s;
    for (int i = 0; i < depth; ++i) s += "*1\r\n";
    return s + ":5\r\n";
  };
  // hiredis 0.14 counts levels below the root: "depth > 7" means a ninth array.
  auto ok = decode(nested(8));
  ASSERT_TRUE(ok) << ok.error().message;
  const RedisReply* r = &ok->at(0);
  for (int i = 0; i < 8; ++i) r = &r->elements.at(0);
  EXPECT_EQ(r->integer, 5);
  auto deep = decode(nested(9));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, Errc::internal);
  EXPECT_EQ(deep.error().message,
            "malformed reply from Redis: No support for nested multi bulk replies with depth > 7");
}

TEST(RedisDecoder, MalformedProtocolIsAnErrorNotACrash) {
  struct Case {
    std::string bytes;
    std::string problem;
  };
  std::vector<Case> cases = {
      {"?what\r\n", "Protocol error, got \"?\" as reply type byte"},
      {"\r\n", "Protocol error, got \"\\r\" as reply type byte"},
      {"$abc\r\n", "Bad bulk string length"},
      {"$-2\r\n", "Bulk string length out of range"},
      {":12x\r\n", "Bad integer value"},
      {":99999999999999999999\r\n", "Bad integer value"},
      {":\r\n", "Bad integer value"},
      {"*-2\r\n", "Multi-bulk length out of range"},
      {"*99999999999\r\n", "Multi-bulk length out of range"},
      {"*2\r\n!x\r\n", "Protocol error, got \"!\" as reply type byte"},
      {"*1\r\n*x\r\n", "Bad multi-bulk length"},
  };
  for (const auto& c : cases) {
    for (size_t step : {size_t{1}, c.bytes.size()}) {
      auto r = decode(c.bytes, step);
      ASSERT_FALSE(r) << c.bytes;
      EXPECT_EQ(r.error().code, Errc::internal);
      EXPECT_EQ(r.error().message, "malformed reply from Redis: " + c.problem) << c.bytes;
    }
  }
}

TEST(RedisDecoder, AnErrorIsFinal) {
  RedisDecoder decoder;
  decoder.feed("?\r\n");
  ASSERT_FALSE(decoder.next());
  decoder.feed("+OK\r\n");
  EXPECT_FALSE(decoder.next());
}

TEST(RedisDecoder, RefusesRepliesOverItsBudget) {
  // A bulk string announced larger than the limit: refused once the buffered bytes pass it.
  std::string big = "$100000\r\n" + std::string(2000, 'x');
  auto r = decode(big, 100, 1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "a reply from Redis is larger than the limit of 1024 bytes");
  // Many small elements: each is cheap on the wire but costs a RedisReply in memory.
  std::string many = "*1000\r\n";
  for (int i = 0; i < 1000; ++i) many += ":1\r\n";
  r = decode(many, 0, 16 * 1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "a reply from Redis is larger than the limit of 16384 bytes");
  EXPECT_TRUE(decode(many, 0, 1 << 20));
  // A huge announced element count allocates nothing up front: it just waits for elements.
  RedisDecoder decoder;
  decoder.feed("*2147483647\r\n:1\r\n");
  auto pending = decoder.next();
  ASSERT_TRUE(pending);
  EXPECT_FALSE(*pending);
}

// ---- Error replies --------------------------------------------------------------------------

TEST(RedisErrors, MapToKindsByTheirFirstWord) {
  std::vector<std::pair<std::string, Errc>> cases = {
      {"NOSCRIPT No matching script. Please use EVAL.", Errc::not_found},
      {"NOGROUP No such key 'jobs' or consumer group 'g'", Errc::not_found},
      {"BUSYGROUP Consumer Group name already exists", Errc::already_exists},
      {"WRONGPASS invalid username-password pair or user is disabled.", Errc::unauthenticated},
      {"NOAUTH Authentication required.", Errc::unauthenticated},
      {"NOPERM this user has no permissions to run the 'flushall' command",
       Errc::permission_denied},
      {"WRONGTYPE Operation against a key holding the wrong kind of value",
       Errc::failed_precondition},
      {"EXECABORT Transaction discarded because of previous errors.", Errc::aborted},
      {"LOADING Redis is loading the dataset in memory", Errc::unavailable},
      {"BUSY Redis is busy running a script.", Errc::unavailable},
      {"READONLY You can't write against a read only replica.", Errc::unavailable},
      {"OOM command not allowed when used memory > 'maxmemory'.", Errc::resource_exhausted},
      {"ERR unknown command 'NOPE'", Errc::internal},
      {"SOMETHINGNEW happened", Errc::internal},
      {"", Errc::internal},
  };
  for (const auto& [text, code] : cases) {
    auto e = error_from_reply(str(text, RedisReply::Type::error));
    EXPECT_EQ(e.code, code) << text;
    EXPECT_EQ(e.message, "redis: " + text);
  }
  auto secret = error_from_reply(str("ERR bad url redis://:hunter2@h", RedisReply::Type::error));
  EXPECT_EQ(secret.message, "redis: ERR bad url redis://:[REDACTED]@h");
}

}  // namespace
}  // namespace pe::net
