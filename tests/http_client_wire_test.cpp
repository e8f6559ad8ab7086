// The HTTP client against a loopback server that answers with canned bytes, so that it can
// misbehave in ways a real server would not: oversized headers and bodies, malformed status
// lines, interim responses, EOF-delimited bodies, silence, and connections closed at awkward
// moments. Each test runs the client and the server on one io_context in the test thread.
#include "common/base64.hpp"
#include "common/log.hpp"
#include "net/http_client.hpp"
#include "net/http_url.hpp"

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <functional>

namespace pe::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// What the canned server does with one request it has read.
struct Step {
  enum Kind {
    reply,            // write the bytes, then read the next request
    reply_and_close,  // write the bytes, then close
    reply_and_reset,  // write the bytes, shut down sending, close 100 ms later (body unread)
    close,            // close without a word
    silent,           // say nothing; wait (up to 3 s) for the client to close
  } kind = reply;
  std::string bytes;
};

// Accepts on 127.0.0.1 and answers each request with what `script` says, given the connection's
// index and the request's index on it (both from 0) and the request text (head and body).
class CannedServer {
 public:
  using Script = std::function<Step(int connection, int request, const std::string& text)>;

  // read_bodies false: the script answers after the request head, leaving any body unread.
  CannedServer(asio::io_context& io, Script script, bool read_bodies = true)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        script_(std::move(script)),
        read_bodies_(read_bodies) {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  std::string url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(target);
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port()); }
  int accepted() const { return accepted_; }
  int closed_by_client() const { return closed_by_client_; }
  std::vector<std::string> requests;  // every request read, in order

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      int index = accepted_++;
      asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket), index), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket, int connection) {
    std::string buffer;
    for (int n = 0;; ++n) {
      std::string text = co_await read_request(socket, buffer, read_bodies_);
      if (text.empty()) co_return;
      requests.push_back(text);
      Step step = script_(connection, n, text);
      if (step.kind == Step::silent) {
        bool closed = co_await wait_closed(socket);  // not in the condition: GCC 12 bug
        if (closed) ++closed_by_client_;
        co_return;
      }
      if (step.kind != Step::close) {
        co_await asio::async_write(socket, asio::buffer(step.bytes), kNoThrow);
      }
      if (step.kind == Step::reply_and_reset) {
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        asio::steady_timer linger(socket.get_executor(), 100ms);
        co_await linger.async_wait(kNoThrow);
      }
      if (step.kind != Step::reply) co_return;  // the socket closes here
    }
  }

  // The next request (head and Content-Length body); "" when the client closed.
  static asio::awaitable<std::string> read_request(tcp::socket& socket, std::string& buffer,
                                                   bool with_body) {
    auto [ec, n] =
        co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n\r\n", kNoThrow);
    if (ec) co_return std::string();
    std::size_t length = 0;
    if (auto at = buffer.find("Content-Length: "); with_body && at != std::string::npos && at < n) {
      length = std::stoul(buffer.substr(at + 16));
    }
    while (buffer.size() < n + length) {
      char chunk[4096];
      auto [rec, got] = co_await socket.async_read_some(asio::buffer(chunk), kNoThrow);
      if (rec) co_return std::string();
      buffer.append(chunk, got);
    }
    std::string request = buffer.substr(0, n + length);
    buffer.erase(0, n + length);
    co_return request;
  }

  // True when the client closes the connection within 3 s.
  static asio::awaitable<bool> wait_closed(tcp::socket& socket) {
    asio::steady_timer timer(socket.get_executor(), 3s);
    timer.async_wait([&socket](boost::system::error_code ec) {
      if (!ec) socket.cancel();
    });
    char byte;
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(&byte, 1), kNoThrow);
    timer.cancel();
    co_return ec&& ec != asio::error::operation_aborted;
  }

  tcp::acceptor acceptor_;
  Script script_;
  bool read_bodies_;
  int accepted_ = 0;
  int closed_by_client_ = 0;
};

std::string ok(std::string_view body, std::string_view extra_headers = "") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

