#include "net/server_connection.hpp"

#include "net/http_wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include <algorithm>
#include <array>
#include <optional>

namespace pe::net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Parser = http::request_parser<http::string_body>;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr auto kNever = Clock::time_point::max();
// Read sizes: what a request head usually needs, and a larger step for bodies.
constexpr std::size_t kHeadRead = 4096;
constexpr std::size_t kBodyRead = 16384;
constexpr std::size_t kMaxRead = 65536;
// Bodies up to this size are copied behind the head and sent in one piece.
constexpr std::size_t kInlineBody = 8192;
// Buffers that grew past this for one large request are given back afterwards.
constexpr std::size_t kKeptBuffer = 64 * 1024;
// When we close with part of a request unread (413, 415, 400), closing at once would make the
// kernel send a reset that can destroy our answer before the client reads it. So we stop
// sending, then swallow up to this much input for up to this long, and close.
constexpr auto kLingerTime = std::chrono::milliseconds(500);
constexpr std::size_t kLingerBytes = 256 * 1024;

const log::Logger& server_log() {
  static const log::Logger log = log::Logger().with("component", "http");
  return log;
}

bool is_http_error(const beast::error_code& ec) {
  static const auto& category = http::make_error_code(http::error::need_more).category();
  return ec.category() == category;
}

// A protocol violation by the client, as opposed to a connection that closed or timed out.
bool is_protocol_error(const beast::error_code& ec) {
  return is_http_error(ec) && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

}  // namespace

class ServerConnection {
 public:
  ServerConnection(ServerThread& thread, tcp::socket socket)
      : thread_(thread), config_(thread.config), socket_(std::move(socket)) {
    slot_ = thread_.connections.size();
    thread_.connections.push_back(this);
    boost::system::error_code ec;
    auto peer = socket_.remote_endpoint(ec);
    if (!ec) {
      peer_address_ = peer.address().to_string();
      const auto address = peer.address();
      from_loopback_ =
          address.is_loopback() ||
          (address.is_v6() && address.to_v6().is_v4_mapped() &&
           asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback());
    }
  }
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  asio::awaitable<void> serve();
  void expire_if_due(Clock::time_point now);
  void close_if_idle();
  void close();

 private:
  // One request and its answer, as the access log sees them.
  struct Exchange {
    std::string_view method = "-";
    std::string_view path = "-";
    std::string_view request_id;
    bool head = false;
    bool keep_alive = false;
    bool http10 = false;
  };

  asio::awaitable<bool> serve_one();
  asio::awaitable<bool> serve_routed(Parser& parser, Request& req, Exchange& ex,
                                     Router::Match& match);
  asio::awaitable<beast::error_code> read_some(Clock::time_point deadline, std::size_t room);
  asio::awaitable<beast::error_code> read_header(Parser& parser);
  asio::awaitable<beast::error_code> read_body(Parser& parser);
  asio::awaitable<bool> send_continue(std::string_view expect);
  asio::awaitable<bool> respond(Response& res, const Exchange& ex);
  asio::awaitable<bool> answer_and_close(Response& res, Exchange& ex, bool unread_input);
  asio::awaitable<void> reject(beast::error_code ec);
  asio::awaitable<bool> fail_body(beast::error_code ec, const Request& req, Exchange& ex);
  asio::awaitable<void> close_gracefully();
  void log_access(const Exchange& ex, unsigned status, std::size_t bytes) const;

  ServerThread& thread_;
  const ServerConfig& config_;
  tcp::socket socket_;
  std::string peer_address_;
  bool from_loopback_ = false;
  beast::flat_buffer in_;
  std::string out_;
  // The current request's parser. A member rather than a local of serve_one(), whose coroutine
  // frame is allocated for every request: without the parser's 280 bytes that frame stays
  // under the size Asio's per-thread recycling allocator keeps (1,020 bytes) and glibc's
  // tcache serves, instead of a large allocation that also makes malloc consolidate.
  std::optional<Parser> parser_;
  std::size_t slot_ = 0;
  bool idle_ = false;       // waiting for the first byte of a request
  bool timed_out_ = false;  // the sweeper cancelled the current step
  bool linger_ = false;     // input may be left unread: swallow it before closing
  Clock::time_point deadline_ = kNever;
  Clock::time_point started_;  // first byte of the current request
};

ServerConnection::~ServerConnection() {
  auto& list = thread_.connections;
  list[slot_] = list.back();
  list[slot_]->slot_ = slot_;
  list.pop_back();
  if (thread_.draining && list.empty() && thread_.drain_timer) thread_.drain_timer->cancel();
}

void ServerConnection::expire_if_due(Clock::time_point now) {
  if (deadline_ > now) return;
  timed_out_ = true;
  deadline_ = kNever;
  beast::error_code ec;
  socket_.cancel(ec);
}

void ServerConnection::close_if_idle() {
  if (!idle_) return;
  beast::error_code ec;
  socket_.cancel(ec);
}

void ServerConnection::close() {
  beast::error_code ec;
  socket_.close(ec);
}

