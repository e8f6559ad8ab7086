// The transaction buffer and the job queue against a real redis-server: a transaction becomes
// exactly one job however many instances buffer and flush it, redeliveries make no second job,
// idle transactions flush after the delay, and jobs are claimed, kept alive, reclaimed from a
// dead consumer, retried with backoff, dead-lettered, retried from the dead letters and dropped.
#include "jobs/job_queue.hpp"
#include "events/transaction_buffer.hpp"
#include "jobs/jobs_command.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <deque>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace pe {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using events::TransactionBuffer;
using jobs::Job;
using jobs::JobQueue;

// Runs io until the coroutine finishes.
template <class T>
T complete(asio::io_context& io, asio::awaitable<T> work) {
  auto future = asio::co_spawn(io, std::move(work), asio::use_future);
  while (future.wait_for(0s) != std::future_status::ready) {
    if (io.stopped()) io.restart();
    io.run_one_for(10ms);
  }
  return future.get();
}

std::vector<SalesforceId> opportunities(uint64_t first, size_t n) {
  std::vector<SalesforceId> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(SalesforceId::make("006", first + i));
  return ids;
}

class QueueTest : public ::testing::Test {
 protected:
  std::shared_ptr<net::RedisConnection> connect(std::chrono::milliseconds timeout = 2s) {
    auto redis =
        net::RedisConnection::create(
            io, {.url = server.url(), .connect_timeout = timeout, .command_timeout = timeout})
            .value();
    redis->start();
    connections.push_back(redis);
    return redis;
  }
  void TearDown() override {
    for (auto& c : connections) c->stop();
    io.run_for(50ms);
  }
  // The job queue on `redis`, its consumer group created.
  JobQueue queue_with_group(std::shared_ptr<net::RedisConnection> redis,
                            jobs::QueueOptions options = {}) {
    JobQueue queue(std::move(redis), std::move(options));
    auto ready = complete(io, queue.ensure_group());
    EXPECT_TRUE(ready) << ready.error().message;
    return queue;
  }
  std::vector<Job> claim_all(JobQueue& queue, const std::string& consumer) {
    auto blocking = connect();
    auto claimed = complete(io, queue.claim(*blocking, consumer, 1000, 0ms));
    EXPECT_TRUE(claimed) << claimed.error().message;
    return claimed ? *claimed : std::vector<Job>{};
  }

  test::RedisServer server;
  asio::io_context io;
  std::vector<std::shared_ptr<net::RedisConnection>> connections;
};

TEST_F(QueueTest, AnEventOfAnotherTransactionFlushesTheOpenOneIntoOneJob) {
  auto redis = connect();
  TransactionBuffer buffer(redis);
  JobQueue queue = queue_with_group(redis);
  auto a = opportunities(1, 3);
  auto first = complete(io, buffer.add("tx-a", "my-org", std::span(a).subspan(0, 2)));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->added, 2u);
  EXPECT_TRUE(first->flushed.latencies_ms.empty());
  auto again = complete(io, buffer.add("tx-a", "my-org", std::span(a).subspan(1, 2)));
  EXPECT_EQ(again->added, 1u);                  // a[1] was there already
  EXPECT_TRUE(claim_all(queue, "w1").empty());  // still open

  auto b = opportunities(100, 1);
  auto other = complete(io, buffer.add("tx-b", "my-org", b));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->flushed.latencies_ms.size(), 1u);
  auto jobs = claim_all(queue, "w1");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].transaction_key, "tx-a");
  EXPECT_EQ(jobs[0].connection, "my-org");
  EXPECT_EQ(jobs[0].record_ids, a);  // sorted, deduplicated
  EXPECT_EQ(jobs[0].attempt, 1);
  EXPECT_GT(jobs[0].enqueued_ms, 0);
}

