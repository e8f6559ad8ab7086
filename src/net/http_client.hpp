// http_client.hpp: the asynchronous HTTP/1.1 client every outgoing call goes through (Salesforce
// REST and Bulk APIs, AppLink, the Eventing publisher, the local org's webhooks).
//
// Requests and responses are plain values; bodies are strings. http and https URLs (Boost.URL),
// TLS verified against the system store (or a CA file) with SNI and host name checks. Connections
// are kept alive and pooled per origin (scheme, host, port). Every step has a deadline: connect
// (DNS, TCP, TLS handshake) and response (from the first byte written to the last byte read).
// Failures are values: unavailable (cannot resolve or connect, TLS failure, connection lost),
// deadline_exceeded, cancelled, payload_too_large (response body over the limit), internal
// (a malformed response), invalid_argument (bad URL or header). An HTTP error status (4xx, 5xx)
// is a response, not an error: the caller decides what it means.
//
// Threading: a client belongs to the io_context it was made with; call it only from coroutines
// running on that io_context, never from two threads (each server thread makes its own client).
//
// Cancellation: request() honours Asio per-operation cancellation. Bind a cancellation slot to
// the awaiting operation and emit terminal cancellation; the request ends with Errc::cancelled and
// its connection is closed, never pooled:
//   asio::cancellation_signal stop;
//   asio::co_spawn(io, client.request(req), asio::bind_cancellation_slot(stop.slot(), handler));
//   stop.emit(asio::cancellation_type::terminal);
// (request() turns off throw_if_cancelled while it runs and restores it when it returns.)
//
// Stale pooled connections: before reusing an idle connection the client checks that the server
// has not closed it. If a reused connection still fails before any byte of the response arrives
// (the server closed it while we were writing), the request is sent again once on a new
// connection, whatever its method: a server that closes an idle keep-alive connection has not
// read the request. The one case this cannot tell apart is a server that reads a request and
// then drops the connection without a byte of answer; our peers do not do that, and the writes
// we send to Salesforce are upserts keyed so that a repeat rewrites rather than duplicates.
//
//   auto client = HttpClient::create(io, {.connect_timeout = 5s}).value();
//   HttpRequest req{.method = http::verb::post, .url = base +
//   "/services/data/v62.0/composite/graph",
//                   .headers = {{"Authorization", "Bearer " + token},
//                               {"Content-Type", "application/json"}},
//                   .body = payload};
//   auto res = co_await client.request_with_retry(std::move(req), exponential_backoff());
//   if (!res) log.warn("graph_failed", {{"error", res.error().message}});
//   else if (res->status == 200) ...
#pragma once

#include "common/error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::net {

struct HttpHeader {
  std::string name;
  std::string value;
  friend bool operator==(const HttpHeader&, const HttpHeader&) = default;
};
// In order, duplicates allowed (Set-Cookie, Link).
using HttpHeaders = std::vector<HttpHeader>;

// The value of the first header called name (case-insensitive), or nullopt.
std::optional<std::string_view> find_header(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string url;  // absolute http:// or https://; the query is sent exactly as written
  // Sent as given, after Host and User-Agent (which a header here replaces). Host,
  // Content-Length, Transfer-Encoding, Connection and TE are the client's: setting them is an
  // invalid_argument. Names must be tokens, values must not contain CR, LF or NUL.
  HttpHeaders headers;
  std::string body;  // Content-Length is set for it (and for an empty POST, PUT, PATCH)
  // Replaces ClientConfig::response_timeout for this request (e.g. a 100 MB Bulk upload).
  std::optional<std::chrono::milliseconds> timeout;
  // Replaces ClientConfig::max_response_body for this request.
  std::optional<std::size_t> max_response_body;
  // A URL with user:password@ is refused (invalid_argument) unless this is set; then the
  // credentials become an "Authorization: Basic" header (unless one is given in headers) and
  // are sent only in it, never in the target, a log line or an error message.
  bool basic_auth_from_url = false;
  // Whether sending this request twice does no harm, for retry policies. nullopt: from the method
  // (GET, HEAD, PUT, DELETE, OPTIONS are; POST and PATCH are not). Set it for a POST or PATCH that
  // is an upsert by external id.
  std::optional<bool> idempotent;

  bool is_idempotent() const;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;  // empty for HEAD

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

struct ClientConfig {
  // Resolving the host, connecting, and the TLS handshake, together.
  std::chrono::milliseconds connect_timeout{10'000};
  // From writing the first byte of the request to reading the last byte of the response.
  std::chrono::milliseconds response_timeout{60'000};
  // Idle keep-alive connections kept per origin; more are closed as they become idle.
  std::size_t max_idle_per_origin = 8;
  // An idle connection is not reused after this long, and is closed at the next use of the
  // client (any request, stats(), close_idle()): below the usual server side idle timeouts (60 s
  // for our server and most load balancers) so that we, not they, close it. The client runs no
  // timer for this, so an idle pool never keeps io_context::run() from returning.
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t max_response_body = 64 * 1024 * 1024;
  std::size_t max_response_header = 64 * 1024;
  std::string user_agent = "pricing-engine/0.1";
  // PEM file of the authorities to trust; empty: the system store.
  std::string ca_file;
  // Verify the server certificate and host name. Turn off only for local experiments.
  bool tls_verify = true;
};

// What a retry policy sees after each attempt.
struct RetryAttempt {
  const HttpRequest& request;
  const Result<HttpResponse>& result;
  int attempt;  // 1 after the first try
  // False when the attempt failed before any byte of the request was written (DNS, connect, TLS):
  // a retry is then safe for any method.
  bool sent;
};

// Returns how long to wait before the next attempt, or nullopt to stop and return this result.
// See retry_policy.hpp for the default (exponential backoff with jitter).
using RetryPolicy =
    std::function<std::optional<std::chrono::milliseconds>(const RetryAttempt& attempt)>;

struct PoolStats {
  std::size_t idle = 0;                  // idle connections, all origins
  std::uint64_t connections_opened = 0;  // new connections made, since creation
  std::uint64_t connections_reused = 0;  // requests served on a pooled connection
  std::uint64_t stale_retries = 0;       // requests sent again after a stale pooled connection
};

class HttpClient {
 public:
  // Errc::invalid_argument for a non-positive timeout or a CA file that is missing or holds no
  // PEM certificate. The TLS context is made on the first https request (it costs ~50 ms).
  static Result<HttpClient> create(boost::asio::io_context& io, ClientConfig config = {});

  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  // Closes the idle connections. Requests in flight keep what they need and finish normally.
  ~HttpClient();

  // One request, one response (after at most one transparent resend on a stale connection).
  boost::asio::awaitable<Result<HttpResponse>> request(HttpRequest req);
  // Calls request() until the policy says stop; waits the delays it returns (cancellable).
  boost::asio::awaitable<Result<HttpResponse>> request_with_retry(HttpRequest req,
                                                                  RetryPolicy policy);

  // Both close expired idle connections first.
  PoolStats stats() const;
  // Idle connections to this origin ("https://host:443", see HttpUrl::origin()).
  std::size_t idle_connections(std::string_view origin) const;
  // Closes every idle connection now (e.g. at shutdown, or after a credentials change).
  void close_idle();

  struct State;

 private:
  explicit HttpClient(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace pe::net
