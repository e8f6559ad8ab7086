// The subscriber's lease (pubsub/leader_lease.hpp) against a real redis-server: one holder at a
// time, renewals only by the holder, a release that cannot end a successor's lease, and a holder
// that stops renewing replaced once its time to live is over.
#include "pubsub/leader_lease.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <thread>

namespace pe {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using pubsub::LeaderLease;

template <class T>
T complete(asio::io_context& io, asio::awaitable<T> work) {
  auto future = asio::co_spawn(io, std::move(work), asio::use_future);
  while (future.wait_for(0s) != std::future_status::ready) {
    if (io.stopped()) io.restart();
    io.run_one_for(10ms);
  }
  return future.get();
}

class LeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis = net::RedisConnection::create(io, {.url = server.url()}).value();
    redis->start();
  }
  void TearDown() override {
    redis->stop();
    io.run_for(50ms);
  }
  LeaderLease lease(const std::string& owner, std::chrono::milliseconds ttl = 10s) {
    return LeaderLease(redis, {.key = "pe:pubsub:lease:test", .owner = owner, .ttl = ttl});
  }
  bool held(LeaderLease& l) { return complete(io, l.acquire()).value(); }

  test::RedisServer server;
  asio::io_context io;
  std::shared_ptr<net::RedisConnection> redis;
};

TEST_F(LeaseTest, OneHolderAtATime) {
  auto a = lease("a"), b = lease("b");
  EXPECT_TRUE(held(a));
  EXPECT_TRUE(held(a));  // again: still a's
  EXPECT_FALSE(held(b));
  EXPECT_EQ(complete(io, b.holder()).value(), "a");
  EXPECT_TRUE(complete(io, a.renew()).value());
  EXPECT_FALSE(complete(io, b.renew()).value());
  // b's release does not end a's lease; a's does, and b takes it.
  ASSERT_TRUE(complete(io, b.release()));
  EXPECT_EQ(complete(io, b.holder()).value(), "a");
  ASSERT_TRUE(complete(io, a.release()));
  EXPECT_EQ(complete(io, a.holder()).value(), "");
  EXPECT_TRUE(held(b));
  EXPECT_FALSE(complete(io, a.renew()).value());
}

TEST_F(LeaseTest, AHolderThatStopsRenewingIsReplacedAfterItsTimeToLive) {
  auto a = lease("a", 300ms), b = lease("b", 300ms);
  ASSERT_TRUE(held(a));
  EXPECT_FALSE(held(b));
  std::this_thread::sleep_for(150ms);
  EXPECT_TRUE(complete(io, a.renew()).value());  // another 300 ms from now
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(held(b));  // 350 ms after a took it, but a renewed
  std::this_thread::sleep_for(400ms);
  EXPECT_TRUE(held(b));
  EXPECT_FALSE(complete(io, a.renew()).value());  // a learns it lost it
}

}  // namespace
}  // namespace pe