TEST_F(QueueTest, ARedeliveredEventMakesNoSecondJob) {
  auto redis = connect();
  TransactionBuffer buffer(redis);
  JobQueue queue = queue_with_group(redis);
  auto ids = opportunities(1, 5);
  ASSERT_TRUE(complete(io, buffer.add("tx-a", "my-org", ids)));
  auto flushed = complete(io, buffer.flush_all());
  ASSERT_TRUE(flushed);
  EXPECT_EQ(flushed->latencies_ms.size(), 1u);
  auto redelivered = complete(io, buffer.add("tx-a", "my-org", ids));
  ASSERT_TRUE(redelivered);
  EXPECT_EQ(redelivered->added, 0u);
  EXPECT_TRUE(complete(io, buffer.flush_all())->latencies_ms.empty());
  EXPECT_EQ(claim_all(queue, "w1").size(), 1u);
  // A late event with a new Id opens the transaction again, for that Id only.
  auto late = opportunities(50, 1);
  auto more = complete(io, buffer.add("tx-a", "my-org", late));
  EXPECT_EQ(more->added, 1u);
  ASSERT_EQ(complete(io, buffer.flush_all())->latencies_ms.size(), 1u);
  auto jobs = claim_all(queue, "w1");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].record_ids, late);
}

TEST_F(QueueTest, AnIdleTransactionIsFlushedAfterTheDelay) {
  auto redis = connect();
  TransactionBuffer buffer(redis, {.flush_after = 300ms});
  JobQueue queue = queue_with_group(redis);
  auto ids = opportunities(1, 2);
  ASSERT_TRUE(complete(io, buffer.add("tx-a", "my-org", ids)));
  EXPECT_TRUE(complete(io, buffer.flush_idle())->latencies_ms.empty());
  std::this_thread::sleep_for(400ms);
  auto flushed = complete(io, buffer.flush_idle());
  ASSERT_EQ(flushed->latencies_ms.size(), 1u);
  EXPECT_GE(flushed->latencies_ms[0], 300);
  EXPECT_EQ(claim_all(queue, "w1").size(), 1u);
}

// Two instances buffer interleaved events and flush concurrently: one job per transaction.
// Adds made in the same turn of the event loop go to Redis as one script call; each gets the
// answer it would have had alone, in the order of the calls.
TEST_F(QueueTest, AddsOfOneTurnAreOneScriptCallWithEachItsOwnAnswer) {
  auto redis = connect();
  TransactionBuffer buffer(redis);
  JobQueue queue = queue_with_group(redis);
  auto a = opportunities(1, 4);
  auto b = opportunities(100, 2);
  // tx-a: a0 a1, a1 a2 (one new), a2 (none new); tx-b: b0 b1 (flushes tx-a); tx-a again: a3
  // (reopens it; flushes tx-b), a0 (flushed already: not added).
  struct Add {
    std::string key;
    std::vector<SalesforceId> ids;
  };
  const std::vector<Add> calls = {{"tx-a", {a[0], a[1]}}, {"tx-a", {a[1], a[2]}}, {"tx-a", {a[2]}},
                                  {"tx-b", {b[0], b[1]}}, {"tx-a", {a[3]}},       {"tx-a", {a[0]}}};
  auto before = complete(io, redis->exec(net::RedisCommand("INFO", "commandstats")));
  ASSERT_TRUE(before);
  std::vector<std::future<Result<events::AddResult>>> adds;
  for (const auto& call : calls) {
    adds.push_back(asio::co_spawn(io, buffer.add(call.key, "org", call.ids), asio::use_future));
  }
  std::vector<size_t> added;
  std::vector<size_t> flushed;
  for (auto& f : adds) {
    while (f.wait_for(0s) != std::future_status::ready) io.run_one_for(10ms);
    auto result = f.get();
    ASSERT_TRUE(result) << result.error().message;
    added.push_back(result->added);
    flushed.push_back(result->flushed.latencies_ms.size());
  }
  EXPECT_EQ(added, (std::vector<size_t>{2, 1, 0, 2, 1, 0}));
  EXPECT_EQ(flushed, (std::vector<size_t>{0, 0, 0, 1, 1, 0}));
  auto after = complete(io, redis->exec(net::RedisCommand("INFO", "commandstats")));
  ASSERT_TRUE(after);
  auto script_calls = [](const net::RedisReply& info) {
    const std::string& text = info.text;
    auto at = text.find("cmdstat_evalsha:calls=");
    if (at == std::string::npos) return 0L;
    return std::stol(text.substr(at + 22));
  };
  EXPECT_EQ(script_calls(*after) - script_calls(*before), 1);  // six events, one call

  ASSERT_TRUE(complete(io, buffer.flush_all()));
  auto jobs = claim_all(queue, "w1");
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].transaction_key, "tx-a");
  EXPECT_EQ(jobs[0].record_ids, (std::vector<SalesforceId>{a[0], a[1], a[2]}));
  EXPECT_EQ(jobs[1].transaction_key, "tx-b");
  EXPECT_EQ(jobs[1].record_ids, b);
  EXPECT_EQ(jobs[2].transaction_key, "tx-a");
  EXPECT_EQ(jobs[2].record_ids, (std::vector<SalesforceId>{a[3]}));
}

