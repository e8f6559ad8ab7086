#include "pubsub/subscription_stats.hpp"

#include <vector>

namespace pe::pubsub {

boost::asio::awaitable<Result<void>> flush_stats(
    net::RedisConnection& redis, const std::string& key, const SubscriptionStats& stats,
    std::array<int64_t, SubscriptionStats::kCount>& flushed) {
  std::array<int64_t, SubscriptionStats::kCount> now{};
  std::vector<net::RedisCommand> tx;
  for (size_t i = 0; i < SubscriptionStats::kCount; ++i) {
    now[i] = stats.get(static_cast<SubscriptionStats::Counter>(i));
    if (now[i] != flushed[i]) {
      tx.emplace_back("HINCRBY", key, SubscriptionStats::kNames[i], now[i] - flushed[i]);
    }
  }
  if (tx.empty()) co_return Result<void>{};
  auto replies = co_await redis.exec_batch(std::move(tx));
  if (!replies) co_return replies.error();
  for (const auto& reply : *replies) {
    if (reply.is_error()) co_return net::error_from_reply(reply);
  }
  flushed = now;
  co_return Result<void>{};
}

}  // namespace pe::pubsub
