// The HTTP server over loopback: concurrency, limits, timeouts, graceful shutdown, and the real
// binary's `web` subcommand. Clients are raw sockets, so the tests send exactly the bytes they
// mean (slow, malformed, oversized) and see exactly what the server answered.
#include "net/http_server.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace pe::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::RawConnection;
using Clock = std::chrono::steady_clock;

std::shared_ptr<Router> test_routes(ThreadContext& thread) {
  auto router = std::make_shared<Router>();
  auto& io = thread.io;
  router->add(http::verb::get, "/echo/{word}", [](Request& req) -> asio::awaitable<Response> {
    co_return json_response(http::status::ok,
                            "{\"word\":\"" + std::string(req.param("word")) + "\"}");
  });
  router->add(http::verb::post, "/upload",
              [](Request& req) -> asio::awaitable<Response> {
                co_return json_response(http::status::ok,
                                        "{\"bytes\":" + std::to_string(req.body().size()) + "}");
              },
              {.body_limit = 1000, .content_types = {"application/json"}});
  router->add(http::verb::get, "/slow", [&io](Request&) -> asio::awaitable<Response> {
    asio::steady_timer timer(io, 300ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_return json_response(http::status::ok, R"({"slow":true})");
  });
  router->add(http::verb::get, "/throw", [](Request&) -> asio::awaitable<Response> {
    throw std::runtime_error("secret internals");
    co_return empty_response(http::status::ok);
  });
  // Which server thread ran the handler, and whether it ran on that thread's io_context.
  router->add(http::verb::get, "/thread", [&thread](Request&) -> asio::awaitable<Response> {
    bool own = thread.io.get_executor().running_in_this_thread();
    co_return json_response(http::status::ok, "{\"index\":" + std::to_string(thread.index) +
                                                  ",\"own_io\":" + (own ? "true" : "false") + "}");
  });
  return router;
}

// True once connecting to the port is refused, within the timeout.
bool refuses_connections(int port, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!test::wait_for_port(port, 1ms)) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

ServerConfig fast_timeouts() {
  ServerConfig config;
  config.address = "127.0.0.1";
  config.port = 0;
  config.threads = 2;
  config.idle_timeout = 500ms;
  config.header_timeout = 300ms;
  config.body_timeout = 300ms;
  config.write_timeout = 1s;
  config.max_header_bytes = 2048;
  config.default_body_limit = 4096;
  config.shutdown_grace = 3s;
  config.handle_signals = false;
  config.access_log = false;
  return config;
}

std::string post_head(const std::string& path, const std::string& extra) {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra +
         "\r\n";
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(fast_timeouts(), test_routes);
    ASSERT_TRUE(server_->listen());
    port_ = server_->port();
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(ServerTest, ServesHealthzAndRoutesWithParameters) {
  auto r = test::http_request(port_, "GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->header("x-request-id").size(), 13u);
  EXPECT_FALSE(r->header("date").empty());
  r = test::http_request(port_, "GET", "/echo/hello%20world?q=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"word":"hello world"})");
}

TEST_F(ServerTest, ConcurrentKeepAliveClientsAllGetTheirAnswers) {
  constexpr int kClients = 32, kRequests = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      RawConnection conn(port_);
      for (int i = 0; i < kRequests; ++i) {
        std::string word = "c" + std::to_string(c) + "r" + std::to_string(i);
        conn.send("GET /echo/" + word + " HTTP/1.1\r\nHost: x\r\n\r\n");
        auto r = conn.read_response();
        if (r && r->status == 200 && r->body == "{\"word\":\"" + word + "\"}") ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok, kClients * kRequests);
}

TEST_F(ServerTest, HandlersRunOnTheThreadThatOwnsTheirRouter) {
  std::set<std::string> seen;
  for (int i = 0; i < 40; ++i) {
    auto r = test::http_request(port_, "GET", "/thread");
    ASSERT_TRUE(r);
    EXPECT_NE(r->body.find(R"("own_io":true)"), std::string::npos) << r->body;
    seen.insert(r->body);
  }
  // The kernel spreads connections over both threads' acceptors.
  EXPECT_EQ(seen.size(), 2u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  RawConnection conn(port_);
  conn.send("GET /echo/a HTTP/1.1\r\nHost: x\r\n\r\nGET /echo/b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(conn.read_response()->body, R"({"word":"a"})");
  EXPECT_EQ(conn.read_response()->body, R"({"word":"b"})");
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  auto r = test::http_request(port_, "GET", "/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body.substr(0, 52), R"({"error":{"code":"not_found","message":"no such reso)");
  EXPECT_NE(r->body.find("\"request_id\":\"" + r->header("x-request-id") + "\""),
            std::string::npos);
  r = test::http_request(port_, "DELETE", "/upload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "POST, OPTIONS");
  EXPECT_NE(r->body.find(R"("code":"method_not_allowed")"), std::string::npos);
}

TEST_F(ServerTest, HeadAndOptions) {
  RawConnection conn(port_);
  conn.send("HEAD /echo/abc HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = conn.read_response(5s, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-length"), "14");  // of {"word":"abc"}
  EXPECT_EQ(r->body, "");
  conn.send("OPTIONS /upload HTTP/1.1\r\nHost: x\r\n\r\n");  // same connection: no body was sent
  r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->header("allow"), "POST, OPTIONS");
}

TEST_F(ServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  RawConnection plain(port_);
  plain.send("GET /healthz HTTP/1.0\r\n\r\n");
  auto r = plain.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(plain.wait_closed(1s));

  RawConnection kept(port_);
  kept.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  r = kept.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("connection"), "keep-alive");
  kept.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_TRUE(kept.read_response());
}

TEST_F(ServerTest, BodyOverTheRouteLimitIs413BeforeReading) {
  auto r = test::http_request(port_, "POST", "/upload", std::string(1001, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("body of 1001 bytes exceeds the limit of 1000"), std::string::npos);
  EXPECT_EQ(r->header("connection"), "close");
  r = test::http_request(port_, "POST", "/upload", std::string(1000, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"bytes":1000})");
}

TEST_F(ServerTest, HugeDeclaredBodyIsRefusedWithoutWaitingForIt) {
  RawConnection conn(port_);
  conn.send(post_head("/upload", "Content-Length: 10000000000\r\n"));
  auto r = conn.read_response(1s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(conn.wait_closed(2s));
}

TEST_F(ServerTest, The413ReachesAClientThatSendsItsWholeBodyAnyway) {
  // Closing with 300 kB unread would make the kernel reset the connection, and the client could
  // lose the answer: the server swallows the rest first.
  RawConnection conn(port_);
  std::string body(300 * 1000, 'x');
  conn.send(post_head("/upload", "Content-Length: " + std::to_string(body.size()) + "\r\n") + body);
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  RawConnection conn(port_);
  std::string chunk(600, 'x');
  conn.send(post_head("/upload", "Transfer-Encoding: chunked\r\n") + "258\r\n" + chunk +
            "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find(R"("code":"payload_too_large")"), std::string::npos);
  EXPECT_TRUE(conn.wait_closed(2s));
}

TEST_F(ServerTest, ChunkedBodyWithinTheLimitIsServed) {
  RawConnection conn(port_);
  conn.send(post_head("/upload", "Transfer-Encoding: chunked\r\n") +
            "3\r\n[1,\r\n2\r\n2]\r\n0\r\n\r\n");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"bytes":5})");
}

TEST_F(ServerTest, RoutesWithoutALimitGetTheDefaultOne) {
  // /echo has no limit of its own; the default here is 4096.
  RawConnection conn(port_);
  conn.send("GET /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("exceeds the limit of 4096"), std::string::npos);
}

TEST_F(ServerTest, ExpectContinueGetsA100BeforeTheBody) {
  RawConnection conn(port_);
  conn.send(post_head("/upload", "Content-Length: 2\r\nExpect: 100-continue\r\n"));
  auto interim = conn.read_response(1s);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  conn.send("{}");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"bytes":2})");
}

TEST_F(ServerTest, WrongContentTypeIs415) {
  auto r = test::http_request(port_, "POST", "/upload", "{}", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_NE(r->body.find("expected application/json"), std::string::npos);
  r = test::http_request(port_, "POST", "/upload", "{}", "Application/JSON; charset=utf-8");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  RawConnection conn(port_);
  conn.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_NE(r->body.find("larger than 2048 bytes"), std::string::npos);
  EXPECT_TRUE(conn.wait_closed(2s));
}

TEST_F(ServerTest, MalformedRequestsAre400AndClosed) {
  for (std::string bad :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET /healthz HTTP/9.9\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string("POST /upload HTTP/1.1\r\nContent-Length: 2\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n{}")}) {
    RawConnection conn(port_);
    conn.send(bad);
    auto r = conn.read_response();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_NE(r->body.find(R"("code":"invalid_argument")"), std::string::npos);
    EXPECT_TRUE(conn.wait_closed(2s));
  }
}

TEST_F(ServerTest, MalformedChunkedBodyIs400) {
  RawConnection conn(port_);
  conn.send(post_head("/upload", "Transfer-Encoding: chunked\r\n") + "zz\r\nxx\r\n0\r\n\r\n");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("malformed HTTP body"), std::string::npos);
}

TEST_F(ServerTest, HandlerExceptionIs500WithRequestIdAndNoInternals) {
  RawConnection conn(port_);
  conn.send("GET /throw HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-42\r\n\r\n");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->header("x-request-id"), "trace-42");
  EXPECT_EQ(r->body,
            R"({"error":{"code":"internal","message":"internal error","request_id":"trace-42"}})");
  // The connection survives.
  conn.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(conn.read_response()->status, 200);
}

TEST_F(ServerTest, UnsafeClientRequestIdsAreReplaced) {
  RawConnection conn(port_);
  conn.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: a b;c\r\n\r\n");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-request-id").size(), 13u);
}

TEST_F(ServerTest, SlowLorisHeadersAreCutOffAtTheHeaderTimeout) {
  RawConnection conn(port_);
  auto start = Clock::now();
  conn.send("GET /healthz HTTP/1.1\r\n");
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    closed = !conn.send("X-Drip-" + std::to_string(i) + ": y\r\n") || conn.wait_closed(50ms);
  }
  auto elapsed = Clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 1500ms);  // header timeout is 300 ms; dripping would go on for 2 s
}

