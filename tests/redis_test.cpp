// The Redis connection against a real redis-server: commands, pipelining, transactions, scripts,
// AUTH, TLS with and without verification, deadlines, cancellation, a server restart with
// commands in flight (plain and TLS), and a fake server that speaks garbage.
#include "net/redis_connection.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

namespace pe::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::RedisServer;

// Builds a command outside coroutine bodies (GCC 12 cannot copy initializer lists into a
// coroutine frame).
RedisCommand cmd(const std::vector<std::string>& args) {
  RedisCommand c(args.at(0));
  for (size_t i = 1; i < args.size(); ++i) c.arg(args[i]);
  return c;
}

// Runs one handler, or waits up to 10 ms for one. A stopped connection leaves io without work,
// which stops it: restart it so that what is posted later still runs.
void step(asio::io_context& io) {
  if (io.stopped()) io.restart();
  io.run_one_for(10ms);
}

// Runs io until the coroutine finishes.
template <class T>
T complete(asio::io_context& io, asio::awaitable<T> work) {
  auto future = asio::co_spawn(io, std::move(work), asio::use_future);
  while (future.wait_for(0s) != std::future_status::ready) step(io);
  return future.get();
}

// Runs io until done() or the time cap.
template <class Done>
void run_until(asio::io_context& io, Done done, std::chrono::milliseconds cap = 10s) {
  auto deadline = Clock::now() + cap;
  while (!done() && Clock::now() < deadline) step(io);
}

// Coroutines here are plain functions with parameters taken by value: a lambda's captures would
// dangle once the closure (a temporary) is gone.
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
  Result<std::vector<RedisReply>> batch(std::vector<RedisCommand> commands) {
    return complete(io, redis->exec_batch(std::move(commands)));
  }
  asio::io_context io;
  std::shared_ptr<RedisConnection> redis;
};

TEST(Redis, RunsCommandsAndReturnsTypedReplies) {
  RedisServer server;
  Client c({.url = server.url()});
  auto set = c.exec({"SET", "greeting", "hello"});
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->type, RedisReply::Type::status);
  EXPECT_EQ(set->text, "OK");
  EXPECT_EQ(c.exec({"GET", "greeting"})->text, "hello");
  EXPECT_TRUE(c.exec({"GET", "missing"})->is_nil());
  EXPECT_EQ(c.exec(RedisCommand("INCRBY", "n", 5))->integer, 5);
  auto list = c.exec({"LRANGE", "nothing", "0", "-1"});
  EXPECT_TRUE(list->is_array() && list->elements.empty());
  auto wrong = c.exec({"LPUSH", "greeting", "x"});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::failed_precondition);
  EXPECT_EQ(wrong.error().message,
            "redis: WRONGTYPE Operation against a key holding the wrong kind of value");
  auto unknown = c.exec({"NOPE"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::internal);
  EXPECT_TRUE(c.redis->connected());
}

TEST(Redis, CarriesBinaryValuesOfAnySize) {
  RedisServer server;
  Client c({.url = server.url()});
  std::string value(5 << 20, '\0');
  for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>(i * 7 % 256);
  value.replace(100, 4, "\r\n\r\n");
  RedisCommand set("SET", std::string_view("k\0\r\n", 4), value);
  ASSERT_TRUE(c.exec(set));
  auto got = c.exec(RedisCommand("GET", std::string_view("k\0\r\n", 4)));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->text.size(), value.size());
  EXPECT_TRUE(got->text == value);

  RedisCommand push("RPUSH", "list");
  for (int i = 0; i < 20000; ++i) push.arg(i);
  EXPECT_EQ(c.exec(push)->integer, 20000);
  auto all = c.exec({"LRANGE", "list", "0", "-1"});  // a reply far larger than one read
  ASSERT_TRUE(all);
  ASSERT_EQ(all->elements.size(), 20000u);
  EXPECT_EQ(all->elements[19999].text, "19999");
}

asio::awaitable<void> incr_in_turn(std::shared_ptr<RedisConnection> redis, int i,
                                   std::vector<int64_t>* seen, int* ok) {
  auto key = "k" + std::to_string(i);
  auto value = "v" + std::to_string(i);
  RedisCommand incr("INCR", "counter");
  RedisCommand set("SET", key, value);
  RedisCommand get("GET", key);
  auto n = co_await redis->exec(std::move(incr));
  (*seen)[static_cast<size_t>(i)] = n ? n->integer : -1;
  auto s = co_await redis->exec(std::move(set));
  auto g = co_await redis->exec(std::move(get));
  if (s && g && g->text == value) ++*ok;
}

