// The HTTP server over loopback: concurrency, limits, timeouts, graceful shutdown, and the real
// binary's `web` subcommand.
#include "net/http_server.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <signal.h>

#include <atomic>
#include <thread>

namespace pe::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::RawConnection;

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
    asio::steady_timer timer(io, 400ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_return json_response(http::status::ok, R"({"slow":true})");
  });
  router->add(http::verb::get, "/throw", [](Request&) -> asio::awaitable<Response> {
    throw std::runtime_error("secret internals");
    co_return empty_response(http::status::ok);
  });
  return router;
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
  config.shutdown_grace = 3s;
  config.handle_signals = false;
  config.access_log = false;
  return config;
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
  EXPECT_EQ(r->header("x-request-id").size(), 16u);
  r = test::http_request(port_, "GET", "/echo/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"word":"hello"})");
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
  EXPECT_NE(r->body.find(R"("code":"not_found")"), std::string::npos);
  r = test::http_request(port_, "DELETE", "/upload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "POST, OPTIONS");
}

TEST_F(ServerTest, BodyOverTheRouteLimitIs413BeforeReading) {
  auto r = test::http_request(port_, "POST", "/upload", std::string(1001, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("exceeds the limit of 1000"), std::string::npos);
  r = test::http_request(port_, "POST", "/upload", std::string(1000, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"bytes":1000})");
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  RawConnection conn(port_);
  std::string chunk(600, 'x');
  conn.send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n258\r\n" +
      chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(conn.wait_closed(1s));
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
  EXPECT_TRUE(conn.wait_closed(1s));
}

TEST_F(ServerTest, MalformedRequestIs400AndClosed) {
  RawConnection conn(port_);
  conn.send("GARBAGE\r\n\r\n");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(conn.wait_closed(1s));
}

TEST_F(ServerTest, HandlerExceptionIs500WithRequestIdAndNoInternals) {
  RawConnection conn(port_);
  conn.send("GET /throw HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-42\r\n\r\n");
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->header("x-request-id"), "trace-42");
  EXPECT_NE(r->body.find("trace-42"), std::string::npos);
  EXPECT_EQ(r->body.find("secret internals"), std::string::npos);
}

TEST_F(ServerTest, SlowLorisHeadersAreCutOffAtTheHeaderTimeout) {
  RawConnection conn(port_);
  auto start = std::chrono::steady_clock::now();
  conn.send("GET /healthz HTTP/1.1\r\n");
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    closed = !conn.send("X-Drip-" + std::to_string(i) + ": y\r\n") || conn.wait_closed(50ms);
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_LT(elapsed, 1500ms);  // header timeout is 300 ms; dripping went on for up to 2 s
}

TEST_F(ServerTest, StalledBodyIsCutOffAtTheBodyTimeout) {
  RawConnection conn(port_);
  conn.send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 100\r\n\r\n{\"partial\":");
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(conn.wait_closed(2s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST_F(ServerTest, IdleKeepAliveConnectionsAreClosed) {
  RawConnection conn(port_);
  conn.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(conn.read_response());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(conn.wait_closed(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 400ms);
}

TEST(ServerShutdown, FinishesTheRequestInFlightThenStopsAcceptingAndReturns) {
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
  auto stop_at = std::chrono::steady_clock::now();
  server.stop();

  auto r = busy.read_response(3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"slow":true})");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(idle.wait_closed(1s));
  runner.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 2s);
  EXPECT_FALSE(test::wait_for_port(port, 100ms));
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
  auto stop_at = std::chrono::steady_clock::now();
  server.stop();
  runner.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 350ms);
}

TEST(WebProcess, ServesHealthzLogsLogfmtAndExitsCleanlyOnSigterm) {
  int port = test::free_port();
  auto web = test::Process::start({PE_BINARY, "web", "--port", std::to_string(port)},
                                  {{"WEB_THREADS", "2"}, {"LOG_LEVEL", "info"}});
  ASSERT_TRUE(test::wait_for_port(port, 5s)) << web.output();
  auto r = test::http_request(port, "GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  web.signal(SIGTERM);
  EXPECT_EQ(web.wait(5s), 0);
  auto out = web.output();
  EXPECT_NE(out.find("level=info msg=http_listening"), std::string::npos) << out;
  EXPECT_NE(out.find("msg=http_request request_id="), std::string::npos) << out;
  EXPECT_NE(out.find("path=/healthz status=200"), std::string::npos) << out;
  EXPECT_NE(out.find("msg=shutdown_signal component=http signal=SIGTERM"), std::string::npos)
      << out;
  EXPECT_NE(out.find("msg=http_stopped"), std::string::npos) << out;
}

TEST(WebProcess, ReportsEveryBadVariableAtOnce) {
  auto web = test::Process::start({PE_BINARY, "web"},
                                  {{"PORT", "http"}, {"WEB_THREADS", "-1"}, {"LOG_LEVEL", "loud"}});
  EXPECT_EQ(web.wait(5s), 2);
  auto out = web.output();
  EXPECT_NE(out.find("PORT: expected a whole number, got 'http'"), std::string::npos) << out;
  EXPECT_NE(out.find("WEB_THREADS: must be between 0 and 256, got -1"), std::string::npos) << out;
  EXPECT_NE(out.find("LOG_LEVEL"), std::string::npos) << out;
}

}  // namespace
}  // namespace pe::net
