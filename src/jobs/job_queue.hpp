// job_queue.hpp: the durable queue of quote jobs — a Redis stream read by a consumer group,
// with reclaim after a visibility timeout, delayed retries and a dead-letter stream.
//
// Keys (prefix "pe:" by default, PRICING_REDIS_PREFIX):
//   <prefix>jobs             stream of jobs waiting or running; consumer group "workers"
//   <prefix>jobs:delayed     sorted set: retry:<id> → when the retry is due (epoch ms)
//   <prefix>jobs:retry:<id>  hash: the fields of a job waiting for its retry
//   <prefix>jobs:dead        stream of dead letters: the job's fields, its last error included
//
// A job's life: enqueue (XADD) → claim (XREADGROUP: the job is now pending for this consumer)
// → complete (XACK + XDEL) or fail. fail() either schedules a retry (exponential backoff from
// PRICING_RETRY_SECONDS, doubling up to PRICING_RETRY_MAX_SECONDS) or, after max_attempts, moves
// the job to the dead-letter stream; both are one MULTI so a job is never in two places or
// none. release_due() moves due retries back to the stream. A consumer that dies leaves its jobs
// pending; after `visibility` without a keep_alive(), reclaim() lets another consumer take them
// (XAUTOCLAIM). A job reclaimed more times than max_attempts allows goes to the dead letters too:
// a job that kills its worker every time must not kill every worker forever.
//
// Delivery is at least once: a consumer may run a job twice (it died after the writes but before
// complete(), or it lost the job to a reclaim while slow). Job handlers must be idempotent; the
// worker is (upserts on generation keys).
//
//   JobQueue queue(redis, {.prefix = "pe:"});
//   co_await queue.ensure_group();
//   auto claimed = co_await queue.claim(blocking_redis, "worker-1", 50, 2s);
//   for (auto& job : *claimed) ... co_await queue.complete({job.id});
#pragma once

#include "common/config.hpp"
#include "jobs/job.hpp"
#include "net/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pe::jobs {

// The start of every Redis key of ours (queue and transaction buffer), so that several
// deployments can share one Redis.
inline constexpr std::string_view kDefaultRedisPrefix = "pe:";
// PRICING_REDIS_PREFIX, default kDefaultRedisPrefix.
std::string redis_prefix_from(EnvReader& read);

