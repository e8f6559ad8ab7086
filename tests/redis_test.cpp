// The Redis connection against a real redis-server: commands, pipelining, transactions, AUTH,
// TLS with and without verification, timeouts, and a server restart with commands in flight.
#include "net/redis_connection.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>

namespace pe::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::RedisServer;

// Builds a command outside coroutine bodies (GCC 12 cannot copy initializer lists into a
// coroutine frame).
RedisCommand cmd(const std::vector<std::string>& args) {
  RedisCommand c(args.at(0));
  for (size_t i = 1; i < args.size(); ++i) c.arg(args[i]);
  return c;
}

// Runs io until the coroutine finishes (the connection's own loop keeps io busy forever).
template <class T>
T complete(asio::io_context& io, asio::awaitable<T> work) {
  auto future = asio::co_spawn(io, std::move(work), asio::use_future);
  while (future.wait_for(0s) != std::future_status::ready) io.run_one_for(10ms);
  return future.get();
}

// Coroutines here are plain functions with parameters taken by value: a lambda's captures would
// dangle once the closure (a temporary) is gone.
asio::awaitable<void> set_get_incr(std::shared_ptr<RedisConnection> redis, int i, int* ok) {
  auto key = "k" + std::to_string(i);
  auto value = "v" + std::to_string(i);
  RedisCommand set("SET");
  set.arg(key).arg(value);
  RedisCommand get("GET");
  get.arg(key);
  RedisCommand incr("INCR");
  incr.arg("counter");
  auto s = co_await redis->exec(std::move(set));
  auto g = co_await redis->exec(std::move(get));
  auto n = co_await redis->exec(std::move(incr));
  if (s && g && g->text == value && n) ++*ok;
}

asio::awaitable<void> exec_into(std::shared_ptr<RedisConnection> redis, RedisCommand command,
                                std::chrono::milliseconds timeout,
                                std::vector<Result<RedisReply>>* results) {
  results->push_back(co_await redis->exec(std::move(command), timeout));
}

struct Client {
  explicit Client(RedisConfig config) {
    redis = RedisConnection::create(io, std::move(config)).value();
    redis->start();
  }
  ~Client() {
    redis->stop();
    for (int i = 0; i < 50; ++i) io.poll();
  }
  Result<RedisReply> exec(RedisCommand c, std::chrono::milliseconds timeout = 5s) {
    return complete(io, redis->exec(std::move(c), timeout));
  }
  asio::io_context io;
  std::shared_ptr<RedisConnection> redis;
};

TEST(Redis, RunsCommandsAndReturnsTypedReplies) {
  RedisServer server;
  Client c({.url = server.url()});
  EXPECT_EQ(c.exec({"SET", "greeting", "hello"})->text, "OK");
  EXPECT_EQ(c.exec({"GET", "greeting"})->text, "hello");
  EXPECT_TRUE(c.exec({"GET", "missing"})->is_nil());
  EXPECT_EQ(c.exec({"INCRBY", "n", "5"})->integer, 5);
  auto wrong = c.exec({"LPUSH", "greeting", "x"});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::invalid_argument);
  EXPECT_NE(wrong.error().message.find("redis: WRONGTYPE"), std::string::npos);
  EXPECT_TRUE(c.redis->connected());
}

TEST(Redis, ThousandsOfConcurrentCommandsArePipelinedAndAnsweredInOrder) {
  RedisServer server;
  Client c({.url = server.url()});
  constexpr int kCommands = 5000;
  int ok = 0;
  for (int i = 0; i < kCommands; ++i) {
    asio::co_spawn(c.io, set_get_incr(c.redis, i, &ok), asio::detached);
  }
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (ok < kCommands && std::chrono::steady_clock::now() < deadline) c.io.run_one_for(10ms);
  EXPECT_EQ(ok, kCommands);
  EXPECT_EQ(c.exec({"GET", "counter"})->text, std::to_string(kCommands));
}

TEST(Redis, BatchesRunBackToBackForTransactions) {
  RedisServer server;
  Client c({.url = server.url()});
  auto replies = complete(
      c.io, c.redis->exec_batch({{"MULTI"}, {"INCR", "t"}, {"INCR", "t"}, {"NOPE"}, {"EXEC"}}));
  ASSERT_TRUE(replies) << replies.error().message;
  ASSERT_EQ(replies->size(), 5u);
  EXPECT_EQ((*replies)[1].text, "QUEUED");
  EXPECT_TRUE((*replies)[3].is_error());  // unknown command: the transaction is discarded
  EXPECT_EQ((*replies)[4].error_prefix(), "EXECABORT");
  replies =
      complete(c.io, c.redis->exec_batch({{"MULTI"}, {"INCR", "t"}, {"INCR", "t"}, {"EXEC"}}));
  ASSERT_TRUE(replies);
  ASSERT_EQ((*replies)[3].elements.size(), 2u);
  EXPECT_EQ((*replies)[3].elements[1].integer, 2);
}