TEST_F(ServerTest, StalledBodyIsAnswered408AndCutOffAtTheBodyTimeout) {
  RawConnection conn(port_);
  conn.send(post_head("/upload", "Content-Length: 100\r\n") + "{\"partial\":");
  auto start = Clock::now();
  auto r = conn.read_response(2s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_NE(r->body.find(R"("code":"deadline_exceeded")"), std::string::npos);
  EXPECT_TRUE(conn.wait_closed(2s));
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST_F(ServerTest, IdleKeepAliveConnectionsAreClosed) {
  RawConnection conn(port_);
  conn.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(conn.read_response());
  auto start = Clock::now();
  EXPECT_TRUE(conn.wait_closed(3s));
  EXPECT_GE(Clock::now() - start, 400ms);  // idle timeout is 500 ms
}

TEST_F(ServerTest, AConnectionThatNeverSpeaksIsClosedAtTheIdleTimeout) {
  RawConnection conn(port_);
  auto start = Clock::now();
  EXPECT_TRUE(conn.wait_closed(3s));
  EXPECT_GE(Clock::now() - start, 400ms);
}

TEST(ServerListen, RefusesAPortSomeoneElseListensOn) {
  HttpServer first(fast_timeouts(), test_routes);
  ASSERT_TRUE(first.listen());
  auto config = fast_timeouts();
  config.port = first.port();
  HttpServer second(config, test_routes);
  auto ok = second.listen();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::unavailable);
  EXPECT_NE(ok.error().message.find("Address already in use"), std::string::npos);

  config.address = "localhost:80";
  HttpServer third(config, test_routes);
  EXPECT_EQ(third.listen().error().code, Errc::invalid_argument);
}

TEST(ServerStart, AFailingRouterFactoryIsRethrownFromRun) {
  auto config = fast_timeouts();
  HttpServer server(config, [](ThreadContext& t) -> std::shared_ptr<Router> {
    if (t.index == 1) throw std::runtime_error("no redis");
    return std::make_shared<Router>();
  });
  ASSERT_TRUE(server.listen());
  EXPECT_THROW(server.run(), std::runtime_error);
}

TEST(ServerShutdown, FinishesTheRequestInFlightRefusesNewConnectionsAndReturns) {
  HttpServer server(fast_timeouts(), test_routes);
  ASSERT_TRUE(server.listen());
  int port = server.port();
  std::thread runner([&] { server.run(); });

  RawConnection idle(port);  // an idle keep-alive connection: closed at once on shutdown
  idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(idle.read_response());

  RawConnection busy(port);
  busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  auto stop_at = Clock::now();
  server.stop();

  EXPECT_TRUE(idle.wait_closed(200ms));
  EXPECT_TRUE(refuses_connections(port, 150ms));  // while /slow is still in flight
  auto r = busy.read_response(3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"slow":true})");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(busy.wait_closed(1s));
  runner.join();
  EXPECT_LT(Clock::now() - stop_at, 1s);
}

