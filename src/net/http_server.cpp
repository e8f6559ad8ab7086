#include "net/http_server.hpp"

#include "common/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <random>
#include <thread>
#include <unordered_set>

namespace pe::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
const log::Logger kLog = log::Logger().with("component", "http");

// A connection as the shutdown sequence sees it.
struct Connection {
  beast::tcp_stream* stream;
  bool idle = true;  // waiting for the first byte of a request
};

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    kLog.error("coroutine_failed", {{"error", ex.what()}});
  }
}

// A protocol violation by the client, as opposed to a closed or timed-out connection.
bool is_parse_error(const boost::system::error_code& ec) {
  static const auto& http_category =
      beast::http::make_error_code(beast::http::error::end_of_stream).category();
  return ec.category() == http_category && ec != beast::http::error::end_of_stream &&
         ec != beast::http::error::partial_message;
}

}  // namespace

struct HttpServer::Worker {
  unsigned index;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::shared_ptr<Router> router;
  std::unordered_set<Connection*> connections;
  bool draining = false;
};

std::string request_id_from(std::string_view client_value) {
  bool ok = !client_value.empty() && client_value.size() <= 128 &&
            std::all_of(client_value.begin(), client_value.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                     c == ':' || c == '-';
            });
  if (ok) return std::string(client_value);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  uint64_t r = rng();
  for (auto& c : id) {
    c = kHex[r & 0xf];
    r >>= 4;
  }
  return id;
}

namespace {

// One connection: read, route, handle, write, until the client or the server closes it.
class Session {
 public:
  Session(HttpServer::Worker& worker, const ServerConfig& config, tcp::socket socket)
      : worker_(worker), config_(config), stream_(std::move(socket)), conn_{&stream_} {
    worker_.connections.insert(&conn_);
  }
  ~Session() { worker_.connections.erase(&conn_); }

  asio::awaitable<void> run() {
    while (!worker_.draining) {
      conn_.idle = true;
      if (!co_await wait_for_request()) break;
      conn_.idle = false;
      if (!co_await serve_one()) break;
    }
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

 private:
  // Waits (idle timeout) for the first byte of the next request, unless one is buffered.
  asio::awaitable<bool> wait_for_request() {
    if (buffer_.size() > 0) co_return true;
    stream_.expires_after(config_.idle_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), kNoThrow);
    if (ec) co_return false;  // closed, idle too long, or shut down
    buffer_.commit(n);
    co_return true;
  }

  // Reads, routes, handles and answers one request. False: close the connection.
  asio::awaitable<bool> serve_one() {
    auto started = Clock::now();
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config_.max_header_bytes));
    stream_.expires_after(config_.header_timeout);
    auto [ec, _] = co_await http::async_read_header(stream_, buffer_, parser, kNoThrow);
    // Arguments of a co_await call are named locals, never temporaries: GCC 12 destroys some
    // temporaries in a co_await full-expression twice.
    if (ec == http::error::header_limit) {
      std::string message =
          "request headers are larger than " + std::to_string(config_.max_header_bytes) + " bytes";
      co_await reject(http::status::request_header_fields_too_large, message, started);
      co_return false;
    }
    if (is_parse_error(ec)) {
      std::string message = "malformed HTTP request";
      co_await reject(http::status::bad_request, message, started);
      co_return false;
    }
    if (ec) co_return false;

    Request req;
    const auto& header = parser.get();
    req.request_id = request_id_from(header["X-Request-Id"]);
    req.log = log::Logger().with("request_id", req.request_id);
    std::string target(header.target());
    std::string_view path = target;
    path = path.substr(0, path.find('?'));