class WireTest : public ::testing::Test {
 protected:
  HttpClient make_client(ClientConfig config = {}) {
    return HttpClient::create(io_, std::move(config)).value();
  }

  // Runs task on io_ until it completes (or 5 s pass, which fails the test).
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
    io_.run_for(5s);
    if (error) std::rethrow_exception(error);
    if (!out) throw std::runtime_error("the task did not finish within 5 s");
    return std::move(*out);
  }

  // Runs io_ for d (the client and the canned server make progress meanwhile).
  void pause(std::chrono::milliseconds d) {
    asio::steady_timer timer(io_, d);
    timer.async_wait([this](boost::system::error_code) { io_.stop(); });
    io_.restart();
    io_.run();
  }

  Result<HttpResponse> get(HttpClient& client, std::string url) {
    return run(client.request(HttpRequest{.url = std::move(url)}));
  }

  asio::io_context io_;
};

TEST_F(WireTest, SendsTheRequestAsGivenAndReturnsEveryHeader) {
  CannedServer server(io_, [](int, int, const std::string&) {
    return Step{Step::reply, ok("hello", "X-Dup: 1\r\nX-Dup: 2\r\n")};
  });
  auto client = make_client();
  HttpRequest req{.url = server.url("/a%20b?q=SELECT+Id&x=%2F&&y"),
                  .headers = {{"Accept", "application/json"}, {"X-Trace", "t-1"}}};
  auto res = run(client.request(req));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello");
  EXPECT_EQ(res->header("content-length"), "5");
  HttpHeaders dups;
  for (const auto& h : res->headers) {
    if (h.name == "X-Dup") dups.push_back(h);
  }
  EXPECT_EQ(dups, (HttpHeaders{{"X-Dup", "1"}, {"X-Dup", "2"}}));

  ASSERT_EQ(server.requests.size(), 1u);
  const auto& sent = server.requests[0];
  EXPECT_TRUE(sent.starts_with("GET /a%20b?q=SELECT+Id&x=%2F&&y HTTP/1.1\r\n")) << sent;
  EXPECT_NE(sent.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(sent.find("\r\nUser-Agent: pricing-engine/0.1\r\n"), std::string::npos);
  EXPECT_NE(sent.find("\r\nAccept: application/json\r\n"), std::string::npos);
  EXPECT_NE(sent.find("\r\nX-Trace: t-1\r\n"), std::string::npos);
  EXPECT_EQ(sent.find("Content-Length"), std::string::npos);
  EXPECT_EQ(sent.find("Connection"), std::string::npos);  // HTTP/1.1 keeps alive by default
}

TEST_F(WireTest, SendsBodiesWithTheirLengthAndLetsTheCallerSetTheUserAgent) {
  CannedServer server(io_, [](int, int, const std::string&) {
    return Step{Step::reply, ok("{}")};
  });
  auto client = make_client();
  auto posted =
      run(client.request({.method = http::verb::post,
                          .url = server.url("/upload"),
                          .headers = {{"Content-Type", "text/csv"}, {"user-agent", "sfdx/1"}},
                          .body = "Id,Name\n1,A\n"}));
  ASSERT_TRUE(posted) << posted.error().message;
  auto patched = run(client.request({.method = http::verb::patch, .url = server.url("/p")}));
  ASSERT_TRUE(patched) << patched.error().message;

  ASSERT_EQ(server.requests.size(), 2u);
  EXPECT_TRUE(server.requests[0].starts_with("POST /upload HTTP/1.1\r\n"));
  EXPECT_NE(server.requests[0].find("\r\nContent-Length: 12\r\n"), std::string::npos);
  EXPECT_TRUE(server.requests[0].ends_with("\r\n\r\nId,Name\n1,A\n"));
  EXPECT_NE(server.requests[0].find("\r\nUser-Agent: sfdx/1\r\n"), std::string::npos);
  EXPECT_EQ(server.requests[0].find("pricing-engine/"), std::string::npos);
  EXPECT_TRUE(server.requests[1].starts_with("PATCH /p HTTP/1.1\r\n"));
  EXPECT_NE(server.requests[1].find("\r\nContent-Length: 0\r\n"), std::string::npos);
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(WireTest, TurnsUrlCredentialsIntoBasicAuthOnlyWhenAsked) {
  CannedServer server(io_, [](int, int, const std::string&) {
    return Step{Step::reply, ok("{}")};
  });
  auto client = make_client();
  auto url = "http://pub%40lisher:p%3Ass@127.0.0.1:" + std::to_string(server.port()) + "/events";

  auto refused = run(client.request({.method = http::verb::post, .url = url, .body = "{}"}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::invalid_argument);
  EXPECT_EQ(refused.error().message,
            "the URL for " + server.url("/events") +
                " carries credentials; set basic_auth_from_url to send them as Basic auth");
  EXPECT_EQ(server.accepted(), 0);

  auto sent = run(client.request(
      {.method = http::verb::post, .url = url, .body = "{}", .basic_auth_from_url = true}));
  ASSERT_TRUE(sent) << sent.error().message;
  auto explicit_auth = run(client.request(
      {.url = url, .headers = {{"Authorization", "Bearer t0ken"}}, .basic_auth_from_url = true}));
  ASSERT_TRUE(explicit_auth) << explicit_auth.error().message;

  ASSERT_EQ(server.requests.size(), 2u);
  EXPECT_TRUE(server.requests[0].starts_with("POST /events HTTP/1.1\r\n")) << server.requests[0];
  EXPECT_NE(server.requests[0].find("\r\nAuthorization: Basic " +
                                    pe::base64_encode("pub@lisher:p:ss") + "\r\n"),
            std::string::npos)
      << server.requests[0];
  EXPECT_EQ(server.requests[0].find("p%3Ass"), std::string::npos);
  EXPECT_NE(server.requests[1].find("\r\nAuthorization: Bearer t0ken\r\n"), std::string::npos);
  EXPECT_EQ(server.requests[1].find("Basic"), std::string::npos);
}

TEST_F(WireTest, RefusesHeaderInjectionAndClientOwnedHeadersWithoutConnecting) {
  CannedServer server(io_, [](int, int, const std::string&) { return Step{Step::close}; });
  auto client = make_client();
  auto injected = run(client.request(
      {.url = server.url("/"), .headers = {{"Authorization", "Bearer abc\r\nX-Evil: 1"}}}));
  ASSERT_FALSE(injected);
  EXPECT_EQ(injected.error().code, Errc::invalid_argument);
  EXPECT_EQ(injected.error().message, "the value of header Authorization contains CR, LF or NUL");

  auto bad_name = run(client.request({.url = server.url("/"), .headers = {{"X Bad", "1"}}}));
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().code, Errc::invalid_argument);
  EXPECT_EQ(bad_name.error().message, "invalid header name 'X Bad'");

  for (const char* name : {"Content-Length", "transfer-encoding", "Host", "Connection"}) {
    auto owned = run(client.request({.url = server.url("/"), .headers = {{name, "1"}}}));
    ASSERT_FALSE(owned) << name;
    EXPECT_EQ(owned.error().code, Errc::invalid_argument);
    EXPECT_EQ(owned.error().message, "header " + std::string(name) + " is set by the HTTP client");
  }
  auto bad_url = run(client.request({.url = "ftp://127.0.0.1/"}));
  ASSERT_FALSE(bad_url);
  EXPECT_EQ(bad_url.error().code, Errc::invalid_argument);
  EXPECT_EQ(server.accepted(), 0);
}

TEST_F(WireTest, OversizedResponseHeadersAreAnError) {
  CannedServer server(io_, [](int, int, const std::string&) {
    return Step{Step::reply, "HTTP/1.1 200 OK\r\nX-Big: " + std::string(20'000, 'a') +
                                 "\r\nContent-Length: 0\r\n\r\n"};
  });
  auto client = make_client({.max_response_header = 8 * 1024});
  auto res = get(client, server.url("/"));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::internal);
  EXPECT_EQ(res.error().message,
            "the response headers from " + server.origin() + " exceed 8192 bytes");
  EXPECT_EQ(client.stats().idle, 0u);
}

TEST_F(WireTest, ResponseBodiesOverTheLimitAreRefused) {
  std::string chunk = "258\r\n" + std::string(600, 'y') + "\r\n";  // 0x258 = 600
  CannedServer server(io_, [&](int connection, int, const std::string&) {
    if (connection == 0) {  // declared too long
      return Step{Step::reply,
                  "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'x')};
    }
    // Chunked: too long only once the chunks add up.
    return Step{Step::reply, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk +
                                 chunk + "0\r\n\r\n"};
  });
  auto client = make_client({.max_response_body = 1000});
  auto declared = get(client, server.url("/"));
  ASSERT_FALSE(declared);
  EXPECT_EQ(declared.error().code, Errc::payload_too_large);
  EXPECT_EQ(declared.error().message,
            "the response body from " + server.origin() + " exceeds the limit of 1000 bytes");
  auto chunked = get(client, server.url("/"));
  ASSERT_FALSE(chunked);
  EXPECT_EQ(chunked.error().code, Errc::payload_too_large);

  // The same chunked body under a per-request limit that allows it.
  auto allowed = run(client.request({.url = server.url("/"), .max_response_body = 1200}));
  ASSERT_TRUE(allowed) << allowed.error().message;
  EXPECT_EQ(allowed->body, std::string(1200, 'y'));
  EXPECT_EQ(server.accepted(), 3);
}

TEST_F(WireTest, MalformedResponsesAreInternalErrors) {
  const std::vector<std::string> answers = {
      "HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n",
      "SMTP ready\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  };
  CannedServer server(io_, [&](int connection, int, const std::string&) {
    return Step{Step::reply, answers[connection]};
  });
  auto client = make_client();
  for (const auto& answer : answers) {
    auto res = get(client, server.url("/"));
    ASSERT_FALSE(res) << answer;
    EXPECT_EQ(res.error().code, Errc::internal) << answer;
    EXPECT_TRUE(res.error().message.starts_with("malformed HTTP response from " + server.origin()))
        << res.error().message;
  }
  EXPECT_EQ(server.accepted(), 4);
}

TEST_F(WireTest, SkipsInterimResponses) {
  CannedServer server(io_, [](int, int, const std::string&) {
    return Step{Step::reply,
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" +
                    ok("final")};
  });
  auto client = make_client();
  auto res = get(client, server.url("/"));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "final");
  EXPECT_EQ(res->header("Link"), std::nullopt);
}

TEST_F(WireTest, HeadResponsesHaveNoBodyAndKeepTheConnection) {
  CannedServer server(io_, [](int, int request, const std::string&) {
    if (request == 0) return Step{Step::reply, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"};
    return Step{Step::reply, ok("0123456789")};
  });
  auto client = make_client();
  auto head = run(client.request({.method = http::verb::head, .url = server.url("/f")}));
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->header("Content-Length"), "10");
  auto body = get(client, server.url("/f"));
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(body->body, "0123456789");
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(WireTest, ReadsBodiesThatEndAtCloseAndDoesNotPoolThoseConnections) {
  CannedServer server(io_, [](int connection, int, const std::string&) {
    if (connection == 0) {
      return Step{Step::reply_and_close, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it"};
    }
    return Step{Step::reply, "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold"};
  });
  auto client = make_client();
  auto eof = get(client, server.url("/"));
  ASSERT_TRUE(eof) << eof.error().message;
  EXPECT_EQ(eof->body, "all of it");
  EXPECT_EQ(client.stats().idle, 0u);
  auto old = get(client, server.url("/"));
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->body, "old");
  EXPECT_EQ(client.stats().idle, 0u);  // HTTP/1.0 without keep-alive
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(WireTest, AConnectionLostBeforeTheAnswerIsUnavailableAndNotResent) {
  CannedServer server(io_, [](int, int, const std::string&) { return Step{Step::close}; });
  auto client = make_client();
  auto res = run(client.request({.method = http::verb::post, .url = server.url("/"), .body = "x"}));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::unavailable);
  EXPECT_TRUE(res.error().message.starts_with("connection to " + server.origin() + " lost: "))
      << res.error().message;
  EXPECT_EQ(server.accepted(), 1);  // a fresh connection: never resent
  EXPECT_EQ(server.requests.size(), 1u);
}

TEST_F(WireTest, AnEarlyAnswerToALargeUploadIsReturnedRatherThanTheBrokenPipe) {
  CannedServer server(
      io_,
      [](int, int, const std::string&) {
        return Step{Step::reply_and_reset,
                    "HTTP/1.1 401 Unauthorized\r\nContent-Length: 21\r\nConnection: close\r\n\r\n"
                    "[{\"errorCode\":\"X\"}]  "};
      },
      /*read_bodies=*/false);
  auto client = make_client();
  auto res = run(client.request({.method = http::verb::put,
                                 .url = server.url("/services/data/v62.0/jobs/ingest/7/batches"),
                                 .headers = {{"Content-Type", "text/csv"}},
                                 .body = std::string(16 << 20, 'x')}));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->body, "[{\"errorCode\":\"X\"}]  ");
  EXPECT_EQ(client.stats().idle, 0u);
}

TEST_F(WireTest, ResendsOnceWhenAPooledConnectionDropsBeforeAnyResponseByte) {
  CannedServer server(io_, [](int connection, int request, const std::string&) {
    // The second request arrives on the kept connection, and the server closes it unanswered.
    if (connection == 0 && request == 1) return Step{Step::close};
    return Step{Step::reply, ok(connection == 0 ? "first" : "second")};
  });
  auto client = make_client();
  auto first = get(client, server.url("/1"));
  ASSERT_TRUE(first) << first.error().message;
  auto second = run(client.request({.method = http::verb::post, .url = server.url("/2")}));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "second");
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(server.requests.size(), 3u);
  EXPECT_EQ(client.stats().stale_retries, 1u);
  EXPECT_EQ(client.stats().connections_opened, 2u);
}

TEST_F(WireTest, ChecksPooledConnectionsBeforeReuse) {
  CannedServer server(io_, [](int connection, int, const std::string&) {
    if (connection == 0) return Step{Step::reply_and_close, ok("first")};  // closed while idle
    return Step{Step::reply, ok("second")};
  });
  auto client = make_client();
  ASSERT_TRUE(get(client, server.url("/")));
  EXPECT_EQ(client.stats().idle, 1u);
  pause(50ms);  // the FIN arrives
  auto second = get(client, server.url("/"));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "second");
  EXPECT_EQ(client.stats().stale_retries, 0u);  // found closed before anything was sent
  EXPECT_EQ(client.stats().connections_reused, 0u);
  EXPECT_EQ(server.requests.size(), 2u);
}

TEST_F(WireTest, ReusesKeptAliveConnectionsAndHonoursConnectionClose) {
  CannedServer server(io_, [](int, int request, const std::string&) {
    return Step{Step::reply, ok("n", request == 2 ? "Connection: close\r\n" : "")};
  });
  auto client = make_client();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(get(client, server.url("/")));
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(client.stats().connections_reused, 2u);
  EXPECT_EQ(client.stats().idle, 0u);  // the last answer said close
}

TEST_F(WireTest, ASilentServerMeetsTheResponseDeadline) {
  CannedServer server(io_, [](int, int, const std::string&) { return Step{Step::silent}; });
  auto client = make_client({.response_timeout = 10s});
  auto started = Clock::now();
  auto res = run(client.request({.url = server.url("/slow"), .timeout = 200ms}));
  auto took = Clock::now() - started;
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::deadline_exceeded);
  EXPECT_EQ(res.error().message, "no complete response from " + server.origin() + " within 200 ms");
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 2s);
  EXPECT_EQ(client.stats().idle, 0u);
  pause(50ms);
  EXPECT_EQ(server.closed_by_client(), 1);
}

