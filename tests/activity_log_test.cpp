// The activity log (jobs/activity_log.hpp) against a real redis-server: entries collapse to one
// row per job, newest first, a batch job's row shows its live status, the stream stays capped,
// per-minute counters land in their minute with their expiry, the total adds up, and a Redis that
// refuses fails no caller.
#include "jobs/activity_log.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

namespace pe {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using jobs::ActivityEntry;
using jobs::ActivityKind;
using jobs::ActivityLog;
using jobs::ActivityStatus;

template <class T>
T complete(asio::io_context& io, asio::awaitable<T> work) {
  auto future = asio::co_spawn(io, std::move(work), asio::use_future);
  while (future.wait_for(0s) != std::future_status::ready) {
    if (io.stopped()) io.restart();
    io.run_one_for(10ms);
  }
  return future.get();
}

constexpr int64_t kMinute = 60'000;
// The middle of the current minute, so that "kNow - 5 min" is 5 minutes back exactly (a minute's
// counters expire two hours after it: a fixed date would be long gone).
const int64_t kNow = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                             .count() /
                         kMinute * kMinute +
                     30'000;

jobs::Job eventing_job(const std::string& tx) {
  jobs::Job job;
  job.id = "1-0";
  job.transaction_key = tx;
  job.connection = "my-org";
  return job;
}

jobs::Job async_job(const std::string& id) {
  jobs::Job job = eventing_job("inv-" + id);
  jobs::OrgAction action;
  action.job_id = id;
  action.org_id = SalesforceId::make("00D", 7);
  job.action = action;
  return job;
}

ActivityEntry at(ActivityEntry e, int64_t ms) {
  e.at_ms = ms;
  return e;
}

class ActivityLogTest : public ::testing::Test {
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
  net::RedisReply run(std::shared_ptr<net::RedisConnection> redis, net::RedisCommand command) {
    auto reply = complete(io, redis->exec(std::move(command)));
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : net::RedisReply{};
  }
  void record(ActivityLog& log, std::vector<ActivityEntry> entries) {
    auto done = complete(io, log.try_record(std::move(entries)));
    ASSERT_TRUE(done) << done.error().message;
  }

