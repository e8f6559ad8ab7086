// http_connection.hpp: one client connection (plain TCP or TLS) and the exchange of one request
// for one response on it. Internal to net/: HttpClient (http_client.hpp) is the API to use; it
// pools these per origin.
//
// A connection knows nothing of pools or retries. connect() resolves, connects and shakes hands
// under one deadline; exchange() writes a request and reads its response under another, with
// limits on header and body sizes, and reports what the pool needs to know: whether the
// connection can be kept, and whether any byte of a response arrived before a failure (a reused
// connection that drops before that is a stale one, and the request can go out again).
//
//   HttpConnection conn(io.get_executor(), &tls_context);
//   auto ok = co_await conn.connect(url, config);  // never co_await inside an if (GCC 12)
//   if (!ok) ...
//   auto ex = co_await conn.exchange(message, limits);
#pragma once

#include "common/error.hpp"
#include "net/http_client.hpp"
#include "net/http_url.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace pe::net::detail {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

// The request as written on the wire; its body points into the caller's HttpRequest.
using OutgoingRequest = http::request<http::span_body<const char>>;

struct ExchangeLimits {
  std::chrono::milliseconds timeout;  // from the first byte written to the last byte read
  std::size_t max_header;
  std::size_t max_body;
};

struct Exchange {
  Result<HttpResponse> result{HttpResponse{}};
  bool keep_alive = false;        // the connection may carry another request
  bool response_started = false;  // some byte of a response arrived
  bool dropped = false;           // failed because the peer closed or reset the connection
};

class HttpConnection {
 public:
  // tls_context: null for http://, else the client's context (it must outlive the connection).
  HttpConnection(boost::asio::any_io_executor executor, boost::asio::ssl::context* tls_context,
                 std::string origin);
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // DNS, TCP connect and TLS handshake (with SNI and verification) within config.connect_timeout.
  boost::asio::awaitable<Result<void>> connect(const HttpUrl& url, const ClientConfig& config);
  // One request and its response (1xx interim responses skipped). HEAD responses have no body.
  // When writing fails because the peer closed, a response it sent first is still returned.
  boost::asio::awaitable<Exchange> exchange(const OutgoingRequest& request, ExchangeLimits limits);

  // Without blocking: true when the peer has closed the connection, reset it, or (plain HTTP)
  // sent bytes nobody asked for. A pooled connection is checked with this before reuse.
  bool peer_closed();
  void close();

  const std::string& origin() const { return origin_; }
  Clock::time_point idle_since{};

 private:
  template <class Stream>
  boost::asio::awaitable<Exchange> exchange_on(Stream& stream, const OutgoingRequest& request,
                                               ExchangeLimits limits);
  template <class Stream>
  boost::asio::awaitable<Exchange> read_response_on(Stream& stream, http::verb method,
                                                    ExchangeLimits limits);
  boost::asio::awaitable<Result<void>> handshake(const HttpUrl& url, const ClientConfig& config);
  boost::beast::tcp_stream& tcp();

  std::string origin_;
  boost::asio::ssl::context* tls_context_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
};

// True when the coroutine's cancellation state says it has been cancelled.
boost::asio::awaitable<bool> cancelled();

}  // namespace pe::net::detail