TEST(ServerShutdown, GraceExpiryCutsRequestsThatDoNotFinish) {
  auto config = fast_timeouts();
  config.shutdown_grace = 100ms;
  HttpServer server(config, test_routes);
  ASSERT_TRUE(server.listen());
  std::thread runner([&] { server.run(); });
  RawConnection busy(server.port());
  busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  auto stop_at = Clock::now();
  server.stop();
  runner.join();
  EXPECT_LT(Clock::now() - stop_at, 250ms);
  EXPECT_TRUE(busy.wait_closed(1s));
}

TEST(ServerShutdown, ASecondSignalEndsAtOnce) {
  auto config = fast_timeouts();
  config.handle_signals = true;
  HttpServer server(config, test_routes);
  ASSERT_TRUE(server.listen());
  std::atomic<bool> returned{false};
  std::thread runner([&] {
    server.run();
    returned = true;
  });
  RawConnection busy(server.port());
  busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  auto start = Clock::now();
  ::kill(::getpid(), SIGTERM);  // graceful: /slow (300 ms) may finish
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(returned);
  ::kill(::getpid(), SIGINT);  // forced
  runner.join();
  EXPECT_LT(Clock::now() - start, 250ms);
  EXPECT_FALSE(busy.read_response(1s));  // cut before its answer
}

