#include "net/http_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>

namespace pe::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// A DNS lookup shared by the resolver's handler and the coroutine waiting for it. Asio runs
// getaddrinfo on a thread of its own where it cannot be interrupted, so on a deadline or a
// cancellation the coroutine stops waiting and the lookup finishes alone, keeping its state alive.
struct Lookup {
  explicit Lookup(asio::any_io_executor executor) : resolver(executor), wake(executor) {}
  tcp::resolver resolver;
  asio::steady_timer wake;
  beast::error_code ec;
  tcp::resolver::results_type results;
  bool done = false;
};

asio::awaitable<Result<tcp::resolver::results_type>> resolve(const HttpUrl& url,
                                                             Clock::time_point deadline,
                                                             std::chrono::milliseconds budget) {
  std::string port = std::to_string(url.port);
  if (url.host_is_ip) {
    tcp::endpoint endpoint(asio::ip::make_address(url.host), url.port);
    co_return tcp::resolver::results_type::create(endpoint, url.host, port);
  }
  auto lookup = std::make_shared<Lookup>(co_await asio::this_coro::executor);
  lookup->wake.expires_at(deadline);
  lookup->resolver.async_resolve(
      url.host, port, [lookup](const beast::error_code& ec, tcp::resolver::results_type results) {
        lookup->ec = ec;
        lookup->results = std::move(results);
        lookup->done = true;
        lookup->wake.cancel();
      });
  auto [ec] = co_await lookup->wake.async_wait(kNoThrow);
  if (lookup->done) {
    if (!lookup->ec) co_return lookup->results;
    co_return Error{Errc::unavailable,
                    "cannot resolve host " + url.host + ": " + lookup->ec.message()};
  }
  lookup->resolver.cancel();
  if (ec) co_return Error{Errc::cancelled, "the request to " + url.origin() + " was cancelled"};
  co_return Error{Errc::deadline_exceeded,
                  "resolving " + url.host + " took longer than " + ms(budget)};
}

bool is_drop(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == asio::error::not_connected || ec == ssl::error::stream_truncated;
}

bool is_parse_error(const beast::error_code& ec) {
  static const auto& http_category =
      beast::http::make_error_code(http::error::end_of_stream).category();
  return ec.category() == http_category && !is_drop(ec);
}

Error exchange_error(const beast::error_code& ec, bool was_cancelled, const std::string& origin,
                     const ExchangeLimits& limits) {
  if (was_cancelled) return Error{Errc::cancelled, "the request to " + origin + " was cancelled"};
  if (ec == beast::error::timeout) {
    return Error{Errc::deadline_exceeded,
                 "no complete response from " + origin + " within " + ms(limits.timeout)};
  }
  if (ec == http::error::body_limit) {
    return Error{Errc::payload_too_large, "the response body from " + origin +
                                              " exceeds the limit of " +
                                              std::to_string(limits.max_body) + " bytes"};
  }
  if (ec == http::error::header_limit) {
    return Error{Errc::internal, "the response headers from " + origin + " exceed " +
                                     std::to_string(limits.max_header) + " bytes"};
  }
  if (is_parse_error(ec)) {
    return Error{Errc::internal, "malformed HTTP response from " + origin + ": " + ec.message()};
  }
  return Error{Errc::unavailable, "connection to " + origin + " lost: " + ec.message()};
}

HttpResponse to_response(http::response<http::string_body>& message) {
  HttpResponse res;
  res.status = message.result_int();
  for (const auto& field : message) {
    res.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  res.body = std::move(message.body());
  return res;
}

}  // namespace