// The script works through runs of events (same transaction and connection) with one
// membership test each. Random deliveries (few transactions, a small pool of Ids so that
// repeats within an event, a run and a flushed transaction are common, two connections, empty
// events) must get the same answers and leave the same jobs in one call as in one call each.
TEST_F(QueueTest, ABatchAnswersExactlyAsOneCallPerEvent) {
  auto redis = connect();
  TransactionBuffer batched(redis, {.prefix = "batched:"});
  TransactionBuffer alone(redis, {.prefix = "alone:"});
  JobQueue batched_queue = queue_with_group(redis, {.prefix = "batched:"});
  JobQueue alone_queue = queue_with_group(redis, {.prefix = "alone:"});
  std::mt19937 random(20261123);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  for (int round = 0; round < 8; ++round) {
    const auto pool = opportunities(1 + 6 * static_cast<uint64_t>(round), 12);  // half seen
    std::vector<std::string> keys;
    std::vector<std::vector<SalesforceId>> ids;
    std::vector<events::BufferedEvent> delivery;
    for (int e = 0; e < 60; ++e) {
      // Runs: mostly the previous event's transaction again.
      keys.push_back(e > 0 && pick(3) > 0 ? keys.back() : "tx-" + std::to_string(pick(3)));
      ids.emplace_back();
      for (int i = pick(5); i > 0; --i) ids.back().push_back(pool[static_cast<size_t>(pick(12))]);
    }
    for (size_t e = 0; e < keys.size(); ++e) {
      delivery.push_back({keys[e], e % 7 == 3 ? "org-2" : "org-1", ids[e]});
    }
    auto together = complete(io, batched.add_all(delivery));
    ASSERT_TRUE(together) << together.error().message;
    size_t added = 0;
    for (size_t e = 0; e < delivery.size(); ++e) {
      added += (*together)[e].added;
      auto single = complete(io, alone.add_all(std::span(&delivery[e], 1)));
      ASSERT_TRUE(single) << single.error().message;
      EXPECT_EQ((*together)[e].added, single->front().added) << round << " " << e;
      EXPECT_EQ((*together)[e].flushed.latencies_ms.size(),
                single->front().flushed.latencies_ms.size())
          << round << " " << e;
    }
    EXPECT_GT(added, 0u) << round;
  }
  ASSERT_TRUE(complete(io, batched.flush_all()));
  ASSERT_TRUE(complete(io, alone.flush_all()));
  auto batched_jobs = claim_all(batched_queue, "w1");
  auto alone_jobs = claim_all(alone_queue, "w1");
  ASSERT_EQ(batched_jobs.size(), alone_jobs.size());
  EXPECT_GT(batched_jobs.size(), 12u);
  for (size_t j = 0; j < batched_jobs.size(); ++j) {
    EXPECT_EQ(batched_jobs[j].transaction_key, alone_jobs[j].transaction_key) << j;
    EXPECT_EQ(batched_jobs[j].connection, alone_jobs[j].connection) << j;
    EXPECT_EQ(batched_jobs[j].record_ids, alone_jobs[j].record_ids) << j;
  }
}