TEST(Redis, ScriptsReportNoscriptAsNotFound) {
  RedisServer server;
  Client c({.url = server.url()});
  auto missing = c.exec({"EVALSHA", "0123456789012345678901234567890123456789", "0"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(c.exec({"EVAL", "return ARGV[1]", "0", "x"})->text, "x");
}

TEST(Redis, AuthenticatesWithThePasswordFromTheUrl) {
  RedisServer server({.password = "s3cret"});
  Client good({.url = server.url()});
  EXPECT_EQ(good.exec({"PING"})->text, "PONG");

  Client bad({.url = "redis://:wrong@127.0.0.1:" + std::to_string(server.port()),
              .reconnect_initial = 50ms});
  auto start = std::chrono::steady_clock::now();
  auto r = bad.exec({"PING"}, 3s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unauthenticated);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);  // fails fast, not at the deadline
  EXPECT_EQ(r.error().message.find("wrong"), std::string::npos);
}

TEST(Redis, SelectsTheDatabaseOfTheUrl) {
  RedisServer server;
  Client db3({.url = server.url() + "/3"});
  ASSERT_TRUE(db3.exec({"SET", "where", "three"}));
  Client db0({.url = server.url()});
  EXPECT_TRUE(db0.exec({"GET", "where"})->is_nil());
}

TEST(Redis, TlsWithVerificationAgainstTheGivenCa) {
  auto tls = test::make_tls_files();
  RedisServer server({.tls = tls, .password = "pw"});
  Client c({.url = "rediss://:pw@localhost:" + std::to_string(server.port()),
            .tls_ca_file = tls.ca.string()});
  EXPECT_EQ(c.exec({"PING"})->text, "PONG");
}

TEST(Redis, TlsWithVerificationOffAcceptsAnUntrustedCertificate) {
  RedisServer server({.tls = test::make_tls_files()});
  Client c({.url = "rediss://127.0.0.1:" + std::to_string(server.port()), .tls_verify = false});
  EXPECT_EQ(c.exec({"PING"})->text, "PONG");
}

TEST(Redis, TlsWithVerificationOnRejectsAnUntrustedCertificateClearly) {
  RedisServer server({.tls = test::make_tls_files()});
  Client c(
      {.url = "rediss://127.0.0.1:" + std::to_string(server.port()), .reconnect_initial = 50ms});
  auto r = c.exec({"PING"}, 500ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_NE(r.error().message.find("Redis is unreachable: TLS handshake failed"), std::string::npos)
      << r.error().message;
}

TEST(Redis, UnreachableServerGivesAClearErrorAtTheDeadline) {
  int port = test::free_port();
  Client c({.url = "redis://127.0.0.1:" + std::to_string(port), .reconnect_initial = 20ms});
  auto r = c.exec({"PING"}, 300ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_NE(r.error().message.find("Redis is unreachable: cannot connect"), std::string::npos)
      << r.error().message;
}

TEST(Redis, CommandDeadlineIsHonoured) {
  RedisServer server;
  Client c({.url = server.url()});
  auto start = std::chrono::steady_clock::now();
  auto r = c.exec({"BLPOP", "empty-list", "5"}, 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::deadline_exceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(Redis, ServerRestartFailsCommandsInFlightPromptlyThenReconnects) {
  RedisServer server({.aof = true});
  Client c({.url = server.url(), .reconnect_initial = 20ms, .reconnect_max = 200ms});
  ASSERT_TRUE(c.exec({"SET", "durable", "yes"}));

  // A blocking command holds the pipeline, so the commands behind it are written and waiting.
  std::vector<Result<RedisReply>> results;
  for (int i = 0; i < 20; ++i) {
    auto command = i == 0 ? cmd({"BLPOP", "empty", "10"}) : cmd({"INCR", "x"});
    asio::co_spawn(c.io, exec_into(c.redis, std::move(command), 10s, &results), asio::detached);
  }
  for (int i = 0; i < 20; ++i) c.io.run_one_for(10ms);
  ASSERT_TRUE(results.empty());

  auto killed_at = std::chrono::steady_clock::now();
  server.stop();
  while (results.size() < 20 && std::chrono::steady_clock::now() - killed_at < 3s) {
    c.io.run_one_for(10ms);
  }
  ASSERT_EQ(results.size(), 20u);
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, 1s);
  for (const auto& r : results) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::unavailable);
    EXPECT_NE(r.error().message.find("may or may not have run"), std::string::npos);
  }

  server.start();
  auto after = c.exec({"GET", "durable"}, 5s);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->text, "yes");  // AOF kept it across the crash
}

TEST(Redis, CommandsIssuedWhileDownWaitForTheReconnection) {
  RedisServer server;
  Client c({.url = server.url(), .reconnect_initial = 20ms, .reconnect_max = 100ms});
  ASSERT_TRUE(c.exec({"PING"}));
  server.stop();
  std::vector<Result<RedisReply>> results;
  asio::co_spawn(c.io, exec_into(c.redis, cmd({"PING"}), 5s, &results), asio::detached);
  for (int i = 0; i < 30; ++i) c.io.run_one_for(10ms);
  EXPECT_TRUE(results.empty());  // still waiting
  server.start();
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (results.empty() && std::chrono::steady_clock::now() < deadline) c.io.run_one_for(10ms);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0]) << results[0].error().message;
  EXPECT_EQ(results[0]->text, "PONG");
}

}  // namespace
}  // namespace pe::net
