// The I/O around RedisPipeline: a run loop that connects, logs in and reconnects; a reader and a
// writer per link; and exec(), which queues an exchange and waits for it with its deadline.
#include "net/redis_connection.hpp"

#include "common/log.hpp"
#include "net/redis_pipeline.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <optional>
#include <random>

namespace pe::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Exchange = RedisPipeline::Exchange;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadBufferBytes = 64 * 1024;

// The socket of one link, plain or TLS.
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
  // Aborts the reads and writes under way on the link.
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

bool is_certificate_rejected(const boost::system::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

// Replies during the login that mean "not yet" rather than "never".
bool is_not_ready(const RedisReply& reply) {
  auto prefix = reply.error_prefix();
  return prefix == "LOADING" || prefix == "BUSY" || prefix == "MASTERDOWN" || prefix == "TRYAGAIN";
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
  RedisPipeline pipeline;
  bool link_up = false;
  bool started = false;
  bool stopped = false;
  bool writer_waiting = false;
  // Why the last connection attempt failed, and whether trying again can help; new commands fail
  // at once while a login that can never succeed is all we have.
  std::optional<Error> connect_error;
  bool connect_error_fatal = false;
  bool attempt_fatal = false;  // set by the attempt under way
  std::string lost_reason;     // why the current link ended, for the commands it fails
  asio::steady_timer write_wakeup;
  asio::steady_timer backoff_timer;
  std::mt19937_64 rng{std::random_device{}()};
  log::Logger log;
  RedisStats stats;

  void wake_writer() {
    if (writer_waiting) write_wakeup.cancel();
  }

  // Ends the current link on purpose; the run loop fails what is in flight and reconnects.
  void reset_link(std::string reason) {
    if (!link_up || !link) return;
    log.warn("redis_link_reset", {{"reason", reason}});
    lost_reason = std::move(reason);
    link->close();
  }

  std::chrono::milliseconds backoff(int failures);
  asio::awaitable<Result<void>> open_link();
  asio::awaitable<Result<void>> handshake_tls();
  asio::awaitable<Result<void>> log_in();
  asio::awaitable<Result<void>> connect_once();
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  asio::awaitable<void> run(std::shared_ptr<RedisConnection> self);
  asio::awaitable<Result<std::vector<RedisReply>>> submit(Exchange exchange,
                                                          std::chrono::milliseconds timeout);
};

// ---- Connecting -----------------------------------------------------------------------------

asio::awaitable<Result<void>> RedisConnection::State::open_link() {
  link = std::make_unique<Link>(io);
  decoder = std::make_unique<RedisDecoder>(config.max_reply_bytes);
  tcp::resolver resolver(io);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), kNoThrow);
  if (rec) {
    co_return Error{Errc::unavailable, "cannot resolve " + endpoint.host + ": " + rec.message()};
  }
  auto [cec, ep] = co_await asio::async_connect(link->socket, endpoints, kNoThrow);
  if (cec) {
    co_return Error{Errc::unavailable, "cannot connect to " + endpoint.host + ":" +
                                           std::to_string(endpoint.port) + ": " + cec.message()};
  }
  boost::system::error_code ignored;
  link->socket.set_option(tcp::no_delay(true), ignored);
  link->socket.set_option(asio::socket_base::keep_alive(true), ignored);
  if (endpoint.tls) {
    auto tls = co_await handshake_tls();
    if (!tls) co_return tls.error();
  }
  co_return co_await log_in();
}

asio::awaitable<Result<void>> RedisConnection::State::handshake_tls() {
  link->tls.emplace(link->socket, *tls_context);
  auto* handle = link->tls->native_handle();
  // SNI carries host names only, never addresses.
  if (!is_ip_address(endpoint.host)) SSL_set_tlsext_host_name(handle, endpoint.host.c_str());
  if (config.tls_verify) {
    // OpenSSL checks the name (or address) itself, and says which check failed.
    auto* param = SSL_get0_param(handle);
    if (is_ip_address(endpoint.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, endpoint.host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, endpoint.host.c_str(), endpoint.host.size());
    }
    link->tls->set_verify_mode(ssl::verify_peer);
  } else {
    link->tls->set_verify_mode(ssl::verify_none);
  }
  auto [ec] = co_await link->tls->async_handshake(ssl::stream_base::client, kNoThrow);
  if (!ec) co_return Result<void>();
  std::string message = "TLS handshake with " + endpoint.host + ":" +
                        std::to_string(endpoint.port) + " failed: " + ec.message();
  if (is_certificate_rejected(ec)) {
    attempt_fatal = true;
    message += std::string(" (") + X509_verify_cert_error_string(SSL_get_verify_result(handle)) +
               "); trust its CA with REDIS_TLS_CA_FILE, or, for a self-signed certificate such "
               "as Heroku Key Value Store's, set REDIS_TLS_SKIP_VERIFY=true";
  }
  co_return Error{Errc::unavailable, std::move(message)};
}