// Lua's unpack takes at most 8,000 values: an event's Ids go to Redis 1,000 at a time.
TEST_F(QueueTest, AnEventWithThousandsOfIdsIsStoredAndRedeliveredWhole) {
  auto redis = connect();
  TransactionBuffer buffer(redis);
  JobQueue queue = queue_with_group(redis);
  auto ids = opportunities(1, 9'000);
  auto added = complete(io, buffer.add("tx-big", "org", std::span(ids).subspan(0, 8'999)));
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->added, 8'999u);
  ASSERT_TRUE(complete(io, buffer.flush_all()));
  auto again = complete(io, buffer.add("tx-big", "org", ids));  // all flushed but the last
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->added, 1u);
  ASSERT_TRUE(complete(io, buffer.flush_all()));
  auto jobs = claim_all(queue, "w1");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].record_ids.size(), 8'999u);
  EXPECT_EQ(jobs[1].record_ids, std::vector<SalesforceId>{ids.back()});
}

// A delivery's events in one add_all(): one answer each, in order, even when they are more than
// one script call takes; a bad transaction key anywhere stores nothing.
TEST_F(QueueTest, ADeliveryLargerThanABatchIsAnsweredWholeAndInOrder) {
  auto redis = connect();
  TransactionBuffer buffer(redis);
  JobQueue queue = queue_with_group(redis);
  constexpr size_t kEvents = TransactionBuffer::kMaxBatchEvents + 44;
  auto ids = opportunities(1, kEvents);
  // Three transactions one after another, the second spanning the two script calls.
  std::vector<events::BufferedEvent> delivery;
  for (size_t i = 0; i < kEvents; ++i) {
    const char* key = i < 100 ? "tx-1" : i < 280 ? "tx-2" : "tx-3";
    delivery.push_back({key, "org", std::span(ids).subspan(i, 1)});
  }
  auto bad = delivery;
  bad[kEvents - 1].transaction_key = "tx with spaces";
  EXPECT_FALSE(complete(io, buffer.add_all(bad)));
  ASSERT_TRUE(complete(io, buffer.flush_all()));
  EXPECT_TRUE(claim_all(queue, "w1").empty());  // nothing was stored

  auto answers = complete(io, buffer.add_all(delivery));
  ASSERT_TRUE(answers) << answers.error().message;
  ASSERT_EQ(answers->size(), kEvents);
  for (size_t i = 0; i < kEvents; ++i) {
    EXPECT_EQ((*answers)[i].added, 1u) << i;
    // The first event of tx-2 completes tx-1; the first of tx-3 completes tx-2.
    EXPECT_EQ((*answers)[i].flushed.latencies_ms.size(), i == 100 || i == 280 ? 1u : 0u) << i;
  }
  ASSERT_TRUE(complete(io, buffer.flush_all()));
  auto jobs = claim_all(queue, "w1");
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].transaction_key, "tx-1");
  EXPECT_EQ(jobs[0].record_ids.size(), 100u);
  EXPECT_EQ(jobs[1].transaction_key, "tx-2");
  EXPECT_EQ(jobs[1].record_ids.size(), 180u);
  EXPECT_EQ(jobs[2].transaction_key, "tx-3");
  EXPECT_EQ(jobs[2].record_ids.size(), kEvents - 280);
}

// The Pub/Sub subscriber's replay id goes to Redis in the script call that stores its event's Ids:
// after a delivery, the checkpoint is the last event's, bytes intact, and every Id before it is
// buffered. A delivery larger than a batch stores each batch's last checkpoint with that batch.
TEST_F(QueueTest, ACheckpointIsStoredInTheScriptCallThatStoresItsIds) {
  auto redis = connect();
  TransactionBuffer buffer(redis);
  JobQueue queue = queue_with_group(redis);
  constexpr size_t kEvents = TransactionBuffer::kMaxBatchEvents + 10;
  auto ids = opportunities(1, kEvents);
  std::vector<std::string> replay_ids;
  for (size_t i = 0; i < kEvents; ++i) {
    std::string id(8, '\0');  // 8 bytes, big-endian, zeros included: stored as bytes
    id[6] = static_cast<char>(i >> 8);
    id[7] = static_cast<char>(i & 0xff);
    replay_ids.push_back(id);
  }
  const std::string key = "pe:pubsub:replay:test";
  auto get = [&]() {
    auto reply = complete(io, redis->exec(net::RedisCommand("GET", key)));
    EXPECT_TRUE(reply);
    return reply ? reply->text : std::string();
  };
  std::vector<events::BufferedEvent> first_batch;
  for (size_t i = 0; i < TransactionBuffer::kMaxBatchEvents; ++i) {
    first_batch.push_back({"tx-1", "org", std::span(ids).subspan(i, 1), {key, replay_ids[i]}});
  }
  ASSERT_TRUE(complete(io, buffer.add_all(first_batch)));
  EXPECT_EQ(get(), replay_ids[TransactionBuffer::kMaxBatchEvents - 1]);

  std::vector<events::BufferedEvent> rest;
  for (size_t i = TransactionBuffer::kMaxBatchEvents; i < kEvents; ++i) {
    rest.push_back({"tx-2", "org", std::span(ids).subspan(i, 1), {key, replay_ids[i]}});
  }
  rest.push_back({"tx-2", "org", {}, {}});  // no checkpoint: the last one stays
  ASSERT_TRUE(complete(io, buffer.add_all(rest)));
  EXPECT_EQ(get(), replay_ids.back());
  EXPECT_EQ(get().size(), 8u);
  ASSERT_TRUE(complete(io, buffer.flush_all()));
  auto jobs = claim_all(queue, "w1");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].record_ids.size(), TransactionBuffer::kMaxBatchEvents);
  EXPECT_EQ(jobs[1].record_ids.size(), 10u);
}

