#include "net/redis_connection.hpp"

#include "common/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <deque>
#include <optional>
#include <random>

namespace pe::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// A command (or batch) on its way: queued, then written, then collecting its replies.
struct Pending {
  std::string bytes;
  size_t expected = 1;
  std::vector<RedisReply> replies;
  std::optional<Error> error;
  bool done = false;
  bool abandoned = false;                // the caller gave up (timeout); drop its replies
  asio::steady_timer* waiter = nullptr;  // wakes the caller

  void complete() {
    done = true;
    if (waiter) waiter->cancel();
  }
  void fail(Error e) {
    error = std::move(e);
    complete();
  }
};

// The socket of one connection, plain or TLS.
struct Link {
  explicit Link(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  std::optional<ssl::stream<tcp::socket&>> tls;

  asio::awaitable<std::tuple<boost::system::error_code, size_t>> read_some(asio::mutable_buffer b) {
    if (tls) co_return co_await tls->async_read_some(b, kNoThrow);
    co_return co_await socket.async_read_some(b, kNoThrow);
  }
  asio::awaitable<std::tuple<boost::system::error_code, size_t>> write(asio::const_buffer b) {
    if (tls) co_return co_await asio::async_write(*tls, b, kNoThrow);
    co_return co_await asio::async_write(socket, b, kNoThrow);
  }
  void close() {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }
};

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

struct RedisConnection::State {
  State(asio::io_context& io_, RedisConfig config_, RedisEndpoint endpoint_)
      : io(io_),
        config(std::move(config_)),
        endpoint(std::move(endpoint_)),
        write_wakeup(io_),
        backoff_timer(io_),
        log(log::Logger().with("component", "redis").with("redis", endpoint.describe())) {}

  asio::io_context& io;
  RedisConfig config;
  RedisEndpoint endpoint;
  std::optional<ssl::context> tls_context;
  std::unique_ptr<Link> link;
  std::unique_ptr<RedisDecoder> decoder;
  bool link_up = false;
  bool started = false;
  bool stopped = false;
  bool writer_waiting = false;
  std::string last_connect_error;  // why the link is down, for the errors of waiting commands
  std::deque<std::shared_ptr<Pending>> queued;
  std::deque<std::shared_ptr<Pending>> in_flight;
  asio::steady_timer write_wakeup;
  asio::steady_timer backoff_timer;
  std::mt19937_64 rng{std::random_device{}()};
  log::Logger log;

  void wake_writer() {
    if (writer_waiting) write_wakeup.cancel();
  }

  void fail_in_flight(const Error& error) {
    auto failed = std::move(in_flight);
    in_flight.clear();
    for (auto& p : failed) p->fail(error);
  }

  void fail_queued(const Error& error) {
    auto failed = std::move(queued);
    queued.clear();
    for (auto& p : failed) p->fail(error);
  }

  asio::awaitable<Result<void>> open_link();
  asio::awaitable<Result<void>> log_in();
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  asio::awaitable<void> run(std::shared_ptr<RedisConnection> self);
  asio::awaitable<Result<std::vector<RedisReply>>> submit(std::shared_ptr<Pending> p,
                                                          std::chrono::milliseconds timeout);
};

asio::awaitable<Result<void>> RedisConnection::State::open_link() {
  link = std::make_unique<Link>(io);
  decoder = std::make_unique<RedisDecoder>();
  tcp::resolver resolver(io);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), kNoThrow);
  if (rec)
    co_return Error{Errc::unavailable, "cannot resolve " + endpoint.host + ": " + rec.message()};
  auto [cec, ep] = co_await asio::async_connect(link->socket, endpoints, kNoThrow);
  if (cec) co_return Error{Errc::unavailable, "cannot connect: " + cec.message()};
  link->socket.set_option(tcp::no_delay(true));
  if (endpoint.tls) {
    link->tls.emplace(link->socket, *tls_context);
    auto* handle = link->tls->native_handle();
    if (!is_ip_address(endpoint.host)) SSL_set_tlsext_host_name(handle, endpoint.host.c_str());
    if (config.tls_verify) {
      link->tls->set_verify_mode(ssl::verify_peer);
      link->tls->set_verify_callback(ssl::host_name_verification(endpoint.host));
    } else {
      link->tls->set_verify_mode(ssl::verify_none);
    }
    auto [hec] = co_await link->tls->async_handshake(ssl::stream_base::client, kNoThrow);
    if (hec) co_return Error{Errc::unavailable, "TLS handshake failed: " + hec.message()};
  }
  co_return co_await log_in();
}