// AUTH, SELECT, CLIENT SETNAME and PING, written together before any queued command. PING is
// there because a server still loading its data set accepts the others but answers commands with
// LOADING: we keep the queue waiting until it is ready.
asio::awaitable<Result<void>> RedisConnection::State::log_in() {
  std::vector<std::pair<std::string, RedisCommand>> steps;
  if (!endpoint.password.empty()) {
    RedisCommand auth("AUTH");
    if (!endpoint.user.empty()) auth.arg(endpoint.user);
    auth.arg(endpoint.password);
    steps.emplace_back("AUTH", std::move(auth));
  }
  if (endpoint.db != 0) steps.emplace_back("SELECT", RedisCommand("SELECT", endpoint.db));
  if (!config.client_name.empty()) {
    steps.emplace_back("CLIENT SETNAME", RedisCommand("CLIENT", "SETNAME", config.client_name));
  }
  steps.emplace_back("PING", RedisCommand("PING"));
  std::string bytes;
  for (const auto& step : steps) step.second.append_to(bytes);
  auto [wec, wn] = co_await link->write(asio::buffer(bytes));
  if (wec) co_return Error{Errc::unavailable, "cannot send the login: " + wec.message()};

  std::vector<char> buf(4096);
  size_t answered = 0;
  while (answered < steps.size()) {
    auto [rec, n] = co_await link->read_some(asio::buffer(buf));
    if (rec) co_return Error{Errc::unavailable, "connection closed during login: " + rec.message()};
    decoder->feed(std::string_view(buf.data(), n));
    for (;;) {
      auto reply = decoder->next();
      if (!reply) co_return reply.error();
      if (!*reply || answered == steps.size()) break;
      const auto& step = steps[answered++].first;
      if (!(*reply)->is_error()) continue;
      if (is_not_ready(**reply)) {
        co_return Error{Errc::unavailable, "Redis is not ready: " + (*reply)->text};
      }
      attempt_fatal = true;
      auto error = error_from_reply(**reply);
      if (step == "AUTH") error.code = Errc::unauthenticated;
      error.message = "Redis refused " + step + ": " + error.message;
      co_return error;
    }
  }
  co_return Result<void>();
}

asio::awaitable<Result<void>> RedisConnection::State::connect_once() {
  attempt_fatal = false;
  asio::steady_timer deadline(io, config.connect_timeout);
  auto opened = co_await (open_link() || deadline.async_wait(asio::use_awaitable));
  if (opened.index() == 0) co_return std::get<0>(opened);
  co_return Error{Errc::unavailable, "connecting timed out after " +
                                         std::to_string(config.connect_timeout.count()) + " ms"};
}

std::chrono::milliseconds RedisConnection::State::backoff(int failures) {
  auto step = config.reconnect_initial;
  for (int i = 0; i < failures && step < config.reconnect_max; ++i) step *= 2;
  step = std::min(step, config.reconnect_max);
  auto extra =
      std::uniform_real_distribution<double>(0, std::max(0.0, config.reconnect_jitter))(rng);
  return step +
         std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(step.count()) * extra));
}

// ---- One link: a reader and a writer --------------------------------------------------------

asio::awaitable<void> RedisConnection::State::read_loop() {
  std::vector<char> buf(kReadBufferBytes);
  for (;;) {
    auto [ec, n] = co_await link->read_some(asio::buffer(buf));
    if (ec) {
      if (ec != asio::error::operation_aborted) lost_reason = ec.message();
      break;
    }
    decoder->feed(std::string_view(buf.data(), n));
    for (;;) {
      auto reply = decoder->next();
      if (!reply) {
        log.error("redis_protocol_error", {{"error", reply.error().message}});
        lost_reason = reply.error().message;
        link->close();
        co_return;
      }
      if (!*reply) break;
      if (auto matched = pipeline.on_reply(std::move(**reply)); !matched) {
        log.error("redis_protocol_error", {{"error", matched.error().message}});
        lost_reason = matched.error().message;
        link->close();
        co_return;
      }
    }
  }
  link->close();  // ends the writer too, even in the middle of a TLS write
}

asio::awaitable<void> RedisConnection::State::write_loop() {
  std::string buffer;
  for (;;) {
    if (!pipeline.has_queued()) {
      write_wakeup.expires_at(Clock::time_point::max());
      writer_waiting = true;
      co_await write_wakeup.async_wait(kNoThrow);
      writer_waiting = false;
      auto cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none || stopped || !link_up) co_return;
      continue;
    }
    // Everything queued so far goes out in one write: this is the automatic pipelining.
    buffer.clear();
    stats.commands_written += pipeline.take_write(buffer);
    ++stats.writes;
    auto [ec, n] = co_await link->write(asio::buffer(buffer));
    if (ec) {
      if (ec != asio::error::operation_aborted) lost_reason = ec.message();
      link->close();
      co_return;
    }
    if (buffer.capacity() > 4 * kReadBufferBytes) buffer = std::string();  // after a burst
  }
}

