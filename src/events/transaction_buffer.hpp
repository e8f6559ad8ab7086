// transaction_buffer.hpp: change events grouped by transactionKey in Redis until the transaction
// is complete, then flushed into exactly one job (jobs/job.hpp) on the job stream.
//
// The Node.js sample keeps this buffer in one process's memory and answers before anything is
// stored. Here every step is one Lua script, so it is atomic across any number of web
// instances, and add() returns only once the record Ids are in Redis: a 2xx means the change is
// safe (with Redis persistence on).
//
// Keys (prefix "pe:"; not Redis Cluster safe: the per-transaction keys are made inside scripts):
//   <prefix>tx:open        sorted set: open transaction → its last event (Redis TIME, ms)
//   <prefix>tx:conn        hash: open transaction → the connection its job is for
//   <prefix>tx:<key>       set: the open transaction's record Ids (duplicates fold)
//   <prefix>tx:done:<key>  set: Ids already flushed for that transaction, kept `dedupe_ttl`
//                          so that a redelivered event does not make a second job
//
// When is a transaction complete? Salesforce delivers a transaction's events together and in
// order, so an event of another transaction means every other open one is complete (the
// sample's rule): add() flushes them in the same script. A transaction whose events stopped
// is flushed by flush_idle() once `flush_after` passed since its last event; every web and
// worker process calls it every second, and whichever runs first flushes: one job, whoever
// flushes, even when the instance that buffered died. A late event of a flushed transaction
// with new Ids opens it again, and those Ids get a job of their own (the quotes' generation keys
// keep the result free of duplicates).
//
//   TransactionBuffer buffer(redis, {.prefix = "pe:"});
//   auto added = co_await buffer.add(tx_key, "my-org", ids);   // Result<AddResult>
//   auto flushed = co_await buffer.flush_idle();                // every second
#pragma once

#include "common/config.hpp"
#include "common/sfid.hpp"
#include "jobs/job_queue.hpp"
#include "net/redis_connection.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pe::events {

struct BufferOptions {
  std::string prefix{jobs::kDefaultRedisPrefix};
  std::chrono::milliseconds flush_after{15'000};  // PRICING_FLUSH_SECONDS
  std::chrono::seconds dedupe_ttl{86'400};        // PRICING_DEDUPE_SECONDS
};

struct FlushResult {
  // For each transaction flushed into a job: ms from its last event to the flush.
  std::vector<int64_t> latencies_ms;
};

struct AddResult {
  size_t added = 0;     // Ids new to the transaction (0: a redelivery)
  FlushResult flushed;  // other transactions this event completed
};

// A value to SET in the same script call as an event's Ids (atomic with them): the Pub/Sub
// subscriber's replay id, so that a restart resumes exactly after the last event stored.
// Binary-safe; empty key: none.
struct Checkpoint {
  std::string_view key;
  std::string_view value;
};

// One event to buffer: views the caller keeps valid until its add completes.
struct BufferedEvent {
  std::string_view transaction_key;
  std::string_view connection;
  std::span<const SalesforceId> ids;
  Checkpoint checkpoint = {};  // stored after this event's Ids (and every earlier event's)
};

// One instance per io_context thread (it is not thread-safe): the events that thread's requests
// add in one turn of its event loop go to Redis as one script call (see add()).
class TransactionBuffer {
 public:
  static constexpr size_t kMaxBatchEvents = 256;  // events per script call
  static constexpr size_t kMaxBatchIds = 10'000;  // record Ids per script call (and per event)

  TransactionBuffer(std::shared_ptr<net::RedisConnection> redis, BufferOptions options = {});

  // Stores the Ids in the transaction's buffer, after flushing every other open transaction.
  // Errc::unavailable (and nothing promised) when Redis is unreachable.
  //
  // The events of the calls made in one turn of the event loop (the requests that arrived
  // together) are sent as one script call, in the order of the calls, with the same result as
  // one call each: the script costs Redis one call's overhead for the whole batch instead of
  // one per event. One batch is in flight at a time: the events that arrive meanwhile make the
  // next, sent when its answer comes, so batches grow with the load instead of the number of
  // round trips (docs/benchmarks.md). The views must stay valid until the call completes (they
  // are the caller's).
  boost::asio::awaitable<Result<AddResult>> add(std::string_view transaction_key,
                                                std::string_view connection,
                                                std::span<const SalesforceId> ids);

  // The events of one delivery (a batch-mode request), in order: one answer each, after one
  // wait instead of a round trip per event. Nothing is stored when a transaction key is
  // invalid; otherwise the first failure is the result (the events before it may be stored:
  // a redelivery folds into them). An event's checkpoint is stored in the script call that
  // stores its Ids, after them.
  boost::asio::awaitable<Result<std::vector<AddResult>>> add_all(
      std::span<const BufferedEvent> events);

  // Flushes transactions idle for flush_after (at most `limit` a call).
  boost::asio::awaitable<Result<FlushResult>> flush_idle(size_t limit = 100);

  // Flushes every open transaction now (the demo, tests, a deploy that drains).
  boost::asio::awaitable<Result<FlushResult>> flush_all(size_t limit = 1000);

  const BufferOptions& options() const { return options_; }

 private:
  // An add_all() waiting for its answers: its events (in the waiting call's frame), how many
  // are not answered yet, and `resume`, which owns that frame until it is resumed or destroyed.
  struct Waiter {
    std::span<const BufferedEvent> events;
    std::vector<Result<AddResult>>* results;
    size_t unanswered;
    boost::asio::any_completion_handler<void()> resume;
  };
  // An event on its way: the index of its waiter's event.
  struct Queued {
    std::shared_ptr<Waiter> waiter;
    size_t index;
  };

  void start_batches(const boost::asio::any_io_executor& executor);
  boost::asio::awaitable<void> send_batch(std::vector<Queued> batch, size_t id_count);
  boost::asio::awaitable<Result<FlushResult>> flush_older_than(int64_t idle_ms, size_t limit);

  std::shared_ptr<net::RedisConnection> redis_;
  BufferOptions options_;
  std::string open_key_;
  std::string stream_key_;
  std::string ttl_;
  std::deque<Queued> queue_;  // added, not sent yet
  bool batch_posted_ = false;
  bool in_flight_ = false;  // a batch is on its way to Redis
};

// The transaction key must be 1 to 256 printable ASCII characters (it becomes part of Redis keys
// and generation keys); invalid_argument otherwise.
Result<void> check_transaction_key(std::string_view key);

// PRICING_REDIS_PREFIX ("pe:"), PRICING_FLUSH_SECONDS (15), PRICING_DEDUPE_SECONDS (86400).
BufferOptions buffer_options_from(EnvReader& read);

}  // namespace pe::events
