// leader_lease.hpp: one holder among several processes, by a key in Redis with a time to live:
// which `subscriber` dyno holds the Pub/Sub subscription of a connection and topic.
//
// acquire(): SET key owner NX PX ttl. renew(): PEXPIRE only while the key still names this owner
// (a script). release(): DEL only while it names this owner (a script), so a holder that lost
// its lease never ends its successor's. The holder renews every `renew_every` (a third of the
// ttl) and stops its stream as soon as a renewal fails or says no; the others try every
// `retry_every`, so a holder that dies is replaced within ttl + retry_every (10 s + 1 s by
// default), and one that exits cleanly at once (it releases).
//
// What a lease cannot promise: a holder paused longer than the ttl (a stopped process, a long
// GC-like stall) may write once more after its successor started. For the subscriber that is
// safe: what it writes is its events' record Ids with their replay id (events/
// transaction_buffer.hpp), a redelivered Id folds into the transaction's done set, and the
// replay id can only move back to one whose events are stored, which replays them into the
// same dedupe.
//
//   LeaderLease lease(redis, {.key = "pe:pubsub:lease:sales:/data/OpportunityChangeEvent",
//                             .owner = "subscriber.1-4f2a"});
//   if (co_await lease.acquire()) { ... co_await lease.renew() every renew_every ... }
#pragma once

#include "common/error.hpp"
#include "net/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace pe::pubsub {

struct LeaseOptions {
  std::string key;
  std::string owner;  // unique per process: dyno name and a random part
  std::chrono::milliseconds ttl{10'000};
  std::chrono::milliseconds renew_every{3'000};
  std::chrono::milliseconds retry_every{1'000};
};

class LeaderLease {
 public:
  LeaderLease(std::shared_ptr<net::RedisConnection> redis, LeaseOptions options);

  // true: this owner holds it now (also when it already did: the ttl starts again).
  boost::asio::awaitable<Result<bool>> acquire();
  // true: still held, for another ttl; false: lost (expired, taken).
  boost::asio::awaitable<Result<bool>> renew();
  // Lets it go at once, if still held.
  boost::asio::awaitable<Result<void>> release();
  // Who holds it ("" when nobody).
  boost::asio::awaitable<Result<std::string>> holder();

  const LeaseOptions& options() const { return options_; }

 private:
  std::shared_ptr<net::RedisConnection> redis_;
  LeaseOptions options_;
  std::string ttl_ms_;
};

}  // namespace pe::pubsub
