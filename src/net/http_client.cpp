#include "net/http_client.hpp"

#include "common/base64.hpp"

#include "common/log.hpp"
#include "common/redact.hpp"
#include "net/http_connection.hpp"
#include "net/http_url.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <unordered_map>

namespace pe::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using detail::Clock;
using detail::HttpConnection;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
const log::Logger kLog = log::Logger().with("component", "http_client");

bool is_token_char(char c) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
}

bool is_reserved(std::string_view name) {
  for (std::string_view r : {"host", "content-length", "transfer-encoding", "connection", "te",
                             "upgrade", "keep-alive"}) {
    if (beast::iequals(name, r)) return true;
  }
  return false;
}

Result<void> check_header(const HttpHeader& h) {
  if (h.name.empty() || !std::all_of(h.name.begin(), h.name.end(), is_token_char)) {
    return Error{Errc::invalid_argument, "invalid header name '" + redact(h.name) + "'"};
  }
  // The value is never quoted back: it may be a credential.
  if (h.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    return Error{Errc::invalid_argument,
                 "the value of header " + h.name + " contains CR, LF or NUL"};
  }
  if (is_reserved(h.name)) {
    return Error{Errc::invalid_argument, "header " + h.name + " is set by the HTTP client"};
  }
  return {};
}

// The request as it goes on the wire. Its body points into req, which must outlive it.
Result<detail::OutgoingRequest> build_request(const HttpRequest& req, const HttpUrl& url,
                                              const ClientConfig& config) {
  if (url.has_userinfo && !req.basic_auth_from_url) {
    return Error{Errc::invalid_argument,
                 "the URL for " + url.display() +
                     " carries credentials; set basic_auth_from_url to send them as Basic auth"};
  }
  if (req.method == http::verb::unknown) {
    return Error{Errc::invalid_argument, "no HTTP method given for " + url.display()};
  }
  detail::OutgoingRequest out{req.method, url.target, 11};
  out.set(http::field::host, url.host_header());
  out.set(http::field::user_agent, config.user_agent);
  bool has_authorization = false;
  for (const auto& h : req.headers) {
    if (auto ok = check_header(h); !ok) return ok.error();
    if (beast::iequals(h.name, "user-agent")) {
      out.set(http::field::user_agent, h.value);
      continue;
    }
    has_authorization = has_authorization || beast::iequals(h.name, "authorization");
    out.insert(h.name, h.value);
  }
  if (url.has_userinfo && !has_authorization) {
    out.set(http::field::authorization,
            "Basic " + pe::base64_encode(url.user + ":" + url.password));
  }
  out.body() = boost::span<const char>(req.body.data(), req.body.size());
  bool body_expected = req.method == http::verb::post || req.method == http::verb::put ||
                       req.method == http::verb::patch;
  if (!req.body.empty() || body_expected) out.content_length(req.body.size());
  return out;
}

struct Outcome {
  Result<HttpResponse> result;
  bool sent;  // some byte of the request was written
};

void log_request(const HttpRequest& req, const std::string& url, const Result<HttpResponse>& r,
                 Clock::time_point started, bool reused) {
  if (!log::enabled(log::Level::debug)) return;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  auto method = std::string_view(http::to_string(req.method));
  if (r) {
    kLog.debug("http_client_request", {{"method", method},
                                       {"url", url},
                                       {"status", r->status},
                                       {"bytes", r->body.size()},
                                       {"duration_us", us.count()},
                                       {"reused", reused}});
  } else {
    kLog.debug("http_client_request", {{"method", method},
                                       {"url", url},
                                       {"error", to_string(r.error().code)},
                                       {"message", r.error().message},
                                       {"duration_us", us.count()},
                                       {"reused", reused}});
  }
}

}  // namespace

bool HttpRequest::is_idempotent() const {
  if (idempotent) return *idempotent;
  switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::options:
    case http::verb::trace:
      return true;
    default:
      return false;
  }
}

