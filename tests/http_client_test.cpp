// The HTTP client against real servers on 127.0.0.1: our own HttpServer for plain HTTP (keep-alive
// pooling, idle eviction, a server closing idle connections, deadlines, cancellation, retries),
// and a small Beast TLS server with a certificate made during the test (verification against a
// trusted CA, an untrusted one, a host name mismatch, SNI).
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/retry_policy.hpp"
#include "support/process.hpp"
#include "support/tls_files.hpp"

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace pe::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
using namespace asio::experimental::awaitable_operators;

// Runs awaitables of the client on one io_context in the test thread.
class ClientHarness {
 protected:
  HttpClient make_client(ClientConfig config = {}) {
    return HttpClient::create(io_, std::move(config)).value();
  }

  template <class T>
  T run(asio::awaitable<T> task) {
    std::optional<T> out;
    std::exception_ptr error;
    asio::co_spawn(io_, std::move(task), [&](std::exception_ptr e, T value) {
      error = e;
      if (!e) out.emplace(std::move(value));
      io_.stop();
    });
    io_.restart();
    io_.run_for(10s);
    if (error) std::rethrow_exception(error);
    if (!out) throw std::runtime_error("the task did not finish within 10 s");
    return std::move(*out);
  }

  Result<HttpResponse> get(HttpClient& client, std::string url) {
    return run(client.request(HttpRequest{.url = std::move(url)}));
  }

  void pause(std::chrono::milliseconds d) {
    asio::steady_timer timer(io_, d);
    timer.async_wait([this](boost::system::error_code) { io_.stop(); });
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
};

// ---------------------------------------------------------------------------------------------
// Plain HTTP against our server.

class OurServerTest : public ::testing::Test, public ClientHarness {
 protected:
  void SetUp() override { start_server(500ms); }
  void TearDown() override { stop_server(); }

  void start_server(std::chrono::milliseconds idle_timeout) {
    ServerConfig config;
    config.address = "127.0.0.1";
    config.port = 0;
    config.threads = 1;
    config.idle_timeout = idle_timeout;
    config.shutdown_grace = 500ms;
    config.handle_signals = false;
    config.access_log = false;
    server_ = std::make_unique<HttpServer>(config, [this](ThreadContext& t) { return routes(t); });
    ASSERT_TRUE(server_->listen());
    thread_ = std::thread([this] { server_->run(); });
  }
  void stop_server() {
    server_->stop();
    thread_.join();
  }

  std::shared_ptr<Router> routes(ThreadContext& thread) {
    auto router = std::make_shared<Router>();
    auto& io = thread.io;
    router->add(http::verb::get, "/hello", [](Request&) -> asio::awaitable<Response> {
      co_return json_response(http::status::ok, R"({"hello":"world"})");
    });
    router->add(http::verb::get, "/query", [](Request& req) -> asio::awaitable<Response> {
      Response res{http::status::ok, 11};
      res.body() = std::string(req.query);
      res.prepare_payload();  // else the body would end only when the connection closes
      co_return res;
    });
    router->add(http::verb::post, "/echo",
                [](Request& req) -> asio::awaitable<Response> {
                  Response res{http::status::ok, 11};
                  res.set(http::field::content_type, req.header(http::field::content_type));
                  res.body() = req.body();
                  res.prepare_payload();
                  co_return res;
                },
                {.body_limit = 4 << 20});
    router->add(http::verb::get, "/big", [](Request&) -> asio::awaitable<Response> {
      Response res{http::status::ok, 11};
      res.body() = std::string(2000, 'b');
      res.prepare_payload();
      co_return res;
    });
    // Sleeps for ?ms=N (default 2000) before answering.
    router->add(http::verb::get, "/slow", [&io](Request& req) -> asio::awaitable<Response> {
      auto ms = req.query.starts_with("ms=") ? std::stoi(std::string(req.query.substr(3))) : 2000;
      asio::steady_timer timer(io, std::chrono::milliseconds(ms));
      co_await timer.async_wait(kNoThrow);
      co_return json_response(http::status::ok, R"({"slow":true})");
    });
    // 503 with Retry-After: 1, then 503 without, then 200.
    router->add(http::verb::get, "/flaky", [this](Request& req) -> asio::awaitable<Response> {
      int n = ++flaky_calls_;
      if (n <= 2) {
        auto res = json_error(req, Errc::unavailable, "try later");
        if (n == 1) res.set(http::field::retry_after, "1");
        co_return res;
      }
      co_return json_response(http::status::ok, R"({"attempt":3})");
    });
    router->add(http::verb::post, "/flaky", [this](Request& req) -> asio::awaitable<Response> {
      ++flaky_calls_;
      co_return json_error(req, Errc::unavailable, "try later");
    });
    return router;
  }