// GCC 12 miscompiles co_await written directly in an if or while condition (the frame is resumed
// at a wrong address), so results are always named first: `bool ok = co_await f(); if (ok)`.
asio::awaitable<void> ServerConnection::serve() {
  while (!thread_.draining) {
    bool keep_going = co_await serve_one();
    parser_.reset();  // an idle connection holds no request's fields
    if (!keep_going) break;
    if (in_.size() == 0 && in_.capacity() > kKeptBuffer) in_ = beast::flat_buffer();
    if (out_.capacity() > kKeptBuffer) out_ = std::string();
  }
  co_await close_gracefully();
}

// Reads, routes, handles and answers one request. False: close the connection.
asio::awaitable<bool> ServerConnection::serve_one() {
  Parser& parser = parser_.emplace();
  parser.header_limit(static_cast<std::uint32_t>(config_.max_header_bytes));
  // Body limits are the route's, checked once the head is routed; until then, none.
  parser.body_limit(boost::none);
  auto ec = co_await read_header(parser);
  if (ec) {
    co_await reject(ec);
    co_return false;
  }
  const auto& head = parser.get();
  Request req;
  req.request_id = request_id_from(head["X-Request-Id"]);
  req.peer_address = peer_address_;
  req.from_loopback = from_loopback_;
  Exchange ex;
  ex.method = head.method_string();
  ex.path = std::string_view(head.target()).substr(0, head.target().find('?'));
  ex.request_id = req.request_id;
  ex.head = head.method() == http::verb::head;
  ex.keep_alive = head.keep_alive() && !thread_.draining;
  ex.http10 = head.version() == 10;

  auto match = thread_.router->match(head.method(), ex.path);
  if (match.kind != Router::Match::Kind::found) {
    auto res = unrouted_response(req.request_id, head.method(), match);
    if (!parser.is_done()) co_return co_await answer_and_close(res, ex, true);
    co_return co_await respond(res, ex);
  }
  co_return co_await serve_routed(parser, req, ex, match);
}

// The rest of a request that has a route: check its head, read its body, call the handler.
asio::awaitable<bool> ServerConnection::serve_routed(Parser& parser, Request& req, Exchange& ex,
                                                     Router::Match& match) {
  const auto& options = match.route->options;
  std::optional<std::uint64_t> length;
  if (auto declared = parser.content_length()) length = *declared;
  auto problem =
      check_request_head(options, config_.default_body_limit,
                         parser.get()[http::field::content_type], !parser.is_done(), length);
  if (problem) {
    auto res = json_error(req, *problem);
    co_return co_await answer_and_close(res, ex, !parser.is_done());
  }
  if (!parser.is_done()) {
    parser.body_limit(options.body_limit.value_or(config_.default_body_limit));
    std::string_view expect = parser.get()[http::field::expect];
    bool sent = co_await send_continue(expect);
    if (!sent) co_return false;
    auto ec = co_await read_body(parser);
    if (ec) co_return co_await fail_body(ec, req, ex);
  }
  req.message = parser.release();
  req.split_target();
  ex.method = req.message.method_string();
  ex.path = req.path;
  req.params = std::move(match.params);
  auto res = co_await invoke(*match.route, req);
  ex.keep_alive = ex.keep_alive && !thread_.draining;
  co_return co_await respond(res, ex);
}

// Reads what has arrived into in_, by the deadline. timed_out when the sweeper cut it.
asio::awaitable<beast::error_code> ServerConnection::read_some(Clock::time_point deadline,
                                                               std::size_t room) {
  room = std::clamp(in_.capacity() - in_.size(), room, kMaxRead);
  auto buffer = in_.prepare(room);
  deadline_ = deadline;
  timed_out_ = false;
  auto [ec, n] = co_await socket_.async_read_some(buffer, kNoThrow);
  deadline_ = kNever;
  in_.commit(n);
  if (ec == asio::error::operation_aborted && timed_out_) ec = asio::error::timed_out;
  co_return ec;
}

// Waits for the next request (idle timeout), then parses its head (header timeout from the
// first byte), reading more as needed.
asio::awaitable<beast::error_code> ServerConnection::read_header(Parser& parser) {
  if (in_.size() == 0) {
    idle_ = true;
    auto ec = co_await read_some(Clock::now() + config_.idle_timeout, kHeadRead);
    idle_ = false;
    if (ec) co_return ec;
  }
  started_ = Clock::now();
  auto deadline = started_ + config_.header_timeout;
  for (;;) {
    beast::error_code ec;
    in_.consume(parser.put(in_.data(), ec));
    if (ec != http::error::need_more) co_return ec;
    ec = co_await read_some(deadline, kHeadRead);
    if (ec) co_return ec;
  }
}