TEST(ServerShutdown, StopBeforeRunReturnsAtOnce) {
  HttpServer server(fast_timeouts(), test_routes);
  server.stop();
  auto start = Clock::now();
  server.run();
  EXPECT_LT(Clock::now() - start, 500ms);
}

// What the web role needs besides its flags: Redis and the connection its jobs are for.
std::map<std::string, std::string> web_env(const test::RedisServer& redis,
                                           std::map<std::string, std::string> more = {}) {
  more["REDIS_URL"] = redis.url();
  more["CONNECTION_NAMES"] = "test-org";
  more["PRICING_BENCH_ROUTES"] = "1";
  return more;
}

TEST(WebProcess, ServesHealthzLogsLogfmtAndExitsCleanlyOnSigterm) {
  test::RedisServer redis;
  int port = test::free_port();
  auto web = test::Process::start({PE_BINARY, "web", "--port", std::to_string(port)},
                                  web_env(redis, {{"WEB_THREADS", "2"}, {"LOG_LEVEL", "info"}}));
  ASSERT_TRUE(test::wait_for_port(port, 5s)) << web.output();
  auto r = test::http_request(port, "GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = test::http_request(port, "GET", "/api/ping?token=s3cret");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"pong":true})");
  auto via_redis = test::http_request(port, "POST", "/api/noop-redis", R"({"a":1})");
  ASSERT_TRUE(via_redis);
  EXPECT_EQ(via_redis->status, 204) << via_redis->body;
  r = test::http_request(port, "POST", "/api/noop", R"({"a":1})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  web.signal(SIGTERM);
  EXPECT_EQ(web.wait(5s), 0);
  auto out = web.output();
  EXPECT_NE(out.find("level=info msg=http_listening component=http address=0.0.0.0 port=" +
                     std::to_string(port) + " threads=2"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("msg=http_request request_id=" + r->header("x-request-id") +
                     " method=POST path=/api/noop status=204 bytes=0 duration_us="),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("method=GET path=/healthz status=200 bytes=15"), std::string::npos) << out;
  EXPECT_EQ(out.find("s3cret"), std::string::npos) << out;  // the query is never logged
  EXPECT_NE(out.find("msg=shutdown_signal component=http signal=SIGTERM"), std::string::npos)
      << out;
  EXPECT_NE(out.find("msg=http_stopped"), std::string::npos) << out;
}

TEST(WebProcess, BenchmarkRoutesAreOffUnlessAskedFor) {
  test::RedisServer redis;
  int port = test::free_port();
  auto env = web_env(redis);
  env.erase("PRICING_BENCH_ROUTES");
  auto web = test::Process::start({PE_BINARY, "web", "--port", std::to_string(port)}, env);
  ASSERT_TRUE(test::wait_for_port(port, 5s)) << web.output();
  for (auto [method, path] :
       {std::pair{"GET", "/api/ping"}, {"POST", "/api/noop"}, {"POST", "/api/noop-redis"}}) {
    auto r = test::http_request(port, method, path, R"({"a":1})");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
  }
  auto docs = test::http_request(port, "GET", "/api-docs.yaml");
  ASSERT_TRUE(docs);
  EXPECT_EQ(docs->status, 200);
  EXPECT_NE(docs->body.find("operationId: generateQuote"), std::string::npos);
  web.signal(SIGTERM);
  EXPECT_EQ(web.wait(5s), 0);
}

// How many PINGs redis-server has answered, from INFO commandstats.
int64_t pings_answered(const test::RedisServer& redis) {
  auto cli = test::Process::start(
      {"redis-cli", "-p", std::to_string(redis.port()), "INFO", "commandstats"});
  EXPECT_EQ(cli.wait(5s), 0);
  const std::string out = cli.output();
  const auto at = out.find("cmdstat_ping:calls=");
  return at == std::string::npos ? 0 : std::stoll(out.substr(at + 19));
}

// The benchmarks' floor (POST /api/noop-redis) shares round trips as the webhook does: requests
// that arrive together wait on one PING, not one each.
TEST(WebProcess, NoopRedisRequestsArrivingTogetherShareAPing) {
  test::RedisServer redis;
  int port = test::free_port();
  auto web = test::Process::start({PE_BINARY, "web", "--port", std::to_string(port)},
                                  web_env(redis, {{"WEB_THREADS", "1"}, {"LOG_LEVEL", "warn"}}));
  ASSERT_TRUE(test::wait_for_port(port, 5s)) << web.output();
  constexpr int kRequests = 20;
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < kRequests; ++i) connections.push_back(std::make_unique<RawConnection>(port));
  const int64_t before = pings_answered(redis);
  const std::string request =
      "POST /api/noop-redis HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\n\r\n{}";
  for (auto& c : connections) ASSERT_TRUE(c->send(request));
  for (auto& c : connections) {
    auto r = c->read_response();
    ASSERT_TRUE(r) << web.output();
    EXPECT_EQ(r->status, 204) << r->body;
  }
  const int64_t pings = pings_answered(redis) - before;
  EXPECT_GE(pings, 1);
  EXPECT_LT(pings, kRequests);
}

TEST(WebProcess, AccessLogFollowsTheLogLevel) {
  test::RedisServer redis;
  int port = test::free_port();
  auto web =
      test::Process::start({PE_BINARY, "web", "--port", std::to_string(port)},
                           web_env(redis, {{"LOG_LEVEL", "warn"}, {"PRICING_WEBHOOK_TOKEN", "t"}}));
  ASSERT_TRUE(test::wait_for_port(port, 5s)) << web.output();
  ASSERT_TRUE(test::http_request(port, "GET", "/healthz"));
  web.signal(SIGINT);
  EXPECT_EQ(web.wait(5s), 0);
  EXPECT_EQ(web.output(), "");
}

TEST(WebProcess, ReportsEveryBadVariableAtOnce) {
  auto web = test::Process::start({PE_BINARY, "web"},
                                  {{"PORT", "http"}, {"WEB_THREADS", "-1"}, {"LOG_LEVEL", "loud"}});
  EXPECT_EQ(web.wait(5s), 2);
  auto out = web.output();
  EXPECT_NE(out.find("PORT: expected a whole number, got 'http'"), std::string::npos) << out;
  EXPECT_NE(out.find("WEB_THREADS: must be between 0 and 256, got -1"), std::string::npos) << out;
  EXPECT_NE(out.find("LOG_LEVEL: unknown log level 'loud'"), std::string::npos) << out;
  EXPECT_NE(out.find("PRICING_CONNECTION: is required"), std::string::npos) << out;
}

TEST(WebProcess, HelpDescribesTheFlags) {
  auto web = test::Process::start({PE_BINARY, "web", "--help"});
  EXPECT_EQ(web.wait(5s), 0);
  auto out = web.output();
  EXPECT_NE(out.find("--port"), std::string::npos) << out;
  EXPECT_NE(out.find("--threads"), std::string::npos) << out;
}

TEST(WebProcess, RefusesAPortInUse) {
  test::RedisServer redis;
  int port = test::free_port();
  auto first =
      test::Process::start({PE_BINARY, "web", "--port", std::to_string(port)}, web_env(redis));
  ASSERT_TRUE(test::wait_for_port(port, 5s)) << first.output();
  auto second =
      test::Process::start({PE_BINARY, "web", "--port", std::to_string(port)}, web_env(redis));
  EXPECT_EQ(second.wait(5s), 1);
  EXPECT_NE(second.output().find("Address already in use"), std::string::npos) << second.output();
}

}  // namespace
}  // namespace pe::net