TEST_F(QueueTest, ConcurrentInstancesMakeExactlyOneJobPerTransaction) {
  auto one = connect();
  auto two = connect();
  TransactionBuffer first(one, {.flush_after = 10ms});
  TransactionBuffer second(two, {.flush_after = 10ms});
  JobQueue queue = queue_with_group(one);
  constexpr int kTransactions = 60;
  std::vector<std::future<Result<events::AddResult>>> adds;
  std::vector<std::future<Result<events::FlushResult>>> flushes;
  // The coroutines start later: what they read must outlive them.
  std::deque<std::string> keys;
  std::deque<std::vector<SalesforceId>> halves;
  for (int t = 0; t < kTransactions; ++t) {
    auto ids = opportunities(1 + t * 10, 10);
    keys.push_back("tx-" + std::to_string(t));
    halves.emplace_back(ids.begin(), ids.begin() + 5);
    auto& front = halves.back();
    halves.emplace_back(ids.begin() + 3, ids.end());
    auto& back = halves.back();
    // Half of each transaction's Ids through each instance, with flushes racing them.
    adds.push_back(asio::co_spawn(io, first.add(keys.back(), "org", front), asio::use_future));
    adds.push_back(asio::co_spawn(io, second.add(keys.back(), "org", back), asio::use_future));
    flushes.push_back(asio::co_spawn(io, first.flush_idle(), asio::use_future));
    flushes.push_back(asio::co_spawn(io, second.flush_idle(), asio::use_future));
  }
  flushes.push_back(asio::co_spawn(io, first.flush_all(), asio::use_future));
  flushes.push_back(asio::co_spawn(io, second.flush_all(), asio::use_future));
  for (auto& f : adds) {
    while (f.wait_for(0s) != std::future_status::ready) io.run_one_for(10ms);
    ASSERT_TRUE(f.get());
  }
  for (auto& f : flushes) {
    while (f.wait_for(0s) != std::future_status::ready) io.run_one_for(10ms);
    ASSERT_TRUE(f.get());
  }
  ASSERT_TRUE(complete(io, first.flush_all()));
  auto jobs = claim_all(queue, "w1");
  // A flush may have taken a transaction between its two halves: then its late half is a job
  // of its own (same transaction key), and no Id is in two jobs.
  std::set<std::string> ids_seen;
  std::set<std::string> transactions;
  for (const auto& job : jobs) {
    transactions.insert(job.transaction_key);
    for (const auto& id : job.record_ids) {
      EXPECT_TRUE(ids_seen.insert(std::string(id.str())).second) << id.str();
    }
  }
  EXPECT_EQ(transactions.size(), size_t{kTransactions});
  EXPECT_EQ(ids_seen.size(), size_t{kTransactions * 10});
}