// AUTH, SELECT and CLIENT SETNAME, written together before any queued command.
asio::awaitable<Result<void>> RedisConnection::State::log_in() {
  std::string bytes;
  size_t expected = 0;
  if (!endpoint.password.empty()) {
    RedisCommand auth("AUTH");
    if (!endpoint.user.empty()) auth.arg(endpoint.user);
    auth.arg(endpoint.password);
    bytes += auth.encoded();
    ++expected;
  }
  if (endpoint.db != 0) {
    bytes += RedisCommand("SELECT").arg(int64_t{endpoint.db}).encoded();
    ++expected;
  }
  bytes += RedisCommand({"CLIENT", "SETNAME", config.client_name}).encoded();
  ++expected;
  auto [wec, wn] = co_await link->write(asio::buffer(bytes));
  if (wec) co_return Error{Errc::unavailable, "cannot send the login: " + wec.message()};
  std::array<char, 4096> buf;
  while (expected > 0) {
    auto [rec, n] = co_await link->read_some(asio::buffer(buf));
    if (rec) co_return Error{Errc::unavailable, "connection closed during login: " + rec.message()};
    decoder->feed(std::string_view(buf.data(), n));
    for (;;) {
      auto reply = decoder->next();
      if (!reply) co_return reply.error();
      if (!*reply) break;
      if ((*reply)->is_error()) co_return error_from_reply(**reply);
      --expected;
    }
  }
  co_return Result<void>();
}

asio::awaitable<void> RedisConnection::State::read_loop() {
  std::vector<char> buf(64 * 1024);
  for (;;) {
    auto [ec, n] = co_await link->read_some(asio::buffer(buf));
    if (ec) {
      if (ec != asio::error::operation_aborted)
        log.warn("redis_link_lost", {{"error", ec.message()}});
      co_return;
    }
    decoder->feed(std::string_view(buf.data(), n));
    for (;;) {
      auto reply = decoder->next();
      if (!reply) {
        log.error("redis_protocol_error", {{"error", reply.error().message}});
        co_return;
      }
      if (!*reply) break;
      if (in_flight.empty()) {
        log.error("redis_protocol_error", {{"error", "a reply arrived for no command"}});
        co_return;
      }
      auto& p = in_flight.front();
      p->replies.push_back(std::move(**reply));
      if (p->replies.size() == p->expected) {
        auto finished = std::move(p);
        in_flight.pop_front();
        finished->complete();
      }
    }
  }
}

asio::awaitable<void> RedisConnection::State::write_loop() {
  std::string buffer;
  for (;;) {
    if (queued.empty()) {
      write_wakeup.expires_at(Clock::time_point::max());
      writer_waiting = true;
      co_await write_wakeup.async_wait(kNoThrow);
      writer_waiting = false;
      auto cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none || stopped) co_return;
      continue;
    }
    // Everything queued so far goes out in one write: this is the automatic pipelining.
    buffer.clear();
    while (!queued.empty()) {
      auto p = std::move(queued.front());
      queued.pop_front();
      if (p->abandoned) continue;
      buffer += p->bytes;
      in_flight.push_back(std::move(p));
    }
    if (buffer.empty()) continue;
    auto [ec, n] = co_await link->write(asio::buffer(buffer));
    if (ec) {
      if (ec != asio::error::operation_aborted)
        log.warn("redis_link_lost", {{"error", ec.message()}});
      co_return;
    }
  }
}

asio::awaitable<void> RedisConnection::State::run(std::shared_ptr<RedisConnection> self) {
  auto backoff = config.reconnect_initial;
  while (!stopped) {
    asio::steady_timer deadline(io, config.connect_timeout);
    auto opened = co_await (open_link() || deadline.async_wait(asio::use_awaitable));
    Result<void> result = opened.index() == 0
                              ? std::get<0>(opened)
                              : Result<void>(Error{Errc::deadline_exceeded, "connect timed out"});
    if (stopped) break;
    if (result) {
      last_connect_error.clear();
      backoff = config.reconnect_initial;
      link_up = true;
      log.info("redis_connected");
      co_await (read_loop() || write_loop());
      link_up = false;
      link->close();
      fail_in_flight(Error{Errc::unavailable,
                           "the connection to Redis was lost before the reply; the command may "
                           "or may not have run"});
      if (stopped) break;
      continue;  // reconnect at once; back off only if that fails
    }
    link->close();
    last_connect_error = result.error().message;
    log.warn("redis_connect_failed",
             {{"error", result.error().message}, {"retry_in_ms", backoff.count()}});
    if (result.error().code == Errc::unauthenticated) fail_queued(result.error());
    auto jitter = std::uniform_int_distribution<int64_t>(0, backoff.count() / 2)(rng);
    backoff_timer.expires_after(backoff + std::chrono::milliseconds(jitter));
    co_await backoff_timer.async_wait(kNoThrow);
    backoff = std::min(backoff * 2, config.reconnect_max);
  }
  (void)self;
}