// Reads the body into the parser (which enforces the body limit, chunked or not) by the body
// deadline.
asio::awaitable<beast::error_code> ServerConnection::read_body(Parser& parser) {
  parser.eager(true);
  auto deadline = Clock::now() + config_.body_timeout;
  for (;;) {
    if (in_.size() > 0) {
      beast::error_code ec;
      in_.consume(parser.put(in_.data(), ec));
      if (ec && ec != http::error::need_more) co_return ec;
      if (parser.is_done()) co_return ec;
    }
    auto ec = co_await read_some(deadline, kBodyRead);
    if (ec == asio::error::eof) co_return http::error::partial_message;
    if (ec) co_return ec;
  }
}

// Answers "Expect: 100-continue" when the client waits for it before sending its body.
asio::awaitable<bool> ServerConnection::send_continue(std::string_view expect) {
  if (in_.size() > 0 || !beast::iequals(expect, "100-continue")) co_return true;
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  deadline_ = Clock::now() + config_.write_timeout;
  timed_out_ = false;
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(kContinue), kNoThrow);
  deadline_ = kNever;
  co_return !ec;
}

asio::awaitable<bool> ServerConnection::respond(Response& res, const Exchange& ex) {
  out_.clear();
  append_response_head(out_, res, {ex.request_id, ex.keep_alive, ex.http10});
  unsigned status = res.result_int();
  bool send_body = !ex.head && !status_has_no_body(status);
  std::string_view body = send_body ? std::string_view(res.body()) : std::string_view();
  if (body.size() <= kInlineBody) {
    out_.append(body);
    body = {};
  }
  std::array<asio::const_buffer, 2> buffers{asio::buffer(out_), asio::buffer(body)};
  deadline_ = Clock::now() + config_.write_timeout;
  timed_out_ = false;
  auto [ec, n] = co_await asio::async_write(socket_, buffers, kNoThrow);
  deadline_ = kNever;
  log_access(ex, status, send_body ? res.body().size() : 0);
  co_return !ec && ex.keep_alive;
}

asio::awaitable<bool> ServerConnection::answer_and_close(Response& res, Exchange& ex,
                                                         bool unread_input) {
  ex.keep_alive = false;
  linger_ = unread_input;
  co_await respond(res, ex);
  co_return false;
}

// A request whose head could not be read: 400 or 431 for protocol errors; nothing for a client
// that went away or timed out (there is nobody to answer).
asio::awaitable<void> ServerConnection::reject(beast::error_code ec) {
  if (!is_protocol_error(ec)) {
    if (ec == asio::error::timed_out) server_log().debug("http_header_timeout");
    co_return;
  }
  bool too_large = ec == http::error::header_limit;
  std::string id = request_id_from({});
  std::string message = too_large ? "request headers are larger than " +
                                        std::to_string(config_.max_header_bytes) + " bytes"
                                  : "malformed HTTP request";
  auto res = json_error(id, Errc::invalid_argument, message);
  if (too_large) res.result(http::status::request_header_fields_too_large);
  Exchange ex;
  ex.request_id = id;
  co_await answer_and_close(res, ex, true);
}

// A body that could not be read: 413 over the limit, 400 malformed, 408 too slow.
asio::awaitable<bool> ServerConnection::fail_body(beast::error_code ec, const Request& req,
                                                  Exchange& ex) {
  Response res;
  if (ec == http::error::body_limit) {
    res = json_error(req, Errc::payload_too_large, "body exceeds the limit of the route");
  } else if (ec == asio::error::timed_out) {
    res = json_error(req, Errc::deadline_exceeded, "request body not received in time");
    res.result(http::status::request_timeout);
  } else if (is_protocol_error(ec)) {
    res = json_error(req, Errc::invalid_argument, "malformed HTTP body");
  } else {
    co_return false;  // the client went away
  }
  co_return co_await answer_and_close(res, ex, true);
}

asio::awaitable<void> ServerConnection::close_gracefully() {
  beast::error_code ec;
  if (!socket_.is_open()) co_return;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (linger_ && !ec) {
    auto deadline = Clock::now() + kLingerTime;
    for (std::size_t swallowed = 0; swallowed < kLingerBytes;) {
      in_.clear();
      auto read_ec = co_await read_some(deadline, kHeadRead);
      if (read_ec) break;
      swallowed += in_.size();
    }
  }
  socket_.close(ec);
}

void ServerConnection::log_access(const Exchange& ex, unsigned status, std::size_t bytes) const {
  if (!config_.access_log || !log::enabled(log::Level::info)) return;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
  static const log::Logger access;
  access.info("http_request", {{"request_id", ex.request_id},
                               {"method", ex.method},
                               {"path", ex.path},
                               {"status", status},
                               {"bytes", bytes},
                               {"duration_us", us.count()}});
}

asio::awaitable<void> serve_connection(ServerThread& thread, tcp::socket socket) {
  ServerConnection connection(thread, std::move(socket));
  co_await connection.serve();
}

void expire_connections(ServerThread& thread, Clock::time_point now) {
  for (auto* c : thread.connections) c->expire_if_due(now);
}

void close_idle_connections(ServerThread& thread) {
  for (auto* c : thread.connections) c->close_if_idle();
}

void close_all_connections(ServerThread& thread) {
  for (auto* c : thread.connections) c->close();
}

}  // namespace pe::net::detail