asio::awaitable<bool> cancelled() {
  auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

HttpConnection::HttpConnection(asio::any_io_executor executor, ssl::context* tls_context,
                               std::string origin)
    : origin_(std::move(origin)), tls_context_(tls_context) {
  if (tls_context_) {
    tls_.emplace(executor, *tls_context_);
  } else {
    plain_.emplace(executor);
  }
}

beast::tcp_stream& HttpConnection::tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

asio::awaitable<Result<void>> HttpConnection::connect(const HttpUrl& url,
                                                      const ClientConfig& config) {
  auto deadline = Clock::now() + config.connect_timeout;
  auto endpoints = co_await resolve(url, deadline, config.connect_timeout);
  if (!endpoints) co_return endpoints.error();
  tcp().expires_at(deadline);
  auto [ec, endpoint] = co_await tcp().async_connect(*endpoints, kNoThrow);
  if (ec) {
    bool was_cancelled = co_await cancelled();
    if (was_cancelled) {
      co_return Error{Errc::cancelled, "the request to " + origin_ + " was cancelled"};
    }
    if (ec == beast::error::timeout) {
      co_return Error{Errc::deadline_exceeded, "connecting to " + origin_ + " took longer than " +
                                                   ms(config.connect_timeout)};
    }
    co_return Error{Errc::unavailable, "cannot connect to " + origin_ + ": " + ec.message()};
  }
  beast::error_code ignored;
  tcp().socket().set_option(tcp::no_delay(true), ignored);
  if (tls_) {
    auto shaken = co_await handshake(url, config);
    if (!shaken) co_return shaken;
  }
  tcp().expires_never();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> HttpConnection::handshake(const HttpUrl& url,
                                                        const ClientConfig& config) {
  SSL* native = tls_->native_handle();
  // SNI carries names only (RFC 6066); an IP address is checked against the certificate's SANs.
  if (!url.host_is_ip) SSL_set_tlsext_host_name(native, url.host.c_str());
  if (config.tls_verify) {
    // OpenSSL's own host check (what ssl::host_name_verification calls) set on the connection, so
    // a mismatch is reported as such by SSL_get_verify_result.
    tls_->set_verify_mode(ssl::verify_peer);
    X509_VERIFY_PARAM* param = SSL_get0_param(native);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (url.host_is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), url.host.size());
    }
  } else {
    tls_->set_verify_mode(ssl::verify_none);
  }
  auto [ec] = co_await tls_->async_handshake(ssl::stream_base::client, kNoThrow);
  if (!ec) co_return Result<void>{};
  bool was_cancelled = co_await cancelled();
  if (was_cancelled) {
    co_return Error{Errc::cancelled, "the request to " + origin_ + " was cancelled"};
  }
  if (ec == beast::error::timeout) {
    co_return Error{Errc::deadline_exceeded, "connecting to " + origin_ + " took longer than " +
                                                 ms(config.connect_timeout) + " (TLS handshake)"};
  }
  if (long verify = SSL_get_verify_result(native); config.tls_verify && verify != X509_V_OK) {
    co_return Error{Errc::unavailable, "TLS certificate verification failed for " + url.host +
                                           ": " + X509_verify_cert_error_string(verify)};
  }
  co_return Error{Errc::unavailable, "TLS handshake with " + origin_ + " failed: " + ec.message()};
}

asio::awaitable<Exchange> HttpConnection::exchange(const OutgoingRequest& request,
                                                   ExchangeLimits limits) {
  if (tls_) co_return co_await exchange_on(*tls_, request, limits);
  co_return co_await exchange_on(*plain_, request, limits);
}

template <class Stream>
asio::awaitable<Exchange> HttpConnection::exchange_on(Stream& stream,
                                                      const OutgoingRequest& request,
                                                      ExchangeLimits limits) {
  tcp().expires_after(limits.timeout);
  auto [wec, written] = co_await http::async_write(stream, request, kNoThrow);
  if (!wec) co_return co_await read_response_on(stream, request.method(), limits);
  bool was_cancelled = co_await cancelled();
  Exchange ex;
  if (!was_cancelled && is_drop(wec)) {
    // A server may answer early (401, 413) and close before reading all of a large body; its
    // answer, if it reached us, says more than the broken pipe.
    auto early = co_await read_response_on(stream, request.method(), limits);
    if (early.result) {
      early.keep_alive = false;
      co_return early;
    }
    ex.response_started = early.response_started;
  }
  ex.result = exchange_error(wec, was_cancelled, origin_, limits);
  ex.dropped = !was_cancelled && is_drop(wec);
  co_return ex;
}

template <class Stream>
asio::awaitable<Exchange> HttpConnection::read_response_on(Stream& stream, http::verb method,
                                                           ExchangeLimits limits) {
  Exchange ex;
  for (;;) {
    http::response_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header));
    parser.body_limit(limits.max_body);
    if (method == http::verb::head) parser.skip(true);
    auto [ec, read] = co_await http::async_read(stream, buffer_, parser, kNoThrow);
    ex.response_started = ex.response_started || parser.got_some() || buffer_.size() > 0;
    if (ec) {
      bool was_cancelled = co_await cancelled();
      ex.result = exchange_error(ec, was_cancelled, origin_, limits);
      ex.dropped = !was_cancelled && is_drop(ec);
      co_return ex;
    }
    auto& message = parser.get();
    int status = message.result_int();
    // Interim responses (100 Continue, 103 Early Hints) precede the real one.
    if (status >= 100 && status < 200 && status != 101) continue;
    // Bytes after the response that nobody asked for: do not trust the connection further.
    ex.keep_alive =
        message.keep_alive() && !parser.need_eof() && buffer_.size() == 0 && status != 101;
    ex.result = to_response(message);
    tcp().expires_never();
    co_return ex;
  }
}

bool HttpConnection::peer_closed() {
  auto& socket = tcp().socket();
  if (!socket.is_open()) return true;
  char byte;
  beast::error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return true;
  std::size_t n = socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  beast::error_code ignored;
  socket.non_blocking(false, ignored);
  if (ec == asio::error::would_block) return false;
  if (ec || n == 0) return true;
  // Unasked-for bytes: on plain HTTP a server's goodbye ("408 Request Timeout") before it closes;
  // under TLS maybe a session ticket, which the next read handles (a close_notify followed by a
  // close shows up on the next exchange as a drop, and the request goes out again).
  return !tls_;
}

void HttpConnection::close() {
  beast::error_code ignored;
  tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
  tcp().close();
}

}  // namespace pe::net::detail
