// redis_pipeline.hpp: the bookkeeping of a pipelined Redis connection, with no I/O.
//
// A RedisExchange is one caller's command, or batch of adjacent commands, on its way: queued,
// then written, then collecting its replies. RedisPipeline keeps the queue and the exchanges in
// flight in write order; since Redis answers in order, each reply read belongs to the oldest
// exchange in flight. RedisConnection (redis_connection.hpp) performs the I/O around it; this
// part is unit-tested without a server (redis_pipeline_test.cpp).
//
//   RedisPipeline pipeline;
//   pipeline.enqueue(exchange);           // exec() from any coroutine
//   std::string out;
//   pipeline.take_write(out);             // the writer: everything queued goes in one write
//   pipeline.on_reply(std::move(reply));  // the reader: completes exchanges in order
//   pipeline.fail_in_flight(error);       // the link dropped
#pragma once

#include "common/error.hpp"
#include "net/redis_protocol.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pe::net {

struct RedisExchange {
  enum class Stage { queued, written, done };

  RedisExchange(std::string bytes_, size_t expected_)
      : bytes(std::move(bytes_)), expected(expected_) {
    replies.reserve(expected);
  }

  std::string bytes;    // the encoded command(s)
  size_t expected;      // how many replies complete it
  size_t received = 0;  // replies read so far
  std::vector<RedisReply> replies;
  std::optional<Error> error;  // set instead of the replies when it failed as a whole
  Stage stage = Stage::queued;
  bool abandoned = false;  // the caller stopped waiting; replies still to come are dropped
  // Cancelled to wake the waiting caller when the exchange is done (the timer also carries the
  // caller's deadline). Not owned; null when nobody waits.
  boost::asio::steady_timer* waiter = nullptr;

  bool done() const { return stage == Stage::done; }
  void complete();
  void fail(Error e);
};

class RedisPipeline {
 public:
  using Exchange = std::shared_ptr<RedisExchange>;

  void enqueue(Exchange exchange);
  bool has_queued() const { return !queued_.empty(); }
  size_t queued() const { return queued_.size(); }
  size_t in_flight() const { return in_flight_.size(); }

  // Moves every queued exchange to the in-flight list, appending its bytes to out (one write for
  // all of them: this is the automatic pipelining). Returns how many commands it took.
  size_t take_write(std::string& out);

  // The next reply read from the link. An error means that no exchange was waiting for it: the
  // stream is out of step and the link must be reset.
  Result<void> on_reply(RedisReply reply);

  // The caller stopped waiting (its deadline passed or it was cancelled). A queued exchange
  // leaves the queue; a written one stays in flight, since its replies are still to come, and
  // they will be dropped. Returns true when the exchange had been written.
  bool abandon(const Exchange& exchange);

  // The link dropped: exchanges in flight fail (Redis may or may not have run them).
  void fail_in_flight(const Error& error);
  // Exchanges not yet written fail too (stop(), or a login that can never succeed).
  void fail_queued(const Error& error);

 private:
  std::deque<Exchange> queued_;
  std::deque<Exchange> in_flight_;
};

}  // namespace pe::net
