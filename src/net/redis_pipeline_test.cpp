#include "net/redis_pipeline.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

namespace pe::net {
namespace {

using Exchange = RedisPipeline::Exchange;

Exchange exchange(std::vector<RedisCommand> commands) {
  std::string bytes;
  for (const auto& c : commands) c.append_to(bytes);
  return std::make_shared<RedisExchange>(std::move(bytes), commands.size());
}

RedisReply integer(int64_t value) {
  RedisReply r;
  r.type = RedisReply::Type::integer;
  r.integer = value;
  return r;
}

TEST(RedisPipeline, WritesEverythingQueuedAtOnceAndMatchesRepliesInOrder) {
  RedisPipeline p;
  auto a = exchange({RedisCommand("INCR", "a")});
  auto batch = exchange({RedisCommand("MULTI"), RedisCommand("INCR", "b"), RedisCommand("EXEC")});
  auto c = exchange({RedisCommand("INCR", "c")});
  p.enqueue(a);
  p.enqueue(batch);
  std::string out;
  EXPECT_EQ(p.take_write(out), 4u);  // commands, not exchanges
  EXPECT_EQ(out, a->bytes + batch->bytes);
  EXPECT_EQ(a->stage, RedisExchange::Stage::written);
  p.enqueue(c);  // queued while the first write is in flight: goes in the next one
  EXPECT_EQ(p.queued(), 1u);
  EXPECT_EQ(p.in_flight(), 2u);

  ASSERT_TRUE(p.on_reply(integer(1)));
  EXPECT_TRUE(a->done());
  EXPECT_EQ(a->replies, std::vector<RedisReply>{integer(1)});
  ASSERT_TRUE(p.on_reply(integer(10)));
  ASSERT_TRUE(p.on_reply(integer(11)));
  EXPECT_FALSE(batch->done());  // three replies complete it
  ASSERT_TRUE(p.on_reply(integer(12)));
  EXPECT_TRUE(batch->done());
  EXPECT_EQ(batch->replies, (std::vector<RedisReply>{integer(10), integer(11), integer(12)}));

  out.clear();
  EXPECT_EQ(p.take_write(out), 1u);
  EXPECT_EQ(out, c->bytes);
  ASSERT_TRUE(p.on_reply(integer(3)));
  EXPECT_EQ(c->replies.at(0), integer(3));
  EXPECT_EQ(p.in_flight(), 0u);
}

TEST(RedisPipeline, AReplyForNoCommandIsAnError) {
  RedisPipeline p;
  auto r = p.on_reply(integer(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::internal);
  EXPECT_EQ(r.error().message, "Redis sent a reply to no command");
}

TEST(RedisPipeline, AnAbandonedQueuedExchangeIsNeverWritten) {
  RedisPipeline p;
  auto a = exchange({RedisCommand("GET", "a")});
  auto b = exchange({RedisCommand("GET", "b")});
  p.enqueue(a);
  p.enqueue(b);
  EXPECT_FALSE(p.abandon(a));
  std::string out;
  EXPECT_EQ(p.take_write(out), 1u);
  EXPECT_EQ(out, b->bytes);
}

TEST(RedisPipeline, AnAbandonedWrittenExchangeDropsItsRepliesButKeepsTheOrder) {
  RedisPipeline p;
  auto a = exchange({RedisCommand("BLPOP", "q", 0), RedisCommand("GET", "x")});
  auto b = exchange({RedisCommand("GET", "b")});
  p.enqueue(a);
  p.enqueue(b);
  std::string out;
  p.take_write(out);
  EXPECT_TRUE(p.abandon(a));
  ASSERT_TRUE(p.on_reply(integer(1)));
  ASSERT_TRUE(p.on_reply(integer(2)));
  EXPECT_TRUE(a->replies.empty());
  EXPECT_FALSE(b->done());
  ASSERT_TRUE(p.on_reply(integer(3)));
  ASSERT_TRUE(b->done());
  EXPECT_EQ(b->replies.at(0), integer(3));
}

TEST(RedisPipeline, FailingTheLinkFailsWhatIsInFlightAndKeepsTheQueue) {
  RedisPipeline p;
  auto sent = exchange({RedisCommand("INCR", "n")});
  auto waiting = exchange({RedisCommand("INCR", "n")});
  p.enqueue(sent);
  std::string out;
  p.take_write(out);
  p.enqueue(waiting);
  p.fail_in_flight(Error{Errc::unavailable, "lost"});
  ASSERT_TRUE(sent->done());
  EXPECT_EQ(sent->error, (Error{Errc::unavailable, "lost"}));
  EXPECT_FALSE(waiting->done());
  EXPECT_EQ(p.queued(), 1u);
  p.fail_queued(Error{Errc::cancelled, "stopped"});
  ASSERT_TRUE(waiting->done());
  EXPECT_EQ(waiting->error->code, Errc::cancelled);
  EXPECT_EQ(p.queued(), 0u);
}

TEST(RedisPipeline, CompletionWakesTheWaiter) {
  boost::asio::io_context io;  // never does I/O: the timer is only a wake-up
  boost::asio::steady_timer timer(io, std::chrono::hours(1));
  boost::system::error_code woken_with;
  bool woken = false;
  timer.async_wait([&](boost::system::error_code ec) {
    woken = true;
    woken_with = ec;
  });
  RedisPipeline p;
  auto a = exchange({RedisCommand("PING")});
  a->waiter = &timer;
  p.enqueue(a);
  std::string out;
  p.take_write(out);
  io.poll();
  EXPECT_FALSE(woken);
  ASSERT_TRUE(p.on_reply(integer(1)));
  io.poll();
  EXPECT_TRUE(woken);
  EXPECT_EQ(woken_with, boost::asio::error::operation_aborted);
}

}  // namespace
}  // namespace pe::net