asio::awaitable<void> RedisConnection::State::run(std::shared_ptr<RedisConnection> self) {
  int failures = 0;
  while (!stopped) {
    auto result = co_await connect_once();
    if (stopped) break;
    if (result) {
      failures = 0;
      connect_error.reset();
      connect_error_fatal = false;
      link_up = true;
      ++stats.connects;
      lost_reason = "closed by the server";
      log.info("redis_connected", {{"connects", stats.connects}});
      co_await (read_loop() || write_loop());
      link_up = false;
      link->close();
      if (!stopped) log.warn("redis_link_lost", {{"reason", lost_reason}});
      pipeline.fail_in_flight(
          Error{Errc::unavailable, "the connection to Redis was lost before the reply (" +
                                       lost_reason + "); the command may or may not have run"});
      continue;  // reconnect at once; back off only if that fails
    }
    link->close();
    auto delay = backoff(failures++);
    connect_error = result.error();
    connect_error_fatal = attempt_fatal;
    log.warn("redis_connect_failed",
             {{"error", connect_error->message}, {"retry_in_ms", delay.count()}});
    if (connect_error_fatal) pipeline.fail_queued(*connect_error);
    backoff_timer.expires_after(delay);
    co_await backoff_timer.async_wait(kNoThrow);
  }
  (void)self;  // kept alive until the loop ends
}

// ---- Commands -------------------------------------------------------------------------------

asio::awaitable<Result<std::vector<RedisReply>>> RedisConnection::State::submit(
    Exchange exchange, std::chrono::milliseconds timeout) {
  if (stopped) co_return Error{Errc::cancelled, "the Redis connection is stopped"};
  if (!link_up && connect_error_fatal && connect_error) co_return *connect_error;
  asio::steady_timer waiter(io, timeout);
  exchange->waiter = &waiter;
  pipeline.enqueue(exchange);
  if (link_up) wake_writer();
  // Woken early (operation_aborted) when the exchange is done or the caller cancels; on time
  // when the deadline passes.
  auto [ec] = co_await waiter.async_wait(kNoThrow);
  exchange->waiter = nullptr;
  if (exchange->done()) {
    if (exchange->error) co_return *exchange->error;
    co_return std::move(exchange->replies);
  }
  bool written = pipeline.abandon(exchange);
  if (ec) co_return Error{Errc::cancelled, "the Redis command was cancelled"};
  auto ms = std::to_string(timeout.count()) + " ms";
  if (written) {
    reset_link("a command got no reply within " + ms);
    co_return Error{Errc::deadline_exceeded,
                    "no reply from Redis within " + ms + "; the connection was reset"};
  }
  if (!link_up && connect_error) {
    co_return Error{Errc::unavailable, "Redis is unreachable: " + connect_error->message};
  }
  co_return Error{Errc::deadline_exceeded, "the command could not be sent to Redis within " + ms};
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
      return Error{Errc::invalid_argument, "cannot load the TLS trust store " +
                                               state->config.tls_ca_file + ": " + ec.message()};
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
  Error stopped{Errc::cancelled, "the Redis connection is stopped"};
  s.pipeline.fail_queued(stopped);
  s.pipeline.fail_in_flight(stopped);
}

bool RedisConnection::connected() const { return state_->link_up; }
const RedisEndpoint& RedisConnection::endpoint() const { return state_->endpoint; }
const RedisStats& RedisConnection::stats() const { return state_->stats; }

asio::awaitable<Result<RedisReply>> RedisConnection::exec(RedisCommand command) {
  return exec(std::move(command), state_->config.command_timeout);
}

asio::awaitable<Result<RedisReply>> RedisConnection::exec(RedisCommand command,
                                                          std::chrono::milliseconds timeout) {
  auto self = shared_from_this();  // the connection outlives this call
  if (command.breaks_pipeline()) {
    co_return Error{Errc::invalid_argument,
                    "SUBSCRIBE and MONITOR cannot run on a pipelined Redis connection"};
  }
  auto exchange = std::make_shared<RedisExchange>(command.encoded(), 1);
  auto replies = co_await state_->submit(exchange, timeout);
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
  auto self = shared_from_this();
  if (commands.empty()) co_return std::vector<RedisReply>{};
  std::string bytes;
  for (const auto& c : commands) {
    if (c.breaks_pipeline()) {
      co_return Error{Errc::invalid_argument,
                      "SUBSCRIBE and MONITOR cannot run on a pipelined Redis connection"};
    }
    c.append_to(bytes);
  }
  auto exchange = std::make_shared<RedisExchange>(std::move(bytes), commands.size());
  co_return co_await state_->submit(exchange, timeout);
}

RedisConfig redis_config_from(EnvReader& read) {
  using std::chrono::milliseconds;
  RedisConfig config;
  config.url = read.url("REDIS_URL", "redis://127.0.0.1:6379", {"redis", "rediss"});
  config.tls_verify = !read.boolean("REDIS_TLS_SKIP_VERIFY", false);
  config.tls_ca_file = read.string("REDIS_TLS_CA_FILE", "");
  config.command_timeout = read.seconds("REDIS_TIMEOUT", std::chrono::seconds(5), milliseconds(10),
                                        std::chrono::minutes(5));
  config.connect_timeout = read.seconds("REDIS_CONNECT_TIMEOUT", std::chrono::seconds(5),
                                        milliseconds(100), std::chrono::minutes(5));
  return config;
}

}  // namespace pe::net