  test::RedisServer server;
  asio::io_context io;
  std::vector<std::shared_ptr<net::RedisConnection>> connections;
};

TEST_F(ActivityLogTest, RecentShowsEachJobOnceNewestFirstWithItsLatestStatus) {
  auto redis = connect();
  ActivityLog log(redis);
  auto a = eventing_job("tx-a");
  auto b = async_job("0f8e7d6c-0000-4000-8000-000000000001");
  record(log, {at(jobs::job_activity(a, ActivityStatus::queued), kNow - 3'000)});
  record(log, {at(jobs::job_activity(b, ActivityStatus::queued), kNow - 2'000)});
  record(log, {at(jobs::job_activity(a, ActivityStatus::succeeded, 3), kNow - 1'000)});
  std::string error = "callback: Authorization: Bearer 00D000000000001!AQ4.secret\nsecond line";
  record(log, {at(jobs::job_activity(b, ActivityStatus::failed, 0, 2, error), kNow)});

  auto rows = complete(io, log.recent(10));
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  const auto& action = (*rows)[0];
  EXPECT_EQ(action.kind, ActivityKind::org_action_async);
  EXPECT_EQ(action.id, b.action->job_id);
  EXPECT_EQ(action.org, std::string(b.action->org_id.str()));
  EXPECT_EQ(action.status, ActivityStatus::failed);
  EXPECT_EQ(action.failed, 2);
  EXPECT_EQ(action.detail.find("AQ4.secret"), std::string::npos) << action.detail;
  EXPECT_EQ(action.detail.find('\n'), std::string::npos);
  EXPECT_NE(action.detail.find("second line"), std::string::npos);
  EXPECT_EQ(action.at_ms, kNow);
  EXPECT_EQ(action.since_ms, kNow - 2'000);
  const auto& tx = (*rows)[1];
  EXPECT_EQ(tx.kind, ActivityKind::eventing);
  EXPECT_EQ(tx.id, "tx-a");
  EXPECT_EQ(tx.connection, "my-org");
  EXPECT_EQ(tx.status, ActivityStatus::succeeded);
  EXPECT_EQ(tx.quotes, 3);
  EXPECT_EQ(tx.since_ms, kNow - 3'000);

  auto one = complete(io, log.recent(1));
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].id, b.action->job_id);
  // No token reached Redis.
  auto raw = run(redis, net::RedisCommand("XRANGE", log.keys().stream, "-", "+"));
  for (const auto& entry : raw.elements) {
    for (const auto& f : entry.elements[1].elements) {
      EXPECT_EQ(f.text.find("AQ4.secret"), std::string::npos);
    }
  }
}

TEST_F(ActivityLogTest, ThroughputCountsEachMinuteWithAnExpiryAndTheTotalAddsUp) {
  auto redis = connect();
  ActivityLog log(redis);
  auto a = eventing_job("tx-a");
  auto b = eventing_job("tx-b");
  auto c = eventing_job("tx-c");
  record(log, {at(jobs::job_activity(a, ActivityStatus::succeeded, 4), kNow - 5 * kMinute),
               at(jobs::job_activity(b, ActivityStatus::running), kNow),
               at(jobs::job_activity(b, ActivityStatus::succeeded, 2), kNow),
               at(jobs::job_activity(c, ActivityStatus::failed, 0, 1), kNow)});
  auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(kNow));
  auto points = complete(io, log.throughput(now));
  ASSERT_TRUE(points) << points.error().message;
  ASSERT_EQ(points->size(), 60u);
  const auto& last = points->back();
  EXPECT_EQ(last.minute, kNow / kMinute);
  EXPECT_EQ(last.quotes, 2);
  EXPECT_EQ(last.jobs, 2);  // b and c ended; b's running counts nothing
  EXPECT_EQ(last.failed, 1);
  const auto& earlier = (*points)[60 - 1 - 5];
  EXPECT_EQ(earlier.minute, kNow / kMinute - 5);
  EXPECT_EQ(earlier.quotes, 4);
  EXPECT_EQ(earlier.jobs, 1);
  EXPECT_EQ(earlier.failed, 0);
  int64_t others = 0;
  for (const auto& p : *points) others += p.quotes + p.jobs + p.failed;
  EXPECT_EQ(others, 2 + 2 + 1 + 4 + 1);
  EXPECT_EQ(complete(io, log.throughput(now, 5))->size(), 5u);

  // Each minute's hash expires two hours after its minute.
  auto expires = run(redis, net::RedisCommand("EXPIRETIME", log.keys().minute(kNow / kMinute)));
  EXPECT_EQ(expires.integer, (kNow / kMinute + 1) * 60 + 7'200);

  // A chunk's quotes count now, in the current minute, and in the total.
  complete(io, log.count_quotes(10));
  auto current = complete(io, log.throughput(std::chrono::system_clock::now()));
  ASSERT_TRUE(current);
  int64_t quotes = 0, ended = 0;
  for (const auto& p : *current) {
    quotes += p.quotes;
    ended += p.jobs;
  }
  EXPECT_EQ(quotes, 4 + 2 + 10);
  EXPECT_EQ(ended, 3);
  auto ttl = run(redis, net::RedisCommand("TTL", log.keys().minute(current->back().minute)));
  EXPECT_GT(ttl.integer, 7'200);
  EXPECT_LE(ttl.integer, 7'260);
  auto total = complete(io, log.quotes_total());
  ASSERT_TRUE(total);
  EXPECT_EQ(*total, 4 + 2 + 10);
}

TEST_F(ActivityLogTest, ABatchJobShowsItsLiveStatusAndItsQuotesAreCountedByItsChunks) {
  auto redis = connect();
  ActivityLog log(redis);
  jobs::BatchStatus status;
  status.id = "5a1c0000-0000-4000-8000-00000000000b";
  status.kind = "quote";
  status.org = SalesforceId::make("00D", 9);
  record(log, {jobs::batch_activity(status)});
  // The job runs: its status hash (batch_job.hpp) moves on without a new entry.
  run(redis, net::RedisCommand("HSET", "pe:batchjob:" + status.id, "state", "running", "kind",
                               "quote", "quotes", "40", "failed", "1", "planned", "1", "chunks",
                               "5", "chunks_done", "2"));
  auto rows = complete(io, log.recent());
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].kind, ActivityKind::batch);
  EXPECT_EQ((*rows)[0].status, ActivityStatus::running);
  EXPECT_EQ((*rows)[0].quotes, 40);
  EXPECT_EQ((*rows)[0].failed, 1);
  EXPECT_EQ((*rows)[0].detail, "quote, chunks 2/5");
  EXPECT_EQ((*rows)[0].org, std::string(status.org.str()));

  // Its end counts one job, not its quotes again (its chunks counted them).
  status.state = "partially_failed";
  status.counts.quotes = 99;
  record(log, {jobs::batch_activity(status)});
  auto points = complete(io, log.throughput(std::chrono::system_clock::now(), 1));
  EXPECT_EQ(points->back().quotes, 0);
  EXPECT_EQ(points->back().jobs, 1);
  EXPECT_EQ(points->back().failed, 1);
  EXPECT_EQ(*complete(io, log.quotes_total()), 0);
  // An expired status leaves the entry as it was recorded.
  run(redis, net::RedisCommand("DEL", "pe:batchjob:" + status.id));
  rows = complete(io, log.recent());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].status, ActivityStatus::partially_failed);
  EXPECT_EQ((*rows)[0].quotes, 99);
}

TEST_F(ActivityLogTest, TheStreamStaysCappedAndKeepsTheNewest) {
  auto redis = connect();
  ActivityLog log(redis, {.prefix = "cap:", .max_entries = 50});
  std::vector<ActivityEntry> entries;
  for (int i = 0; i < 400; ++i) {
    entries.push_back(
        jobs::job_activity(eventing_job("tx-" + std::to_string(i)), ActivityStatus::succeeded, 1));
  }
  record(log, std::move(entries));
  // MAXLEN ~ trims whole stream nodes (100 entries each by default): about the cap, never 400.
  auto length = run(redis, net::RedisCommand("XLEN", "cap:activity")).integer;
  EXPECT_GE(length, 50);
  EXPECT_LE(length, 50 + 100);
  auto rows = complete(io, log.recent(1000));
  ASSERT_TRUE(rows);
  EXPECT_EQ(static_cast<int64_t>(rows->size()), length);
  EXPECT_EQ(rows->front().id, "tx-399");
  EXPECT_EQ(*complete(io, log.quotes_total()), 400);
  EXPECT_EQ(complete(io, log.throughput(std::chrono::system_clock::now(), 1))->back().jobs, 400);
}

TEST_F(ActivityLogTest, ARedisThatRefusesFailsNoCaller) {
  auto redis = connect(300ms);
  ActivityLog log(redis);
  server.stop();
  auto job = eventing_job("tx-a");
  auto refused = complete(io, log.try_record({jobs::job_activity(job, ActivityStatus::queued)}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::unavailable);
  // record() and count_quotes() log and return.
  complete(io, log.record(jobs::job_activity(job, ActivityStatus::succeeded, 1)));
  complete(io, log.count_quotes(1));
}

TEST(ActivityEntries, SyncOrgActionsAreJudgedByWhatTheyWrote) {
  auto org = SalesforceId::make("00D", 1);
  EXPECT_EQ(jobs::org_action_activity("r1", org, 2, 0).status, ActivityStatus::succeeded);
  EXPECT_EQ(jobs::org_action_activity("r1", org, 1, 1).status, ActivityStatus::partially_failed);
  EXPECT_EQ(jobs::org_action_activity("r1", org, 0, 1).status, ActivityStatus::failed);
  EXPECT_EQ(jobs::org_action_activity("r1", org, 0, 1).kind, ActivityKind::org_action);
  std::string long_text(400, 'x');
  long_text.replace(299, 2, "\xc3\xa9");  // é across the cut
  auto detail = jobs::activity_detail(long_text);
  EXPECT_EQ(detail.size(), 299u);
  for (auto status :
       {ActivityStatus::queued, ActivityStatus::running, ActivityStatus::retrying,
        ActivityStatus::succeeded, ActivityStatus::partially_failed, ActivityStatus::failed}) {
    EXPECT_EQ(jobs::parse_status(jobs::status_name(status)), status);
  }
}

}  // namespace
}  // namespace pe
