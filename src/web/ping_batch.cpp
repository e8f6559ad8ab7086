#include "web/ping_batch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pe::web {

namespace asio = boost::asio;

asio::awaitable<bool> PingBatch::wait() {
  auto executor = co_await asio::this_coro::executor;
  auto answered = asio::async_initiate<const asio::use_awaitable_t<>&, void(bool)>(
      [this, &executor](auto handler) {
        queue_.emplace_back(std::move(handler));
        if (!batch_posted_ && !in_flight_) {
          batch_posted_ = true;
          // After the other handlers that are ready now: their callers join this PING.
          asio::post(executor, [self = shared_from_this(), executor] { self->start(executor); });
        }
      },
      asio::use_awaitable);
  const bool ok = co_await std::move(answered);
  co_return ok;
}

void PingBatch::start(const asio::any_io_executor& executor) {
  batch_posted_ = false;
  if (in_flight_ || queue_.empty()) return;  // the PING in flight sends the next when answered
  in_flight_ = true;
  std::vector<Waiter> batch;
  batch.swap(queue_);
  asio::co_spawn(executor, shared_from_this()->send(std::move(batch)), asio::detached);
}

asio::awaitable<void> PingBatch::send(std::vector<Waiter> batch) {
  auto self = shared_from_this();  // alive until every waiter is answered
  auto executor = co_await asio::this_coro::executor;
  net::RedisCommand ping("PING");
  auto pong = co_await redis_->exec(std::move(ping));
  in_flight_ = false;
  if (!queue_.empty() && !batch_posted_) {
    batch_posted_ = true;
    asio::post(executor, [self, executor] { self->start(executor); });
  }
  const bool ok = pong.has_value();
  for (auto& waiter : batch) std::move(waiter)(ok);
}

}  // namespace pe::web