TEST_F(QueueTest, AFailedJobIsRetriedWithBackoffThenDeadLetteredThenRetriedOrDropped) {
  auto redis = connect();
  JobQueue queue =
      queue_with_group(redis, {.max_attempts = 2, .retry_initial = 100ms, .retry_max = 1s});
  Job job{.transaction_key = "tx-a", .connection = "org", .record_ids = opportunities(1, 2)};
  ASSERT_TRUE(complete(io, queue.enqueue(job)));
  auto claimed = claim_all(queue, "w1");
  ASSERT_EQ(claimed.size(), 1u);
  auto failed = complete(io, queue.fail(claimed[0], "org said no\nsecond line"));
  ASSERT_TRUE(failed);
  EXPECT_FALSE(failed->dead);
  EXPECT_EQ(failed->delay, 100ms);
  EXPECT_EQ(complete(io, queue.stats())->delayed, 1);
  EXPECT_EQ(*complete(io, queue.release_due()), 0u);  // not yet due
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(*complete(io, queue.release_due()), 1u);
  claimed = claim_all(queue, "w1");
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].attempt, 2);
  EXPECT_EQ(claimed[0].error, "org said no second line");
  failed = complete(io, queue.fail(claimed[0], "still no"));
  EXPECT_TRUE(failed->dead);
  auto stats = complete(io, queue.stats());
  EXPECT_EQ(stats->waiting + stats->running + stats->delayed, 0);
  EXPECT_EQ(stats->dead, 1);

  auto dead = complete(io, queue.dead_letters(10));
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].error, "still no");
  EXPECT_EQ((*dead)[0].record_ids, job.record_ids);
  EXPECT_FALSE(*complete(io, queue.retry_dead("1-1")));    // no such dead letter
  EXPECT_FALSE(complete(io, queue.retry_dead("KEYS *")));  // not an id: refused
  ASSERT_TRUE(*complete(io, queue.retry_dead((*dead)[0].id)));
  claimed = claim_all(queue, "w1");
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].attempt, 1);
  EXPECT_EQ(claimed[0].transaction_key, "tx-a");
  ASSERT_TRUE(complete(io, queue.fail(claimed[0], "x")));
  std::this_thread::sleep_for(150ms);
  complete(io, queue.release_due());
  claimed = claim_all(queue, "w1");
  ASSERT_TRUE(complete(io, queue.fail(claimed.at(0), "y"))->dead);
  dead = complete(io, queue.dead_letters(10));
  ASSERT_TRUE(*complete(io, queue.drop_dead(dead->at(0).id)));
  EXPECT_EQ(complete(io, queue.stats())->dead, 0);
}

TEST_F(QueueTest, AJobOfADeadConsumerIsReclaimedUnlessKeptAlive) {
  auto redis = connect();
  JobQueue queue = queue_with_group(redis, {.visibility = 300ms, .max_attempts = 3});
  Job job{.transaction_key = "tx-a", .connection = "org", .record_ids = opportunities(1, 1)};
  ASSERT_TRUE(complete(io, queue.enqueue(job)));
  ASSERT_TRUE(complete(io, queue.enqueue(job)));
  auto claimed = claim_all(queue, "alive");
  ASSERT_EQ(claimed.size(), 2u);
  // "alive" keeps the first job; it abandons the second one.
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(*complete(io, queue.keep_alive("alive", {claimed[0].id})), 1u);
  }
  JobQueue other(redis, {.visibility = 300ms, .max_attempts = 3});
  auto reclaimed = complete(io, other.reclaim("rescuer", 10));
  ASSERT_TRUE(reclaimed) << reclaimed.error().message;
  ASSERT_EQ(reclaimed->size(), 1u);
  EXPECT_EQ((*reclaimed)[0].id, claimed[1].id);
  EXPECT_EQ((*reclaimed)[0].attempt, 2);  // the lost run counts
  // The slow consumer cannot take it back.
  EXPECT_EQ(*complete(io, queue.keep_alive("alive", {claimed[1].id})), 0u);
  ASSERT_TRUE(complete(io, other.complete({claimed[1].id})));
  ASSERT_TRUE(complete(io, queue.complete({claimed[0].id})));
  auto stats = complete(io, queue.stats());
  EXPECT_EQ(stats->waiting + stats->running, 0);
}

TEST_F(QueueTest, AJobThatKeepsKillingItsWorkersIsDeadLettered) {
  auto redis = connect();
  JobQueue queue = queue_with_group(redis, {.visibility = 100ms, .max_attempts = 2});
  Job job{.transaction_key = "tx-a", .connection = "org", .record_ids = opportunities(1, 1)};
  ASSERT_TRUE(complete(io, queue.enqueue(job)));
  ASSERT_EQ(claim_all(queue, "first").size(), 1u);
  std::this_thread::sleep_for(150ms);
  ASSERT_EQ(complete(io, queue.reclaim("second", 10))->size(), 1u);  // attempt 2
  std::this_thread::sleep_for(150ms);
  EXPECT_TRUE(complete(io, queue.reclaim("third", 10))->empty());  // attempt 3 > 2
  auto dead = complete(io, queue.dead_letters(10));
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE(dead->at(0).error.find("worker stopped before finishing it"), std::string::npos);
}