struct QueueOptions {
  std::string prefix{kDefaultRedisPrefix};
  std::chrono::milliseconds visibility{60'000};  // a running job untouched this long is reclaimed
  int max_attempts = 5;                          // runs before a job becomes a dead letter
  std::chrono::milliseconds retry_initial{2'000};
  std::chrono::milliseconds retry_max{60'000};
};

struct QueueKeys {
  explicit QueueKeys(std::string prefix_)
      : prefix(std::move(prefix_)),
        stream(prefix + "jobs"),
        delayed(prefix + "jobs:delayed"),
        dead(prefix + "jobs:dead") {}
  std::string prefix;
  std::string stream;
  std::string delayed;
  std::string dead;
  std::string group = "workers";
  std::string retry_hash(std::string_view id) const {
    return prefix + "jobs:retry:" + std::string(id);
  }
};

struct QueueStats {
  int64_t waiting = 0;  // in the stream, not yet claimed
  int64_t running = 0;  // claimed, not yet completed (pending in the group)
  int64_t delayed = 0;  // waiting for a retry
  int64_t dead = 0;     // dead letters
};

// What fail() did with a job.
struct FailOutcome {
  bool dead = false;                   // moved to the dead letters
  std::chrono::milliseconds delay{0};  // else: retried after this long
};

class JobQueue {
 public:
  JobQueue(std::shared_ptr<net::RedisConnection> redis, QueueOptions options = {});

  const QueueKeys& keys() const { return keys_; }
  const QueueOptions& options() const { return options_; }
  // The connection it uses (for what shares it: the activity log, activity_log.hpp).
  const std::shared_ptr<net::RedisConnection>& redis() const { return redis_; }

  // Creates the stream and the consumer group when missing (reading from the stream's start, so
  // jobs enqueued before any worker existed are delivered).
  boost::asio::awaitable<Result<void>> ensure_group();

  // XADD: the new job's id.
  boost::asio::awaitable<Result<std::string>> enqueue(const Job& job);

  // Up to `count` new jobs for `consumer`, waiting up to `block` for the first (0: no wait).
  // Blocking holds the connection: pass one used for nothing else (`blocking`). Malformed
  // entries are moved to the dead letters here and not returned.
  boost::asio::awaitable<Result<std::vector<Job>>> claim(net::RedisConnection& blocking,
                                                         const std::string& consumer, size_t count,
                                                         std::chrono::milliseconds block);

  // Jobs other consumers left idle longer than the visibility timeout, now `consumer`'s, their
  // attempt counting the lost runs. Those over max_attempts go to the dead letters instead.
  boost::asio::awaitable<Result<std::vector<Job>>> reclaim(const std::string& consumer,
                                                           size_t count);

  // Resets the idle time of jobs `consumer` still owns (call it well within the visibility
  // timeout while a job runs). Returns how many it still owned.
  boost::asio::awaitable<Result<size_t>> keep_alive(const std::string& consumer,
                                                    const std::vector<std::string>& ids);

  // Acknowledges and deletes finished jobs.
  boost::asio::awaitable<Result<void>> complete(const std::vector<std::string>& ids);

  // The job failed with `error`: retry it later, or dead-letter it after max_attempts.
  boost::asio::awaitable<Result<FailOutcome>> fail(const Job& job, std::string_view error);
  // The job cannot succeed, however often it is retried: straight to the dead letters (an org
  // action whose sealed token no longer opens, or whose user's session ended).
  boost::asio::awaitable<Result<void>> give_up(const Job& job, std::string_view error) {
    return dead_letter(job, error);
  }

  // Moves up to `limit` due retries back to the stream; returns how many.
  boost::asio::awaitable<Result<size_t>> release_due(size_t limit = 100);

  // Dead letters, oldest first.
  boost::asio::awaitable<Result<std::vector<Job>>> dead_letters(size_t limit);
  // Sends a dead letter back to the stream as a first attempt; false when no such dead letter.
  boost::asio::awaitable<Result<bool>> retry_dead(const std::string& id);
  boost::asio::awaitable<Result<bool>> drop_dead(const std::string& id);

  boost::asio::awaitable<Result<QueueStats>> stats();

  // Called after a job became a dead letter, whichever way (fail, give_up, reclaim over the
  // attempts): a batch job's chunk must then be counted as ended, or its job would never end.
  using DeadLetterHook = std::function<boost::asio::awaitable<void>(const Job&)>;
  void on_dead_letter(DeadLetterHook hook) { on_dead_letter_ = std::move(hook); }

  // The delay before retry number `attempt` + 1 (attempt 1 failed: retry_initial).
  std::chrono::milliseconds retry_delay(int attempt) const;

 private:
  boost::asio::awaitable<Result<std::vector<Job>>> take_entries(const net::RedisReply& entries,
                                                                bool reclaimed);
  boost::asio::awaitable<Result<void>> dead_letter(const Job& job, std::string_view error);

  std::shared_ptr<net::RedisConnection> redis_;
  QueueOptions options_;
  QueueKeys keys_;
  std::string reclaim_cursor_ = "0-0";
  DeadLetterHook on_dead_letter_;
};

// The queue's configuration from the environment (docs/config.md):
//   PRICING_REDIS_PREFIX          key prefix ("pe:")
//   PRICING_VISIBILITY_SECONDS    reclaim jobs idle this long (60)
//   PRICING_MAX_ATTEMPTS          runs before a dead letter (5)
//   PRICING_RETRY_SECONDS         first retry delay (2), doubling up to
//   PRICING_RETRY_MAX_SECONDS     (60)
QueueOptions queue_options_from(EnvReader& read);

}  // namespace pe::jobs
