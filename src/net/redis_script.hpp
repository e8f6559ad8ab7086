// redis_script.hpp: a Lua script run on Redis by its SHA-1, loaded again when Redis forgot it.
//
// A script is Redis's only way to read and write several keys atomically on a shared pipelined
// connection (WATCH needs a connection of its own, redis_connection.hpp). run() sends EVALSHA;
// when Redis answers NOSCRIPT (a restart, SCRIPT FLUSH, a fail-over) it sends EVAL with the
// source once, which also caches it again. Scripts must be deterministic in their writes (Redis 7
// replicates their effects, so reading TIME inside one is allowed).
//
//   static const RedisScript add_one("return redis.call('INCRBY', KEYS[1], ARGV[1])");
//   std::string_view args[] = {"counter", "5"};
//   auto reply = co_await add_one.run(*redis, args, 1);   // 1 key, then ARGV
#pragma once

#include "net/redis_connection.hpp"

#include <span>
#include <string>
#include <string_view>

namespace pe::net {

class RedisScript {
 public:
  explicit RedisScript(std::string source);

  const std::string& sha1() const { return sha1_; }
  const std::string& source() const { return source_; }

  // keys_and_args: the first `key_count` are KEYS, the rest ARGV. The views must stay valid
  // until the call completes (keep them in the caller's frame).
  boost::asio::awaitable<Result<RedisReply>> run(RedisConnection& redis,
                                                 std::span<const std::string_view> keys_and_args,
                                                 size_t key_count) const;

 private:
  RedisCommand command(std::string_view verb, std::string_view script,
                       std::span<const std::string_view> keys_and_args, size_t key_count) const;

  std::string source_;
  std::string sha1_;  // lower-case hex
};

}  // namespace pe::net