TEST_F(WireTest, CancellationAbortsARequestInFlightAndDropsItsConnection) {
  CannedServer server(io_, [](int, int, const std::string&) { return Step{Step::silent}; });
  auto client = make_client();
  asio::cancellation_signal stop;
  std::optional<Result<HttpResponse>> out;
  auto started = Clock::now();
  asio::co_spawn(
      io_, client.request({.url = server.url("/")}),
      asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, Result<HttpResponse> r) {
        if (!e) out.emplace(std::move(r));
      }));
  asio::steady_timer trigger(io_, 100ms);
  trigger.async_wait(
      [&](boost::system::error_code) { stop.emit(asio::cancellation_type::terminal); });
  pause(400ms);
  ASSERT_TRUE(out);
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->error().code, Errc::cancelled);
  EXPECT_EQ(out->error().message, "the request to " + server.origin() + " was cancelled");
  EXPECT_LT(Clock::now() - started, 3s);
  EXPECT_EQ(server.closed_by_client(), 1);
  EXPECT_EQ(client.stats().idle, 0u);
}

TEST_F(WireTest, CancellationAlsoEndsTheWaitBetweenRetries) {
  CannedServer server(io_, [](int, int, const std::string&) {
    return Step{Step::reply,
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\nContent-Length: 0\r\n\r\n"};
  });
  auto client = make_client();
  asio::cancellation_signal stop;
  std::optional<Result<HttpResponse>> out;
  auto policy = [](const RetryAttempt&) -> std::optional<std::chrono::milliseconds> { return 30s; };
  asio::co_spawn(
      io_, client.request_with_retry({.url = server.url("/")}, policy),
      asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, Result<HttpResponse> r) {
        if (!e) out.emplace(std::move(r));
      }));
  asio::steady_timer trigger(io_, 200ms);
  trigger.async_wait(
      [&](boost::system::error_code) { stop.emit(asio::cancellation_type::terminal); });
  pause(400ms);
  ASSERT_TRUE(out);
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->error().code, Errc::cancelled);
  EXPECT_EQ(out->error().message, "the request was cancelled while waiting to retry");
  EXPECT_EQ(server.requests.size(), 1u);
  EXPECT_EQ(client.stats().idle, 1u);  // the 503 itself was a complete answer
}