  std::string url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(target);
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::atomic<int> flaky_calls_{0};
};

TEST_F(OurServerTest, KeepsOneConnectionAliveForSequentialRequests) {
  auto client = make_client();
  for (int i = 0; i < 5; ++i) {
    auto res = get(client, url("/hello"));
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, R"({"hello":"world"})");
    EXPECT_EQ(res->header("Content-Type"), "application/json");
    EXPECT_EQ(res->header("x-request-id")->size(), 13u);
  }
  EXPECT_EQ(client.stats().connections_opened, 1u);
  EXPECT_EQ(client.stats().connections_reused, 4u);
  EXPECT_EQ(client.idle_connections(origin()), 1u);
}

TEST_F(OurServerTest, QueriesAndBodiesArriveExactly) {
  auto client = make_client();
  auto query = get(client, url("/query?q=SELECT+Id%2CName+FROM+Account+WHERE+Name+%3D+%27a%27&x="));
  ASSERT_TRUE(query) << query.error().message;
  EXPECT_EQ(query->body, "q=SELECT+Id%2CName+FROM+Account+WHERE+Name+%3D+%27a%27&x=");

  std::string csv;
  for (int i = 0; i < 20'000; ++i)
    csv += "00Q" + std::to_string(i) + ",Quote " + std::to_string(i) + "\n";
  auto echoed = run(client.request({.method = http::verb::post,
                                    .url = url("/echo"),
                                    .headers = {{"Content-Type", "text/csv"}},
                                    .body = csv}));
  ASSERT_TRUE(echoed) << echoed.error().message;
  EXPECT_EQ(echoed->status, 200);
  EXPECT_EQ(echoed->header("content-type"), "text/csv");
  EXPECT_EQ(echoed->body, csv);
  EXPECT_EQ(client.stats().connections_opened, 1u);
}

TEST_F(OurServerTest, ErrorStatusesAreResponsesNotErrors) {
  auto client = make_client();
  auto missing = get(client, url("/nope"));
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find(R"("code":"not_found")"), std::string::npos);
  auto wrong_method = run(client.request({.method = http::verb::delete_, .url = url("/hello")}));
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->header("Allow"), "GET, HEAD, OPTIONS");
  auto head = run(client.request({.method = http::verb::head, .url = url("/hello")}));
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->header("Content-Length"), "17");
  EXPECT_EQ(client.stats().connections_opened, 1u);
}

TEST_F(OurServerTest, BodiesOverTheLimitAreRefused) {
  auto client = make_client({.max_response_body = 1000});
  auto res = get(client, url("/big"));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::payload_too_large);
  auto allowed = run(client.request({.url = url("/big"), .max_response_body = 2000}));
  ASSERT_TRUE(allowed) << allowed.error().message;
  EXPECT_EQ(allowed->body.size(), 2000u);
}

TEST_F(OurServerTest, ConcurrentRequestsOpenConnectionsAndThePoolKeepsUpToItsCap) {
  auto client = make_client({.max_idle_per_origin = 2});
  int done = 0;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(io_, client.request({.url = url("/slow?ms=200")}),
                   [&](std::exception_ptr, Result<HttpResponse> r) {
                     EXPECT_TRUE(r && r->status == 200);
                     if (++done == 3) io_.stop();
                   });
  }
  io_.restart();
  io_.run_for(5s);
  ASSERT_EQ(done, 3);
  EXPECT_EQ(client.stats().connections_opened, 3u);
  EXPECT_EQ(client.idle_connections(origin()), 2u);
}

TEST_F(OurServerTest, EvictsConnectionsIdleLongerThanTheIdleTimeout) {
  auto client = make_client({.idle_timeout = 150ms});
  ASSERT_TRUE(get(client, url("/hello")));
  EXPECT_EQ(client.idle_connections(origin()), 1u);
  pause(400ms);
  EXPECT_EQ(client.idle_connections(origin()), 0u);  // expired, and closed on this look
  ASSERT_TRUE(get(client, url("/hello")));
  EXPECT_EQ(client.stats().connections_opened, 2u);
}

