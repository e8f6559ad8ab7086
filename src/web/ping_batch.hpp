// ping_batch.hpp: the webhook's way of sharing Redis round trips, with nothing to store: what
// the benchmark baseline POST /api/noop-redis waits for.
//
// The webhook answers only once Redis has stored its event, and concurrent requests share
// round trips (events/transaction_buffer.hpp): the requests of one turn of the event loop go
// in one call, one call is in flight per server thread, and the requests that arrive meanwhile
// make the next. A PingBatch does the same with a PING in place of the buffer's script, so a
// route that waits on it costs the machine what any route that stores before answering must
// at least cost: the round trip and its wake-ups, and no parsing and no storing.
// docs/benchmarks.md compares the webhook against it.
//
//   auto pings = std::make_shared<PingBatch>(redis);      // one per server thread
//   if (!co_await pings->wait()) co_return unavailable();  // Redis did not answer
#pragma once

#include "net/redis_connection.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <vector>

namespace pe::web {

class PingBatch : public std::enable_shared_from_this<PingBatch> {
 public:
  explicit PingBatch(std::shared_ptr<net::RedisConnection> redis) : redis_(std::move(redis)) {}

  // True once Redis has answered a PING sent after this call; false when it could not (the
  // connection's command timeout or an error).
  boost::asio::awaitable<bool> wait();

 private:
  using Waiter = boost::asio::any_completion_handler<void(bool)>;

  void start(const boost::asio::any_io_executor& executor);
  boost::asio::awaitable<void> send(std::vector<Waiter> batch);

  std::shared_ptr<net::RedisConnection> redis_;
  // Waiting for the next PING. Only appended to and swapped out whole: Boost 1.81's
  // any_completion_handler recurses without end when move-assigned (vector::erase does that).
  std::vector<Waiter> queue_;
  bool batch_posted_ = false;  // start() is posted
  bool in_flight_ = false;     // a PING is on its way
};

}  // namespace pe::web