std::optional<std::string_view> find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (beast::iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

// The pool and what every request of one client shares. Requests in flight hold a reference, so
// the HttpClient object itself may go away first.
struct HttpClient::State {
  State(asio::io_context& io, ClientConfig config) : io(io), config(std::move(config)) {}
  ~State() { close_idle(); }

  asio::io_context& io;
  ClientConfig config;
  // Made on first https use (OpenSSL 3 takes ~50 ms to make one); declared before the
  // connections that point to it.
  std::optional<ssl::context> tls;
  // Per origin, oldest first. Expired ones are closed by sweep() on every use of the pool:
  // the client runs no timer of its own, so it never keeps io_context::run() from returning.
  std::unordered_map<std::string, std::vector<std::unique_ptr<HttpConnection>>> idle;
  bool closed = false;  // the HttpClient is gone: pool nothing more
  PoolStats stats;

  std::unique_ptr<HttpConnection> take_idle(const std::string& origin);
  void put_idle(std::unique_ptr<HttpConnection> conn);
  void close_idle();
  void sweep();
  bool expired(const HttpConnection& conn, Clock::time_point now) const {
    return now - conn.idle_since >= config.idle_timeout;
  }
  Result<ssl::context*> tls_context();
  asio::awaitable<Result<std::unique_ptr<HttpConnection>>> open(const HttpUrl& url);
};

Result<ssl::context*> HttpClient::State::tls_context() {
  if (tls) return &*tls;
  ssl::context context(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  if (config.ca_file.empty()) {
    context.set_default_verify_paths(ec);
  } else {
    context.load_verify_file(config.ca_file, ec);
  }
  if (ec) {
    std::string source = config.ca_file.empty() ? "the system store" : "CA file " + config.ca_file;
    return Error{Errc::invalid_argument, "cannot load " + source + ": " + ec.message()};
  }
  tls.emplace(std::move(context));
  return &*tls;
}

std::unique_ptr<HttpConnection> HttpClient::State::take_idle(const std::string& origin) {
  sweep();
  auto it = idle.find(origin);
  if (it == idle.end()) return nullptr;
  auto& list = it->second;
  std::unique_ptr<HttpConnection> found;
  while (!list.empty() && !found) {
    auto conn = std::move(list.back());  // the most recently used is the likeliest alive
    list.pop_back();
    if (conn->peer_closed()) {
      conn->close();
    } else {
      found = std::move(conn);
    }
  }
  if (list.empty()) idle.erase(it);
  return found;
}

void HttpClient::State::put_idle(std::unique_ptr<HttpConnection> conn) {
  if (closed || config.max_idle_per_origin == 0) {
    conn->close();
    return;
  }
  conn->idle_since = Clock::now();
  auto& list = idle[conn->origin()];
  list.push_back(std::move(conn));
  while (list.size() > config.max_idle_per_origin) {
    list.front()->close();
    list.erase(list.begin());
  }
  sweep();
}

void HttpClient::State::close_idle() {
  for (auto& [origin, list] : idle) {
    for (auto& conn : list) conn->close();
  }
  idle.clear();
}

void HttpClient::State::sweep() {
  auto now = Clock::now();
  for (auto it = idle.begin(); it != idle.end();) {
    auto& list = it->second;
    // Oldest first: the expired ones are a prefix.
    auto alive = std::find_if(list.begin(), list.end(),
                              [&](const auto& conn) { return !expired(*conn, now); });
    std::for_each(list.begin(), alive, [](auto& conn) { conn->close(); });
    list.erase(list.begin(), alive);
    it = list.empty() ? idle.erase(it) : std::next(it);
  }
}

asio::awaitable<Result<std::unique_ptr<HttpConnection>>> HttpClient::State::open(
    const HttpUrl& url) {
  ssl::context* context = nullptr;
  if (url.tls) {
    auto made = tls_context();
    if (!made) co_return made.error();
    context = *made;
  }
  auto conn = std::make_unique<HttpConnection>(io.get_executor(), context, url.origin());
  auto connected = co_await conn->connect(url, config);
  if (!connected) co_return connected.error();
  ++stats.connections_opened;
  co_return std::move(conn);
}

namespace {

using StatePtr = std::shared_ptr<HttpClient::State>;

// What one attempt needs, checked and built before any connection is touched.
struct Prepared {
  HttpUrl url;
  std::string display;  // for logs: no credentials
  detail::OutgoingRequest message;
  detail::ExchangeLimits limits;
};

Result<Prepared> prepare(const HttpRequest& req, const ClientConfig& config) {
  auto url = parse_http_url(req.url);
  if (!url) return url.error();
  auto message = build_request(req, *url, config);
  if (!message) return message.error();
  detail::ExchangeLimits limits{req.timeout.value_or(config.response_timeout),
                                config.max_response_header,
                                req.max_response_body.value_or(config.max_response_body)};
  auto display = url->display();
  return Prepared{std::move(*url), std::move(display), std::move(*message), limits};
}

// Sends the request on a pooled connection or a new one, and once more on a new one when a pooled
// connection turns out to have been closed by the server (see the header).
asio::awaitable<Outcome> attempt(StatePtr s, const HttpRequest& req) {
  auto started = Clock::now();
  auto prepared = prepare(req, s->config);
  if (!prepared) {
    log_request(req, "-", prepared.error(), started, false);
    co_return Outcome{prepared.error(), false};
  }
  const auto& p = *prepared;
  auto conn = s->take_idle(p.url.origin());
  bool reused = conn != nullptr;
  bool sent = false;
  for (;;) {
    if (!conn) {
      auto opened = co_await s->open(p.url);
      if (!opened) {
        log_request(req, p.display, opened.error(), started, false);
        co_return Outcome{opened.error(), sent};
      }
      conn = std::move(*opened);
    } else {
      ++s->stats.connections_reused;
    }
    sent = true;
    auto ex = co_await conn->exchange(p.message, p.limits);
    bool keep = ex.result && ex.keep_alive;
    if (!keep) conn->close();
    if (reused && ex.dropped && !ex.response_started) {
      ++s->stats.stale_retries;
      conn.reset();
      reused = false;
      continue;
    }
    if (keep) s->put_idle(std::move(conn));
    log_request(req, p.display, ex.result, started, reused);
    co_return Outcome{std::move(ex.result), sent};
  }
}

// request() and request_with_retry() report a cancellation as Errc::cancelled rather than an
// exception, and they must keep awaiting (to clean up) after one: turn throw_if_cancelled off
// for the duration and restore the caller's setting.
asio::awaitable<Result<HttpResponse>> without_throw_on_cancel(
    asio::awaitable<Result<HttpResponse>> inner) {
  bool before = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  auto result = co_await std::move(inner);
  co_await asio::this_coro::throw_if_cancelled(before);
  co_return result;
}

asio::awaitable<Result<HttpResponse>> request_once(StatePtr s, HttpRequest req) {
  auto outcome = co_await attempt(s, req);
  co_return std::move(outcome.result);
}

asio::awaitable<Result<HttpResponse>> request_retrying(StatePtr s, HttpRequest req,
                                                       RetryPolicy policy) {
  asio::steady_timer pause(s->io);
  for (int n = 1;; ++n) {
    auto outcome = co_await attempt(s, req);
    bool gave_up = !outcome.result && outcome.result.error().code == Errc::cancelled;
    auto delay = gave_up || !policy ? std::nullopt
                                    : policy(RetryAttempt{req, outcome.result, n, outcome.sent});
    if (!delay) co_return std::move(outcome.result);
    if (log::enabled(log::Level::debug)) {
      kLog.debug("http_client_retry", {{"method", std::string_view(http::to_string(req.method))},
                                       {"attempt", n},
                                       {"delay_ms", delay->count()}});
    }
    pause.expires_after(*delay);
    auto [ec] = co_await pause.async_wait(kNoThrow);
    bool stop = ec || co_await detail::cancelled();
    if (stop) {
      co_return Error{Errc::cancelled, "the request was cancelled while waiting to retry"};
    }
  }
}

}  // namespace

Result<HttpClient> HttpClient::create(asio::io_context& io, ClientConfig config) {
  if (config.connect_timeout.count() <= 0 || config.response_timeout.count() <= 0 ||
      config.max_response_header == 0) {
    return Error{Errc::invalid_argument,
                 "HTTP client timeouts and the header limit must be positive"};
  }
  // The TLS context itself is made on first use; a CA file that is not there is a start-up error.
  if (!config.ca_file.empty()) {
    std::ifstream file(config.ca_file);
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return Error{Errc::invalid_argument,
                   "CA file " + config.ca_file + " is missing or holds no PEM certificate"};
    }
  }
  return HttpClient(std::make_shared<State>(io, std::move(config)));
}

HttpClient::HttpClient(std::shared_ptr<State> state) : state_(std::move(state)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
  if (this != &other) {
    if (state_) {
      state_->closed = true;
      state_->close_idle();
    }
    state_ = std::move(other.state_);
  }
  return *this;
}

HttpClient::~HttpClient() {
  if (!state_) return;
  state_->closed = true;
  state_->close_idle();
}

asio::awaitable<Result<HttpResponse>> HttpClient::request(HttpRequest req) {
  return without_throw_on_cancel(request_once(state_, std::move(req)));
}

asio::awaitable<Result<HttpResponse>> HttpClient::request_with_retry(HttpRequest req,
                                                                     RetryPolicy policy) {
  return without_throw_on_cancel(request_retrying(state_, std::move(req), std::move(policy)));
}

PoolStats HttpClient::stats() const {
  state_->sweep();
  PoolStats stats = state_->stats;
  stats.idle = 0;
  for (const auto& [origin, list] : state_->idle) stats.idle += list.size();
  return stats;
}

std::size_t HttpClient::idle_connections(std::string_view origin) const {
  state_->sweep();
  auto it = state_->idle.find(std::string(origin));
  return it == state_->idle.end() ? 0 : it->second.size();
}

void HttpClient::close_idle() { state_->close_idle(); }

}  // namespace pe::net
