#include "pubsub/leader_lease.hpp"

#include "net/redis_script.hpp"

namespace pe::pubsub {
namespace {

namespace asio = boost::asio;

// KEYS[1] the lease, ARGV[1] owner, ARGV[2] ttl ms. 1: held (for another ttl), 0: not.
const net::RedisScript kAcquire(R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
)lua");

const net::RedisScript kRenew(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
)lua");

const net::RedisScript kRelease(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
)lua");

}  // namespace

LeaderLease::LeaderLease(std::shared_ptr<net::RedisConnection> redis, LeaseOptions options)
    : redis_(std::move(redis)),
      options_(std::move(options)),
      ttl_ms_(std::to_string(options_.ttl.count())) {}

asio::awaitable<Result<bool>> LeaderLease::acquire() {
  std::string_view args[] = {options_.key, options_.owner, ttl_ms_};
  auto reply = co_await kAcquire.run(*redis_, args, 1);
  if (!reply) co_return reply.error();
  co_return reply->integer == 1;
}

asio::awaitable<Result<bool>> LeaderLease::renew() {
  std::string_view args[] = {options_.key, options_.owner, ttl_ms_};
  auto reply = co_await kRenew.run(*redis_, args, 1);
  if (!reply) co_return reply.error();
  co_return reply->integer == 1;
}

asio::awaitable<Result<void>> LeaderLease::release() {
  std::string_view args[] = {options_.key, options_.owner, ttl_ms_};
  auto reply = co_await kRelease.run(*redis_, args, 1);
  if (!reply) co_return reply.error();
  co_return Result<void>{};
}

asio::awaitable<Result<std::string>> LeaderLease::holder() {
  auto reply = co_await redis_->exec(net::RedisCommand("GET", options_.key));
  if (!reply) co_return reply.error();
  co_return reply->is_nil() ? std::string() : reply->text;
}

}  // namespace pe::pubsub