asio::awaitable<Result<std::vector<RedisReply>>> RedisConnection::State::submit(
    std::shared_ptr<Pending> p, std::chrono::milliseconds timeout) {
  if (stopped) co_return Error{Errc::cancelled, "the Redis connection is stopped"};
  auto deadline = Clock::now() + timeout;
  asio::steady_timer waiter(io, deadline);
  p->waiter = &waiter;
  queued.push_back(p);
  if (link_up) wake_writer();
  co_await waiter.async_wait(kNoThrow);
  p->waiter = nullptr;
  if (p->done) {
    if (p->error) co_return *p->error;
    co_return std::move(p->replies);
  }
  p->abandoned = true;
  if (Clock::now() < deadline) co_return Error{Errc::cancelled, "the Redis command was cancelled"};
  if (!link_up && !last_connect_error.empty()) {
    co_return Error{Errc::unavailable, "Redis is unreachable: " + last_connect_error};
  }
  co_return Error{Errc::deadline_exceeded,
                  "no reply from Redis within " + std::to_string(timeout.count()) + " ms"};
}

Result<std::shared_ptr<RedisConnection>> RedisConnection::create(asio::io_context& io,
                                                                 RedisConfig config) {
  auto endpoint = parse_redis_url(config.url);
  if (!endpoint) return endpoint.error();
  auto state = std::make_unique<State>(io, std::move(config), std::move(*endpoint));
  if (state->endpoint.tls) {
    state->tls_context.emplace(ssl::context::tls_client);
    boost::system::error_code ec;
    if (state->config.tls_ca_file.empty()) {
      state->tls_context->set_default_verify_paths(ec);
    } else {
      state->tls_context->load_verify_file(state->config.tls_ca_file, ec);
    }
    if (ec) {
      return Error{Errc::invalid_argument, "cannot load the TLS trust store: " + ec.message()};
    }
  }
  return std::shared_ptr<RedisConnection>(new RedisConnection(std::move(state)));
}

RedisConnection::RedisConnection(std::unique_ptr<State> state) : state_(std::move(state)) {}
RedisConnection::~RedisConnection() = default;

void RedisConnection::start() {
  if (state_->started) return;
  state_->started = true;
  asio::co_spawn(state_->io, state_->run(shared_from_this()),
                 [log = state_->log](std::exception_ptr e) {
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& ex) {
                     log.error("redis_connection_failed", {{"error", ex.what()}});
                   }
                 });
}

void RedisConnection::stop() {
  auto& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  if (s.link) s.link->close();
  s.backoff_timer.cancel();
  s.wake_writer();
  s.fail_queued(Error{Errc::cancelled, "the Redis connection is stopped"});
  s.fail_in_flight(Error{Errc::cancelled, "the Redis connection is stopped"});
}

bool RedisConnection::connected() const { return state_->link_up; }
const RedisEndpoint& RedisConnection::endpoint() const { return state_->endpoint; }

asio::awaitable<Result<RedisReply>> RedisConnection::exec(RedisCommand command) {
  return exec(std::move(command), state_->config.command_timeout);
}

asio::awaitable<Result<RedisReply>> RedisConnection::exec(RedisCommand command,
                                                          std::chrono::milliseconds timeout) {
  auto p = std::make_shared<Pending>();
  p->bytes = command.encoded();
  auto replies = co_await state_->submit(p, timeout);
  if (!replies) co_return replies.error();
  auto& reply = replies->front();
  if (reply.is_error()) co_return error_from_reply(reply);
  co_return std::move(reply);
}

asio::awaitable<Result<std::vector<RedisReply>>> RedisConnection::exec_batch(
    std::vector<RedisCommand> commands) {
  return exec_batch(std::move(commands), state_->config.command_timeout);
}

asio::awaitable<Result<std::vector<RedisReply>>> RedisConnection::exec_batch(
    std::vector<RedisCommand> commands, std::chrono::milliseconds timeout) {
  auto p = std::make_shared<Pending>();
  p->expected = commands.size();
  for (const auto& c : commands) p->bytes += c.encoded();
  if (p->expected == 0) co_return std::vector<RedisReply>{};
  co_return co_await state_->submit(p, timeout);
}

RedisConfig redis_config_from(EnvReader& read) {
  RedisConfig config;
  config.url = read.url("REDIS_URL", "redis://127.0.0.1:6379", {"redis", "rediss"});
  config.tls_verify = !read.boolean("REDIS_TLS_SKIP_VERIFY", false);
  config.tls_ca_file = read.string("REDIS_TLS_CA_FILE", "");
  config.command_timeout = read.seconds("REDIS_TIMEOUT", std::chrono::seconds(5),
                                        std::chrono::milliseconds(10), std::chrono::minutes(5));
  return config;
}

}  // namespace pe::net
