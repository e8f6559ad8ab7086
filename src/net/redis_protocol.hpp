// redis_protocol.hpp: Redis URLs, replies, and the RESP codec, with no I/O.
//
// Commands are encoded by us (RESP arrays of bulk strings, binary safe); replies are decoded by
// hiredis's reader, used only as a codec, and copied into RedisReply so that hiredis types never
// leak. Everything here is unit-tested without a server.
//
//   auto endpoint = parse_redis_url("rediss://:secret@host:6380/2");   // tls, db 2
//   RedisCommand cmd("SET"); cmd.arg("key").arg("value");
//   RedisDecoder decoder;
//   decoder.feed(bytes);
//   while (auto reply = decoder.next()) ...   // Result<std::optional<RedisReply>>
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::net {

// Where a Redis server is and how to log in. Built from REDIS_URL.
struct RedisEndpoint {
  bool tls = false;  // rediss://
  std::string host;
  uint16_t port = 6379;
  std::string user;      // empty: the default user
  std::string password;  // empty: no AUTH
  int db = 0;

  // "rediss://user:[REDACTED]@host:port/db": for logs and errors.
  std::string describe() const;
};

// redis://[[user][:password]@]host[:port][/db] and rediss://... (TLS). User and password are
// percent-decoded. Errors never contain the password.
Result<RedisEndpoint> parse_redis_url(std::string_view url);

struct RedisReply {
  enum class Type { nil, integer, status, string, error, array };
  Type type = Type::nil;
  int64_t integer = 0;
  std::string text;  // status, string and error replies
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::nil; }
  bool is_error() const { return type == Type::error; }
  // "ERR", "NOSCRIPT", "WRONGTYPE", ... for error replies.
  std::string_view error_prefix() const;
};

// The Error an error reply stands for: NOSCRIPT → not_found, NOAUTH/WRONGPASS → unauthenticated,
// LOADING/BUSY/TRYAGAIN/MASTERDOWN/READONLY → unavailable, OOM → resource_exhausted,
// anything else → invalid_argument. The message starts with "redis: ".
Error error_from_reply(const RedisReply& reply);

// One command, encoded as it is built.
class RedisCommand {
 public:
  explicit RedisCommand(std::string_view name);
  RedisCommand(std::initializer_list<std::string_view> args);
  RedisCommand& arg(std::string_view value);
  RedisCommand& arg(int64_t value);
  // The RESP bytes: "*<n>\r\n" followed by each argument as a bulk string.
  std::string encoded() const;
  size_t size() const { return count_; }

 private:
  std::string args_;  // the encoded arguments, without the array header
  size_t count_ = 0;
};

// Decodes replies from a byte stream fed in arbitrary pieces.
class RedisDecoder {
 public:
  RedisDecoder();
  ~RedisDecoder();
  RedisDecoder(const RedisDecoder&) = delete;
  RedisDecoder& operator=(const RedisDecoder&) = delete;

  void feed(std::string_view bytes);
  // The next complete reply, nullopt when more bytes are needed, or an error for a protocol
  // violation (after which the stream is unusable).
  Result<std::optional<RedisReply>> next();

 private:
  void* reader_;  // redisReader*
};

}  // namespace pe::net