TEST_F(QueueTest, AMalformedEntryBecomesADeadLetterNotACrash) {
  auto redis = connect();
  JobQueue queue = queue_with_group(redis);
  net::RedisCommand bad("XADD", queue.keys().stream, "*", "tx", "t", "conn", "c", "ids",
                        "006-not-an-id");
  ASSERT_TRUE(complete(io, redis->exec(bad)));
  EXPECT_TRUE(claim_all(queue, "w1").empty());
  auto dead = complete(io, queue.dead_letters(10));
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE(dead->at(0).error.find("ids"), std::string::npos) << dead->at(0).error;
  EXPECT_EQ(complete(io, queue.stats())->running, 0);
}

TEST_F(QueueTest, TheJobsCommandShowsAndHandlesBothQueuesDeadLetters) {
  auto redis = connect();
  JobQueue queue = queue_with_group(redis);
  JobQueue batch_queue = queue_with_group(redis, {.prefix = "pe:batch:"});
  Job eventing{.transaction_key = "tx-a", .connection = "org", .record_ids = opportunities(1, 1)};
  eventing.id = *complete(io, queue.enqueue(eventing));
  Job chunk{.transaction_key = "job-x", .connection = "org"};
  chunk.batch = jobs::BatchTask{.job_id = "5a1c0000-0000-4000-8000-00000000000b",
                                .kind = "quote",
                                .step = jobs::BatchTask::Step::chunk,
                                .chunk = 3,
                                .instance_url = "https://acme.my.salesforce.com",
                                .api_version = "62.0"};
  chunk.id = *complete(io, batch_queue.enqueue(chunk));
  ASSERT_TRUE(complete(io, queue.give_up(eventing, "no way")));
  ASSERT_TRUE(complete(io, batch_queue.give_up(chunk, "chunk 3: refused")));
  Env env(std::map<std::string, std::string, std::less<>>{{"REDIS_URL", server.url()}});
  auto run = [&](jobs::JobsOptions options) {
    std::ostringstream out, err;
    int code = jobs::run_jobs_command(options, env, out, err);
    EXPECT_EQ(code, 0) << err.str();
    return out.str();
  };
  auto stats = run({.action = "stats"});
  EXPECT_NE(stats.find("dead 1\nbatch waiting 0\nbatch running 0\nbatch delayed 0\nbatch dead 1"),
            std::string::npos)
      << stats;
  auto list = run({.action = "list"});
  EXPECT_NE(list.find("tx=tx-a"), std::string::npos) << list;
  EXPECT_NE(list.find("batch job=5a1c0000-0000-4000-8000-00000000000b  kind=quote  step=chunk  "
                      "chunk=3"),
            std::string::npos)
      << list;
  EXPECT_NE(list.find("error: chunk 3: refused"), std::string::npos) << list;
  // Both streams number their entries alike: a batch task's dead letter is named batch:<id>.
  auto batch_dead = complete(io, batch_queue.dead_letters(10));
  ASSERT_EQ(batch_dead->size(), 1u);
  std::string name = "batch:" + batch_dead->at(0).id;
  EXPECT_NE(list.find(name + "  batch job="), std::string::npos) << list;
  EXPECT_EQ(run({.action = "drop", .id = name}), "dropped 1 dead letter\n");
  EXPECT_EQ(complete(io, batch_queue.stats())->dead, 0);
  EXPECT_EQ(complete(io, queue.stats())->dead, 1);
  EXPECT_EQ(run({.action = "drop", .all = true}), "dropped 1 dead letter\n");
  EXPECT_EQ(run({.action = "list"}), "no dead letters\n");
}

TEST_F(QueueTest, BufferingFailsWhenRedisIsDown) {
  auto redis = connect(300ms);
  TransactionBuffer buffer(redis);
  auto ids = opportunities(1, 1);
  ASSERT_TRUE(complete(io, buffer.add("tx-a", "org", ids)));
  server.stop();
  auto added = complete(io, buffer.add("tx-a", "org", ids));
  ASSERT_FALSE(added);
  EXPECT_TRUE(added.error().code == Errc::unavailable ||
              added.error().code == Errc::deadline_exceeded)
      << added.error().message;
  EXPECT_FALSE(complete(io, buffer.add("tx with spaces", "org", ids)));
}

}  // namespace
}  // namespace pe