TEST_F(OurServerTest, AnIdlePoolDoesNotKeepTheIoContextRunning) {
  auto client = make_client();
  std::optional<Result<HttpResponse>> out;
  asio::co_spawn(io_, client.request({.url = url("/hello")}),
                 [&](std::exception_ptr, Result<HttpResponse> r) { out.emplace(std::move(r)); });
  io_.restart();
  auto started = Clock::now();
  io_.run();  // returns once the request is done: the pool holds sockets, not pending work
  EXPECT_LT(Clock::now() - started, 5s);
  ASSERT_TRUE(out && *out);
  EXPECT_EQ(client.idle_connections(origin()), 1u);
}

TEST_F(OurServerTest, AConnectionTheServerClosedWhileIdleIsReplacedTransparently) {
  stop_server();
  start_server(200ms);  // the server gives up on idle connections first
  auto client = make_client({.idle_timeout = 10s});
  ASSERT_TRUE(get(client, url("/hello")));
  pause(500ms);
  auto res = run(client.request({.method = http::verb::post,
                                 .url = url("/echo"),
                                 .headers = {{"Content-Type", "application/json"}},
                                 .body = "{}"}));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "{}");
  EXPECT_EQ(client.stats().connections_opened, 2u);
}

TEST_F(OurServerTest, ARefusedConnectionIsUnavailable) {
  auto client = make_client();
  int port = test::free_port();
  auto res = get(client, "http://127.0.0.1:" + std::to_string(port) + "/hello");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::unavailable);
  EXPECT_EQ(res.error().message,
            "cannot connect to http://127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_F(OurServerTest, ASlowAnswerMeetsTheResponseDeadline) {
  auto client = make_client({.response_timeout = 200ms});
  auto started = Clock::now();
  auto res = get(client, url("/slow?ms=3000"));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::deadline_exceeded);
  EXPECT_EQ(res.error().message, "no complete response from " + origin() + " within 200 ms");
  EXPECT_LT(Clock::now() - started, 2s);
  EXPECT_EQ(client.stats().idle, 0u);
}

TEST_F(OurServerTest, CancellationEndsARequestInFlight) {
  auto client = make_client();
  asio::cancellation_signal stop;
  std::optional<Result<HttpResponse>> out;
  asio::co_spawn(
      io_, client.request({.url = url("/slow?ms=3000")}),
      asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr, Result<HttpResponse> r) {
        out.emplace(std::move(r));
        io_.stop();
      }));
  asio::steady_timer trigger(io_, 100ms);
  trigger.async_wait(
      [&](boost::system::error_code) { stop.emit(asio::cancellation_type::terminal); });
  auto started = Clock::now();
  io_.run_for(5s);
  ASSERT_TRUE(out);
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->error().code, Errc::cancelled);
  EXPECT_LT(Clock::now() - started, 2s);
  EXPECT_EQ(client.stats().idle, 0u);
}

TEST_F(OurServerTest, RetriesTransientFailuresHonouringRetryAfter) {
  auto client = make_client();
  auto started = Clock::now();
  auto res = run(client.request_with_retry({.url = url("/flaky")},
                                           exponential_backoff({.initial_delay = 50ms})));
  auto took = Clock::now() - started;
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"attempt":3})");
  EXPECT_EQ(flaky_calls_, 3);
  EXPECT_GE(took, 1s);  // the first 503 asked for a one second wait
}

TEST_F(OurServerTest, DoesNotRetryANonIdempotentRequestThatReachedTheServer) {
  auto client = make_client();
  auto res = run(client.request_with_retry({.method = http::verb::post, .url = url("/flaky")},
                                           exponential_backoff({.initial_delay = 10ms})));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(flaky_calls_, 1);
}

TEST_F(OurServerTest, RetriesAConnectFailureForAnyMethod) {
  auto client = make_client();
  int port = test::free_port();
  int attempts = 0;
  RetryPolicy counting = [&,
                          inner = exponential_backoff({.max_attempts = 3, .initial_delay = 10ms})](
                             const RetryAttempt& a) {
    attempts = a.attempt;
    EXPECT_FALSE(a.sent);
    return inner(a);
  };
  auto res = run(client.request_with_retry(
      {.method = http::verb::post, .url = "http://127.0.0.1:" + std::to_string(port) + "/x"},
      counting));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::unavailable);
  EXPECT_EQ(attempts, 3);
}