TEST(Redis, ThousandsOfConcurrentCommandsArePipelinedAndAnsweredInOrder) {
  RedisServer server;
  Client c({.url = server.url()});
  ASSERT_TRUE(c.exec({"PING"}));
  constexpr int kCoroutines = 5000;
  int ok = 0;
  std::vector<int64_t> seen(kCoroutines, 0);
  for (int i = 0; i < kCoroutines; ++i) {
    asio::co_spawn(c.io, incr_in_turn(c.redis, i, &seen, &ok), asio::detached);
  }
  run_until(
      c.io, [&] { return ok == kCoroutines; }, 20s);
  EXPECT_EQ(ok, kCoroutines);
  // The INCRs were issued in coroutine order, so FIFO matching gives each its own turn.
  for (int i = 0; i < kCoroutines; ++i) ASSERT_EQ(seen[static_cast<size_t>(i)], i + 1) << i;
  // 15,001 commands went out in far fewer writes: concurrent callers shared them.
  const auto& stats = c.redis->stats();
  EXPECT_EQ(stats.commands_written, 3u * kCoroutines + 1);
  EXPECT_LT(stats.writes * 10, stats.commands_written);
}

TEST(Redis, BatchesRunBackToBackForTransactions) {
  RedisServer server;
  Client c({.url = server.url()});
  auto replies = c.batch({{"MULTI"}, {"INCR", "t"}, {"INCR", "t"}, {"NOPE"}, {"EXEC"}});
  ASSERT_TRUE(replies) << replies.error().message;
  ASSERT_EQ(replies->size(), 5u);
  EXPECT_EQ((*replies)[1].text, "QUEUED");
  EXPECT_TRUE((*replies)[3].is_error());  // unknown command: the transaction is discarded
  EXPECT_EQ((*replies)[4].error_prefix(), "EXECABORT");
  EXPECT_EQ(error_from_reply((*replies)[4]).code, Errc::aborted);
  replies = c.batch({{"MULTI"}, {"INCR", "t"}, {"INCR", "t"}, {"EXEC"}});
  ASSERT_TRUE(replies);
  ASSERT_EQ((*replies)[3].elements.size(), 2u);
  EXPECT_EQ((*replies)[3].elements[1].integer, 2);
  auto empty = c.batch({});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

asio::awaitable<void> transfer(std::shared_ptr<RedisConnection> redis, std::vector<RedisCommand> tx,
                               std::vector<RedisReply>* exec_replies, int* done) {
  auto replies = co_await redis->exec_batch(std::move(tx));
  if (replies) exec_replies->push_back(replies->back());
  ++*done;
}

asio::awaitable<void> interfere(std::shared_ptr<RedisConnection> redis, RedisCommand command,
                                int* done) {
  co_await redis->exec(std::move(command));
  ++*done;
}

TEST(Redis, ConcurrentBatchesStayAdjacentInThePipeline) {
  RedisServer server;
  Client c({.url = server.url()});
  std::vector<RedisReply> exec_replies;
  int done = 0;
  for (int i = 0; i < 300; ++i) {
    std::vector<RedisCommand> tx{cmd({"MULTI"}), cmd({"INCR", "n"}), cmd({"INCR", "n"}),
                                 cmd({"EXEC"})};
    asio::co_spawn(c.io, transfer(c.redis, std::move(tx), &exec_replies, &done), asio::detached);
    asio::co_spawn(c.io, interfere(c.redis, cmd({"INCR", "n"}), &done), asio::detached);
  }
  run_until(c.io, [&] { return done == 600; });
  ASSERT_EQ(exec_replies.size(), 300u);
  for (const auto& r : exec_replies) {
    ASSERT_EQ(r.elements.size(), 2u);
    EXPECT_EQ(r.elements[1].integer, r.elements[0].integer + 1);  // nothing came between them
  }
  EXPECT_EQ(c.exec({"GET", "n"})->text, "900");
}

TEST(Redis, ScriptsReportNoscriptAsATypedError) {
  RedisServer server;
  Client c({.url = server.url()});
  auto missing = c.exec({"EVALSHA", "0123456789012345678901234567890123456789", "0"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(missing.error().message, "redis: NOSCRIPT No matching script. Please use EVAL.");
  auto sha = c.exec({"SCRIPT", "LOAD", "return redis.call('INCRBY', KEYS[1], ARGV[1])"});
  ASSERT_TRUE(sha);
  EXPECT_EQ(c.exec({"EVALSHA", sha->text, "1", "s", "4"})->integer, 4);
  EXPECT_EQ(c.exec({"EVAL", "return ARGV[1]", "0", "x"})->text, "x");
}

TEST(Redis, RefusesSubscribeOnAPipelinedConnection) {
  RedisServer server;
  Client c({.url = server.url()});
  auto r = c.exec({"SUBSCRIBE", "ch"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(c.exec({"PING"})->text, "PONG");
}

TEST(Redis, AuthenticatesWithThePasswordFromTheUrl) {
  RedisServer server({.password = "s3cret"});
  Client good({.url = server.url()});
  EXPECT_EQ(good.exec({"PING"})->text, "PONG");

  Client bad({.url = "redis://:wrong@127.0.0.1:" + std::to_string(server.port()),
              .reconnect_initial = 50ms});
  auto start = Clock::now();
  auto r = bad.exec({"PING"}, 3s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unauthenticated);
  EXPECT_EQ(r.error().message,
            "Redis refused AUTH: redis: WRONGPASS invalid username-password pair or user is "
            "disabled.");
  EXPECT_LT(Clock::now() - start, 1s);  // fails fast, not at the deadline
  auto again = bad.exec({"PING"}, 3s);  // and so do later commands, until a login succeeds
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::unauthenticated);

  Client none({.url = "redis://127.0.0.1:" + std::to_string(server.port())});
  auto noauth = none.exec({"PING"});
  ASSERT_FALSE(noauth);
  EXPECT_EQ(noauth.error().code, Errc::unauthenticated);
  EXPECT_EQ(noauth.error().message,
            "Redis refused CLIENT SETNAME: redis: NOAUTH Authentication required.");
}

TEST(Redis, AuthenticatesAnAclUser) {
  RedisServer server({.password = "admin"});
  Client admin({.url = server.url()});
  ASSERT_TRUE(admin.exec({"ACL", "SETUSER", "app", "on", ">p%@ss", "~app:*", "+@all"}));
  Client app({.url = "redis://app:p%25%40ss@127.0.0.1:" + std::to_string(server.port())});
  EXPECT_TRUE(app.exec({"SET", "app:x", "1"}));
  auto denied = app.exec({"SET", "other", "1"});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, Errc::permission_denied);
  EXPECT_EQ(app.exec({"ACL", "WHOAMI"})->text, "app");
}

TEST(Redis, SelectsTheDatabaseAndNamesTheClient) {
  RedisServer server;
  Client db3({.url = server.url() + "/3", .client_name = "pe-test"});
  ASSERT_TRUE(db3.exec({"SET", "where", "three"}));
  EXPECT_EQ(db3.exec({"CLIENT", "GETNAME"})->text, "pe-test");
  Client db0({.url = server.url()});
  EXPECT_TRUE(db0.exec({"GET", "where"})->is_nil());

  Client bad_db({.url = server.url() + "/99"});
  auto r = bad_db.exec({"PING"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "Redis refused SELECT: redis: ERR DB index is out of range");
}

TEST(Redis, TlsWithVerificationAgainstTheGivenCa) {
  auto tls = test::make_tls_files();
  RedisServer server({.tls = tls, .password = "pw"});
  Client c({.url = "rediss://:pw@localhost:" + std::to_string(server.port()),
            .tls_ca_file = tls.ca.string()});
  EXPECT_EQ(c.exec({"PING"})->text, "PONG");
  EXPECT_EQ(c.exec({"SET", "k", "over tls"})->text, "OK");
  EXPECT_EQ(c.exec({"GET", "k"})->text, "over tls");
  // By address: the certificate names 127.0.0.1 too.
  Client by_ip({.url = "rediss://:pw@127.0.0.1:" + std::to_string(server.port()),
                .tls_ca_file = tls.ca.string()});
  auto r = by_ip.exec({"GET", "k"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->text, "over tls");
}

TEST(Redis, TlsWithVerificationOffAcceptsAnUntrustedCertificate) {
  // The CA is not given: this is the Heroku Key Value Store case (REDIS_TLS_SKIP_VERIFY=true).
  RedisServer server({.tls = test::make_tls_files()});
  Client c({.url = "rediss://127.0.0.1:" + std::to_string(server.port()), .tls_verify = false});
  EXPECT_EQ(c.exec({"PING"})->text, "PONG");
}

TEST(Redis, TlsWithVerificationOnRejectsAnUntrustedCertificateClearly) {
  RedisServer server({.tls = test::make_tls_files()});
  Client c(
      {.url = "rediss://127.0.0.1:" + std::to_string(server.port()), .reconnect_initial = 50ms});
  auto start = Clock::now();
  auto r = c.exec({"PING"}, 5s);
  ASSERT_FALSE(r);
  EXPECT_LT(Clock::now() - start, 2s);  // fails fast: retrying cannot make the CA trusted
  EXPECT_EQ(r.error().code, Errc::unavailable);
  const auto& m = r.error().message;
  EXPECT_EQ(
      m.rfind("TLS handshake with 127.0.0.1:" + std::to_string(server.port()) + " failed: ", 0), 0u)
      << m;
  EXPECT_NE(m.find("certificate verify failed"), std::string::npos) << m;
  EXPECT_NE(m.find("(self-signed certificate in certificate chain)"), std::string::npos) << m;
  EXPECT_NE(m.find("REDIS_TLS_SKIP_VERIFY=true"), std::string::npos) << m;
}

TEST(Redis, UnreachableServerGivesAClearErrorAtTheDeadline) {
  int port = test::free_port();
  Client c({.url = "redis://127.0.0.1:" + std::to_string(port), .reconnect_initial = 20ms});
  auto r = c.exec({"PING"}, 300ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_EQ(r.error().message, "Redis is unreachable: cannot connect to 127.0.0.1:" +
                                   std::to_string(port) + ": Connection refused");
}

TEST(Redis, ADeadlineOnABlockingCommandResetsTheLinkSoItIsNotStuck) {
  RedisServer server;
  Client blocking({.url = server.url(), .client_name = "blocking"});
  ASSERT_TRUE(blocking.exec({"PING"}));
  auto start = Clock::now();
  auto r = blocking.exec({"BLPOP", "empty-list", "0"}, 200ms);  // blocks forever on the server
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::deadline_exceeded);
  EXPECT_EQ(r.error().message, "no reply from Redis within 200 ms; the connection was reset");
  EXPECT_LT(Clock::now() - start, 1s);
  // The connection is usable again at once, on a new link.
  auto ping = blocking.exec({"PING"}, 2s);
  ASSERT_TRUE(ping) << ping.error().message;
  EXPECT_EQ(blocking.redis->stats().connects, 2u);
  // And the server no longer holds the blocked client.
  Client other({.url = server.url()});
  run_until(other.io, [&] {
    return other.exec({"INFO", "clients"})->text.find("blocked_clients:0") != std::string::npos;
  });
  EXPECT_NE(other.exec({"INFO", "clients"})->text.find("blocked_clients:0"), std::string::npos);
}

TEST(Redis, CancellingACommandDropsItsReplyWithoutResettingTheLink) {
  RedisServer server;
  Client c({.url = server.url()});
  ASSERT_TRUE(c.exec({"PING"}));
  asio::cancellation_signal signal;
  std::optional<Result<RedisReply>> result;
  asio::co_spawn(c.io, c.redis->exec(cmd({"BLPOP", "q", "1"})),
                 asio::bind_cancellation_slot(
                     signal.slot(), [&](std::exception_ptr, Result<RedisReply> r) { result = r; }));
  for (int i = 0; i < 10; ++i) step(c.io);
  signal.emit(asio::cancellation_type::terminal);
  run_until(
      c.io, [&] { return result.has_value(); }, 500ms);
  ASSERT_TRUE(result);
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().code, Errc::cancelled);
  // BLPOP still holds the link for its second; PING comes after it, on the same link.
  ASSERT_TRUE(c.exec({"RPUSH", "q2", "x"}));
  EXPECT_EQ(c.exec({"LPOP", "q2"})->text, "x");
  EXPECT_EQ(c.redis->stats().connects, 1u);
}

asio::awaitable<void> accept_and_babble(asio::ip::tcp::acceptor& acceptor) {
  auto socket = co_await acceptor.async_accept(asio::use_awaitable);
  std::array<char, 4096> buf;
  // The login (CLIENT SETNAME, PING) is answered properly, then the next command gets garbage.
  co_await socket.async_read_some(asio::buffer(buf), asio::use_awaitable);
  co_await asio::async_write(socket, asio::buffer(std::string("+OK\r\n+PONG\r\n")),
                             asio::use_awaitable);
  co_await socket.async_read_some(asio::buffer(buf), asio::use_awaitable);
  co_await asio::async_write(socket, asio::buffer(std::string("%3\r\nnot resp2\r\n")),
                             asio::use_awaitable);
  asio::steady_timer linger(acceptor.get_executor(), 2s);
  co_await linger.async_wait(asio::use_awaitable);
}

TEST(Redis, AServerSpeakingGarbageFailsTheCommandAndTheLink) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::co_spawn(io, accept_and_babble(acceptor), asio::detached);
  auto port = acceptor.local_endpoint().port();
  auto redis = RedisConnection::create(io, {.url = "redis://127.0.0.1:" + std::to_string(port),
                                            .reconnect_initial = 1s})
                   .value();
  redis->start();
  auto r = complete(io, redis->exec(cmd({"GET", "x"}), 2s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_EQ(r.error().message,
            "the connection to Redis was lost before the reply (malformed reply from Redis: "
            "Protocol error, got \"%\" as reply type byte); the command may or may not have run");
  redis->stop();
  for (int i = 0; i < 20; ++i) io.poll();
}

class RedisRestart : public ::testing::TestWithParam<bool> {};

TEST_P(RedisRestart, FailsCommandsInFlightPromptlyThenReconnects) {
  bool tls = GetParam();
  std::optional<test::TlsFiles> files;
  if (tls) files = test::make_tls_files();
  RedisServer server({.aof = true, .tls = files});
  Client c({.url = server.url(),
            .reconnect_initial = 20ms,
            .reconnect_max = 200ms,
            .tls_ca_file = files ? files->ca.string() : ""});
  ASSERT_TRUE(c.exec({"SET", "durable", "yes"}));
  // Enough data that reloading the AOF takes a while after the restart: the reconnection then
  // meets LOADING, which the login waits out instead of handing it to the commands.
  auto fill = c.exec({"EVAL", "for i = 1, 100000 do redis.call('SET', 'f' .. i, i) end", "0"});
  ASSERT_TRUE(fill) << fill.error().message;

  // A blocking command holds the pipeline, so the commands behind it are written and waiting.
  std::vector<Result<RedisReply>> results;
  for (int i = 0; i < 20; ++i) {
    auto command = i == 0 ? cmd({"BLPOP", "empty", "10"}) : cmd({"INCR", "x"});
    asio::co_spawn(c.io, exec_into(c.redis, std::move(command), 10s, &results), asio::detached);
  }
  // SET, EVAL, then the 20 (the login's commands are not counted).
  run_until(
      c.io, [&] { return c.redis->stats().commands_written == 22; }, 2s);
  for (int i = 0; i < 10; ++i) step(c.io);
  ASSERT_EQ(c.redis->stats().commands_written, 22u);
  ASSERT_TRUE(results.empty());

  auto killed_at = Clock::now();
  server.stop();
  run_until(
      c.io, [&] { return results.size() == 20; }, 3s);
  ASSERT_EQ(results.size(), 20u);
  EXPECT_LT(Clock::now() - killed_at, 1s);
  for (const auto& r : results) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::unavailable);
    EXPECT_NE(r.error().message.find("the connection to Redis was lost before the reply"),
              std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("may or may not have run"), std::string::npos);
  }

  // Issued while the server is down: waits for the reconnection instead of failing.
  std::vector<Result<RedisReply>> later;
  asio::co_spawn(c.io, exec_into(c.redis, cmd({"GET", "durable"}), 10s, &later), asio::detached);
  for (int i = 0; i < 30; ++i) step(c.io);
  EXPECT_TRUE(later.empty());
  server.start();  // with AOF, the server answers LOADING until its data set is back
  run_until(c.io, [&] { return !later.empty(); });
  ASSERT_EQ(later.size(), 1u);
  ASSERT_TRUE(later[0]) << later[0].error().message;
  EXPECT_EQ(later[0]->text, "yes");  // AOF kept it across the crash
  EXPECT_EQ(c.redis->stats().connects, 2u);
  EXPECT_TRUE(c.exec({"INCR", "x"}));
}

INSTANTIATE_TEST_SUITE_P(PlainAndTls, RedisRestart, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Tls" : "Plain"; });

TEST(Redis, StopFailsPendingCommandsAndRefusesNewOnes) {
  RedisServer server;
  Client c({.url = server.url()});
  ASSERT_TRUE(c.exec({"PING"}));
  std::vector<Result<RedisReply>> results;
  asio::co_spawn(c.io, exec_into(c.redis, cmd({"BLPOP", "q", "5"}), 10s, &results), asio::detached);
  for (int i = 0; i < 10; ++i) step(c.io);
  c.redis->stop();
  run_until(
      c.io, [&] { return !results.empty(); }, 1s);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].error(), (Error{Errc::cancelled, "the Redis connection is stopped"}));
  EXPECT_EQ(c.exec({"PING"}).error(), (Error{Errc::cancelled, "the Redis connection is stopped"}));
}

}  // namespace
}  // namespace pe::net