    auto match = worker_.router->match(header.method(), path);
    if (match.kind != Router::Match::Kind::found) {
      bool body_pending = !parser.is_done();
      co_await answer(req, header.method(), path, std::move(match), started, !body_pending);
      co_return !body_pending && header.keep_alive() && !worker_.draining;
    }
    const auto& options = match.route->options;
    if (auto problem = check_body(parser, options)) {
      co_await answer_error(req, header.method(), path, *problem, started);
      co_return false;
    }
    if (!co_await read_body(parser, req, header.method(), path, options.body_limit, started)) {
      co_return false;
    }
    req.message = parser.release();
    target = std::string(req.message.target());
    req.path = std::string_view(target).substr(0, std::string_view(target).find('?'));
    auto q = std::string_view(target).find('?');
    req.query =
        q == std::string_view::npos ? std::string_view() : std::string_view(target).substr(q + 1);
    req.params = std::move(match.params);
    co_return co_await handle(req, *match.route, started);
  }

  // Problems found from the headers alone: wrong media type (415), declared body too large (413).
  std::optional<Error> check_body(http::request_parser<http::string_body>& parser,
                                  const RouteOptions& options) {
    const auto& header = parser.get();
    bool has_body = !parser.is_done();
    auto content_type = header[http::field::content_type];
    if (!options.content_types.empty() && (has_body || !content_type.empty()) &&
        !media_type_matches(content_type, options.content_types)) {
      std::string accepted;
      for (const auto& t : options.content_types) accepted += (accepted.empty() ? "" : ", ") + t;
      return Error{Errc::unsupported_media_type, "unsupported Content-Type; expected " + accepted};
    }
    if (auto length = parser.content_length(); length && *length > options.body_limit) {
      return Error{Errc::payload_too_large, "body of " + std::to_string(*length) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(options.body_limit)};
    }
    return std::nullopt;
  }

  asio::awaitable<bool> read_body(http::request_parser<http::string_body>& parser, Request& req,
                                  http::verb method, std::string_view path, std::size_t limit,
                                  Clock::time_point started) {
    if (parser.is_done()) co_return true;
    parser.body_limit(limit);
    auto expect = parser.get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      stream_.expires_after(config_.write_timeout);
      auto [ec, n] = co_await http::async_write(stream_, cont, kNoThrow);
      if (ec) co_return false;
    }
    stream_.expires_after(config_.body_timeout);
    auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, kNoThrow);
    if (ec == http::error::body_limit) {
      Error error{Errc::payload_too_large,
                  "body exceeds the limit of " + std::to_string(limit) + " bytes"};
      co_await answer_error(req, method, path, error, started);
      co_return false;
    }
    if (is_parse_error(ec)) {
      Error error{Errc::invalid_argument, "malformed HTTP body"};
      co_await answer_error(req, method, path, error, started);
    }
    co_return !ec;
  }

  asio::awaitable<bool> handle(Request& req, const Route& route, Clock::time_point started) {
    Response res;
    try {
      res = co_await route.handler(req);
    } catch (const std::exception& e) {
      req.log.error("handler_failed", {{"path", req.path}, {"error", e.what()}});
      res = json_error(req, Errc::internal,
                       "internal error; see the logs for request " + req.request_id);
    }
    bool keep = req.message.keep_alive() && !worker_.draining;
    co_return co_await write(res, req, req.message.method(), req.path, started, keep) && keep;
  }

  // Answers a request that matched no route (404, 405 with Allow, OPTIONS).
  asio::awaitable<void> answer(Request& req, http::verb method, std::string_view path,
                               Router::Match match, Clock::time_point started, bool keep) {
    Response res;
    if (method == http::verb::options && !match.allow.empty()) {
      res = empty_response(http::status::no_content);
      res.set(http::field::allow, match.allow + ", OPTIONS");
    } else if (match.kind == Router::Match::Kind::method_not_allowed) {
      res = json_error(
          req, Errc::method_not_allowed,
          std::string(http::to_string(method)) + " is not allowed here; allowed: " + match.allow);
      res.set(http::field::allow, match.allow);
    } else {
      res = json_error(req, Errc::not_found, "no such resource");
    }
    co_await write(res, req, method, path, started, keep && !worker_.draining);
  }

  asio::awaitable<void> answer_error(Request& req, http::verb method, std::string_view path,
                                     const Error& error, Clock::time_point started) {
    auto res = json_error(req, error);
    co_await write(res, req, method, path, started, false);
  }

  // Answers a request that could not be parsed (so has no id of its own yet) and closes.
  asio::awaitable<void> reject(http::status status, std::string message,
                               Clock::time_point started) {
    Request req;
    req.request_id = request_id_from({});
    req.log = log::Logger().with("request_id", req.request_id);
    auto res = json_error(req.request_id, Errc::invalid_argument, message);
    res.result(status);
    co_await write(res, req, http::verb::unknown, "-", started, false);
  }

  asio::awaitable<bool> write(Response& res, const Request& req, http::verb method,
                              std::string_view path, Clock::time_point started, bool keep) {
    res.set("X-Request-Id", req.request_id);
    res.keep_alive(keep);
    if (method == http::verb::head) {
      auto length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
    stream_.expires_after(config_.write_timeout);
    auto [ec, bytes] = co_await http::async_write(stream_, res, kNoThrow);
    if (config_.access_log) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
      req.log.info("http_request", {{"method", std::string_view(http::to_string(method))},
                                    {"path", path},
                                    {"status", res.result_int()},
                                    {"bytes", bytes},
                                    {"duration_us", us.count()}});
    }
    co_return !ec;
  }

  HttpServer::Worker& worker_;
  const ServerConfig& config_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Connection conn_;
};