TEST_F(OurServerTest, TlsToAPlainServerFailsTheHandshake) {
  auto client = make_client();
  auto https = "https://127.0.0.1:" + std::to_string(server_->port()) + "/hello";
  auto res = get(client, https);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::unavailable);
  EXPECT_TRUE(res.error().message.starts_with(
      "TLS handshake with https://127.0.0.1:" + std::to_string(server_->port()) + " failed: "))
      << res.error().message;
}

// ---------------------------------------------------------------------------------------------
// TLS.

// Signs a server certificate for `name` with the CA of `base` (make_tls_files keeps its key
// beside it), for host name mismatch tests.
test::TlsFiles cert_for(const test::TlsFiles& base, const std::string& name) {
  auto dir = base.ca.parent_path();
  test::TlsFiles f{base.ca, dir / (name + ".pem"), dir / (name + ".key")};
  auto csr = (dir / (name + ".csr")).string();
  auto ext = (dir / (name + ".cnf")).string();
  std::string commands =
      "openssl req -newkey rsa:2048 -nodes -subj /CN=" + name + " -keyout " + f.key.string() +
      " -out " + csr + " && printf 'subjectAltName=DNS:" + name + "\\n' > " + ext +
      " && openssl x509 -req -days 2 -in " + csr + " -CA " + base.ca.string() + " -CAkey " +
      (dir / "ca.key").string() + " -CAcreateserial -extfile " + ext + " -out " + f.cert.string();
  if (std::system(("(" + commands + ") >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("openssl failed making a certificate for " + name);
  }
  return f;
}

// An HTTPS server on 127.0.0.1 in a thread of its own, answering every request with 200 and
// "secure <target>", keeping connections alive (and, with idle_close, ending a connection idle
// that long with a TLS close_notify). Counts handshakes and remembers the SNI name.
class TlsServer {
 public:
  explicit TlsServer(const test::TlsFiles& files,
                     std::optional<std::chrono::milliseconds> idle_close = std::nullopt)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        idle_close_(idle_close) {
    context_.use_certificate_chain_file(files.cert.string());
    context_.use_private_key_file(files.key.string(), ssl::context::pem);
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsServer() {
    io_.stop();
    thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  int handshakes() const { return handshakes_; }
  int failed_handshakes() const { return failed_handshakes_; }
  std::string last_sni() {
    std::lock_guard lock(mutex_);
    return last_sni_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      asio::co_spawn(io_, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), context_);
    beast::get_lowest_layer(stream).expires_after(5s);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kNoThrow);
    if (ec) {
      ++failed_handshakes_;
      co_return;
    }
    ++handshakes_;
    if (const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
      std::lock_guard lock(mutex_);
      last_sni_ = sni;
    } else {
      std::lock_guard lock(mutex_);
      last_sni_ = "(none)";
    }
    beast::flat_buffer buffer;
    asio::steady_timer idle(io_);
    for (;;) {
      http::request<http::string_body> req;
      beast::get_lowest_layer(stream).expires_after(5s);
      idle.expires_after(idle_close_.value_or(5s));
      auto first =
          co_await (http::async_read(stream, buffer, req, kNoThrow) || idle.async_wait(kNoThrow));
      if (first.index() == 1) {  // idle too long: say goodbye properly
        co_await stream.async_shutdown(kNoThrow);
        co_return;
      }
      if (std::get<0>(std::get<0>(first))) co_return;
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = "secure " + std::string(req.target());
      res.prepare_payload();
      res.keep_alive(req.keep_alive());
      auto [wec, written] = co_await http::async_write(stream, res, kNoThrow);
      if (wec) co_return;
    }
  }

  asio::io_context io_;
  ssl::context context_{ssl::context::tls_server};
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<int> handshakes_{0};
  std::atomic<int> failed_handshakes_{0};
  std::mutex mutex_;
  std::string last_sni_;
  std::optional<std::chrono::milliseconds> idle_close_;
};

class TlsTest : public ::testing::Test, public ClientHarness {
 protected:
  static void SetUpTestSuite() {
    files_ = new test::TlsFiles(test::make_tls_files());
    wrong_ = new test::TlsFiles(cert_for(*files_, "wrong.example"));
  }
  static void TearDownTestSuite() {
    delete files_;
    delete wrong_;
  }
  static std::string https(const std::string& host, int port, std::string_view target) {
    return "https://" + host + ":" + std::to_string(port) + std::string(target);
  }
  static test::TlsFiles* files_;
  static test::TlsFiles* wrong_;
};
test::TlsFiles* TlsTest::files_ = nullptr;
test::TlsFiles* TlsTest::wrong_ = nullptr;

TEST_F(TlsTest, TrustedCertificateGivesTheAnswerAndTheConnectionIsKept) {
  TlsServer server(*files_);
  auto client = make_client({.ca_file = files_->ca.string()});
  for (int i = 0; i < 3; ++i) {
    auto res = get(client, https("localhost", server.port(), "/services/data?q=1"));
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "secure /services/data?q=1");
  }
  EXPECT_EQ(server.handshakes(), 1);
  EXPECT_EQ(server.last_sni(), "localhost");
  EXPECT_EQ(client.stats().connections_reused, 2u);
}

TEST_F(TlsTest, AConnectionClosedWithCloseNotifyWhileIdleIsReplacedTransparently) {
  TlsServer server(*files_, 150ms);
  auto client = make_client({.idle_timeout = 10s, .ca_file = files_->ca.string()});
  ASSERT_TRUE(get(client, https("localhost", server.port(), "/1")));
  pause(400ms);
  auto res = run(client.request(
      {.method = http::verb::post, .url = https("localhost", server.port(), "/2"), .body = "x"}));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, "secure /2");
  EXPECT_EQ(server.handshakes(), 2);
  EXPECT_EQ(client.stats().connections_opened, 2u);
  // The close_notify sat unread in the socket (the server waits for ours), so the pooled
  // connection looked alive; the request went out, met the close, and was sent again.
  EXPECT_EQ(client.stats().stale_retries, 1u);
}

