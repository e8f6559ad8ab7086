#include "net/redis_script.hpp"

#include <openssl/sha.h>

namespace pe::net {

namespace asio = boost::asio;

RedisScript::RedisScript(std::string source) : source_(std::move(source)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source_.data()), source_.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  sha1_.reserve(2 * SHA_DIGEST_LENGTH);
  for (unsigned char byte : digest) {
    sha1_ += kHex[byte >> 4];
    sha1_ += kHex[byte & 0xF];
  }
}

RedisCommand RedisScript::command(std::string_view verb, std::string_view script,
                                  std::span<const std::string_view> keys_and_args,
                                  size_t key_count) const {
  RedisCommand command(verb, script, key_count);
  for (auto value : keys_and_args) command.arg(value);
  return command;
}

asio::awaitable<Result<RedisReply>> RedisScript::run(
    RedisConnection& redis, std::span<const std::string_view> keys_and_args,
    size_t key_count) const {
  auto by_sha = command("EVALSHA", sha1_, keys_and_args, key_count);
  auto reply = co_await redis.exec(std::move(by_sha));
  bool unknown_script = !reply && reply.error().code == Errc::not_found &&
                        reply.error().message.find("NOSCRIPT") != std::string::npos;
  if (!unknown_script) co_return reply;
  auto by_source = command("EVAL", source_, keys_and_args, key_count);
  co_return co_await redis.exec(std::move(by_source));
}

}  // namespace pe::net