asio::awaitable<void> serve(HttpServer::Worker& worker, const ServerConfig& config,
                            tcp::socket socket) {
  Session session(worker, config, std::move(socket));
  co_await session.run();
}

asio::awaitable<void> accept_loop(HttpServer::Worker& worker, const ServerConfig& config) {
  while (worker.acceptor.is_open()) {
    auto [ec, socket] = co_await worker.acceptor.async_accept(kNoThrow);
    if (ec == asio::error::operation_aborted || !worker.acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors or a transient network error: do not spin.
      kLog.warn("accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(worker.io, std::chrono::milliseconds(50));
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(worker.io, serve(worker, config, std::move(socket)), log_exception);
  }
}

// Waits until every connection is gone or the grace period ends, then stops the io_context.
asio::awaitable<void> drain(HttpServer::Worker& worker, std::chrono::milliseconds grace) {
  auto deadline = Clock::now() + grace;
  asio::steady_timer timer(worker.io);
  while (!worker.connections.empty() && Clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(kNoThrow);
  }
  if (!worker.connections.empty()) {
    kLog.warn("shutdown_cut_connections",
              {{"thread", worker.index}, {"connections", worker.connections.size()}});
  }
  worker.io.stop();
}

void begin_drain(HttpServer::Worker& worker, std::chrono::milliseconds grace) {
  if (worker.draining) return;
  worker.draining = true;
  beast::error_code ec;
  worker.acceptor.close(ec);
  for (auto* conn : worker.connections) {
    if (conn->idle) conn->stream->socket().cancel(ec);
  }
  asio::co_spawn(worker.io, drain(worker, grace), log_exception);
}

}  // namespace

HttpServer::HttpServer(ServerConfig config, RouterFactory factory)
    : config_(std::move(config)), factory_(std::move(factory)) {
  unsigned n =
      config_.threads ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    workers_.push_back(std::make_unique<Worker>());
    workers_.back()->index = i;
  }
}

HttpServer::~HttpServer() = default;

Result<void> HttpServer::listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(config_.address, ec);
  if (ec) return Error{Errc::invalid_argument, "invalid listen address '" + config_.address + "'"};
  uint16_t port = config_.port;
  for (auto& w : workers_) {
    tcp::endpoint endpoint(address, port);
    auto& a = w->acceptor;
    a.open(endpoint.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error{Errc::unavailable, "cannot listen on " + config_.address + ":" +
                                          std::to_string(port) + ": " + ec.message()};
    }
    port = a.local_endpoint().port();
  }
  port_ = port;
  return {};
}

void HttpServer::run() {
  if (port_ == 0) listen().value();
  auto serve_thread = [this](Worker& w) {
    ThreadContext context{w.index, w.io};
    w.router = factory_ ? factory_(context) : std::make_shared<Router>();
    if (w.router->match(http::verb::get, "/healthz").kind != Router::Match::Kind::found) {
      w.router->add(http::verb::get, "/healthz", [](Request&) -> asio::awaitable<Response> {
        co_return json_response(http::status::ok, R"({"status":"ok"})");
      });
    }
    asio::co_spawn(w.io, accept_loop(w, config_), log_exception);
    w.io.run();
  };

  std::optional<asio::signal_set> signals;
  if (config_.handle_signals) {
    signals.emplace(workers_[0]->io, SIGINT, SIGTERM);
    signals->async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      kLog.info("shutdown_signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      stop();
    });
  }
  kLog.info("http_listening",
            {{"address", config_.address}, {"port", port_}, {"threads", workers_.size()}});
  std::vector<std::thread> threads;
  for (size_t i = 1; i < workers_.size(); ++i) {
    threads.emplace_back([&, i] { serve_thread(*workers_[i]); });
  }
  serve_thread(*workers_[0]);
  for (auto& t : threads) t.join();
  kLog.info("http_stopped", {{"port", port_}});
}

void HttpServer::stop() {
  stopping_ = true;
  for (auto& w : workers_) {
    asio::post(w->io, [&w = *w, this] { begin_drain(w, config_.shutdown_grace); });
  }
}

}  // namespace pe::net