TEST_F(WireTest, LogsOneDebugLinePerRequestWithoutCredentials) {
  CannedServer server(io_, [](int, int, const std::string&) {
    return Step{Step::reply, ok("{}")};
  });
  auto client = make_client();
  auto url = "http://publisher:hunter2@127.0.0.1:" + std::to_string(server.port()) +
             "/publish?access_token=abc123&page=2";
  log::set_level(log::Level::debug);
  ::testing::internal::CaptureStdout();
  auto res = run(client.request({.method = http::verb::post,
                                 .url = url,
                                 .headers = {{"X-Api-Key", "k-999"}},
                                 .body = "{}",
                                 .basic_auth_from_url = true}));
  std::string out = ::testing::internal::GetCapturedStdout();
  log::set_level(log::Level::info);
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_NE(out.find("msg=http_client_request"), std::string::npos) << out;
  EXPECT_NE(out.find("method=POST"), std::string::npos) << out;
  EXPECT_NE(out.find("url=\"" + server.url("/publish?access_token=[REDACTED]&page=2") + "\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("status=200"), std::string::npos) << out;
  for (const char* secret : {"hunter2", "publisher", "abc123", "k-999", "Basic"}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << secret << " in " << out;
  }
}

TEST_F(WireTest, ARefusedConnectionIsUnavailable) {
  int port;
  {
    tcp::acceptor closed(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = closed.local_endpoint().port();
  }
  auto client = make_client();
  auto res = get(client, "http://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::unavailable);
  EXPECT_EQ(res.error().message,
            "cannot connect to http://127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_F(WireTest, AnUnknownHostIsUnavailable) {
  auto client = make_client({.connect_timeout = 3s});
  auto res = get(client, "http://no-such-host.invalid/");
  ASSERT_FALSE(res);
  // .invalid never resolves (RFC 6761); a resolver that does not answer in time is a deadline.
  EXPECT_TRUE(res.error().code == Errc::unavailable || res.error().code == Errc::deadline_exceeded)
      << res.error().message;
  EXPECT_TRUE(res.error().message.starts_with("cannot resolve host no-such-host.invalid") ||
              res.error().message.starts_with("resolving no-such-host.invalid took longer"))
      << res.error().message;
}

}  // namespace
}  // namespace pe::net
