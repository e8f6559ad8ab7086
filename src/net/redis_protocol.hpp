// redis_protocol.hpp: Redis URLs, replies, commands and the RESP codec, with no I/O.
//
// Commands are encoded by us (RESP arrays of bulk strings, binary safe); replies are decoded by
// hiredis's reader, used only as a codec: its object callbacks build our RedisReply directly, so
// hiredis types never leak and a hostile reply cannot make us allocate more than a set budget.
// Everything here is unit-tested without a server (redis_protocol_test.cpp).
//
//   auto endpoint = parse_redis_url("rediss://:secret@host:6380/2");   // tls, db 2
//   RedisCommand set("SET", key, value, "EX", 60);                      // strings and integers
//   RedisDecoder decoder;
//   decoder.feed(bytes);
//   while (auto reply = decoder.next(); reply && *reply) use(**reply);  // Result<optional<..>>
#pragma once

#include "common/error.hpp"

#include <charconv>
#include <concepts>
#include <cstdint>
#include <initializer_list>
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
// percent-decoded; the port defaults to 6379 and the database to 0. Query strings and fragments
// are rejected. Errors (Errc::invalid_argument) never contain the URL or its password.
Result<RedisEndpoint> parse_redis_url(std::string_view url);

// One reply, RESP2 types. Arrays nest (EXEC, XREADGROUP, XAUTOCLAIM).
struct RedisReply {
  enum class Type { nil, integer, status, string, error, array };
  Type type = Type::nil;
  int64_t integer = 0;
  std::string text;  // status, string and error replies
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::nil; }
  bool is_error() const { return type == Type::error; }
  bool is_array() const { return type == Type::array; }
  // "ERR", "NOSCRIPT", "WRONGTYPE", ... for error replies; empty otherwise.
  std::string_view error_prefix() const;

  friend bool operator==(const RedisReply&, const RedisReply&) = default;
};

// The Error an error reply stands for, by its first word:
//   NOSCRIPT, NOGROUP → not_found        BUSYGROUP → already_exists
//   NOAUTH, WRONGPASS → unauthenticated  NOPERM → permission_denied
//   WRONGTYPE → failed_precondition      EXECABORT → aborted
//   LOADING, BUSY, TRYAGAIN, MASTERDOWN, READONLY, CLUSTERDOWN → unavailable
//   OOM → resource_exhausted             ERR and anything else → internal (our command was wrong)
// The message is "redis: " and the server's text (redacted).
Error error_from_reply(const RedisReply& reply);

// One command: a RESP array of bulk strings, encoded as it is built. Arguments are binary safe
// (any bytes, \r\n and NUL included); integers are written in decimal.
//
//   RedisCommand xadd("XADD", stream, "*");
//   for (auto& [field, value] : fields) xadd.arg(field).arg(value);
class RedisCommand {
 public:
  template <class... Args>
  explicit RedisCommand(std::string_view name, const Args&... args) {
    arg(name);
    (arg(args), ...);
  }
  RedisCommand(std::initializer_list<std::string_view> args);

  RedisCommand& arg(std::string_view value);
  RedisCommand& arg(const char* value) { return arg(std::string_view(value)); }
  RedisCommand& arg(const std::string& value) { return arg(std::string_view(value)); }
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) RedisCommand& arg(T value) {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    return arg(std::string_view(digits, static_cast<size_t>(end - digits)));
  }

  // Number of arguments, the command name included.
  size_t size() const { return count_; }
  // SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, MONITOR: replies would stop matching commands one to one,
  // so a pipelined connection refuses them.
  bool breaks_pipeline() const { return breaks_pipeline_; }
  // The RESP bytes: "*<n>\r\n" followed by each argument as a bulk string.
  std::string encoded() const;
  void append_to(std::string& out) const;

 private:
  std::string args_;  // the encoded arguments, without the array header
  size_t count_ = 0;
  bool breaks_pipeline_ = false;
};

// Decodes replies from a byte stream fed in arbitrary pieces.
class RedisDecoder {
 public:
  // Largest reply accepted, counting both the bytes waiting to be parsed and the memory of the
  // reply being built; the default matches redis-server's own proto-max-bulk-len.
  static constexpr size_t kDefaultMaxReplyBytes = size_t{512} << 20;

  explicit RedisDecoder(size_t max_reply_bytes = kDefaultMaxReplyBytes);
  ~RedisDecoder();
  RedisDecoder(const RedisDecoder&) = delete;
  RedisDecoder& operator=(const RedisDecoder&) = delete;

  void feed(std::string_view bytes);
  // The next complete reply, nullopt when more bytes are needed, or Errc::internal for a protocol
  // violation or an oversized reply (after which the stream is unusable: reconnect).
  Result<std::optional<RedisReply>> next();
  // Bytes fed but not yet consumed by a complete reply.
  size_t buffered() const;

  struct Budget;  // what the reader's callbacks charge, see redis_protocol.cpp

 private:
  void* reader_;  // redisReader*
  size_t max_reply_bytes_;
  std::unique_ptr<Budget> budget_;
};

}  // namespace pe::net