TEST_F(TlsTest, AnIpAddressIsCheckedAgainstTheCertificateWithoutSni) {
  TlsServer server(*files_);
  auto client = make_client({.ca_file = files_->ca.string()});
  auto res = get(client, https("127.0.0.1", server.port(), "/"));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, "secure /");
  EXPECT_EQ(server.last_sni(), "(none)");
}

TEST_F(TlsTest, AnUntrustedCertificateIsAVerificationError) {
  TlsServer server(*files_);
  auto client = make_client();  // the system store does not know our test CA
  auto res = get(client, https("localhost", server.port(), "/"));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::unavailable);
  EXPECT_EQ(res.error().message,
            "TLS certificate verification failed for localhost: unable to get local issuer "
            "certificate");
  EXPECT_EQ(client.stats().idle, 0u);
}

TEST_F(TlsTest, ACertificateForAnotherNameIsAVerificationError) {
  TlsServer server(*wrong_);
  auto client = make_client({.ca_file = files_->ca.string()});
  auto by_name = get(client, https("localhost", server.port(), "/"));
  ASSERT_FALSE(by_name);
  EXPECT_EQ(by_name.error().code, Errc::unavailable);
  EXPECT_EQ(by_name.error().message,
            "TLS certificate verification failed for localhost: hostname mismatch");
  auto by_ip = get(client, https("127.0.0.1", server.port(), "/"));
  ASSERT_FALSE(by_ip);
  EXPECT_EQ(by_ip.error().message,
            "TLS certificate verification failed for 127.0.0.1: IP address mismatch");
  EXPECT_EQ(server.handshakes(), 0);
}

TEST_F(TlsTest, VerificationCanBeTurnedOffForLocalExperiments) {
  TlsServer server(*wrong_);
  auto client = make_client({.tls_verify = false});
  auto res = get(client, https("localhost", server.port(), "/x"));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, "secure /x");
}

TEST_F(TlsTest, AMissingCaFileIsAStartUpError) {
  auto client = HttpClient::create(io_, {.ca_file = "/nonexistent/ca.pem"});
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Errc::invalid_argument);
  EXPECT_EQ(client.error().message,
            "CA file /nonexistent/ca.pem is missing or holds no PEM certificate");
}

}  // namespace
}  // namespace pe::net
