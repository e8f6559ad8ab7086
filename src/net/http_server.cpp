#include "net/http_server.hpp"

#include "common/log.hpp"
#include "net/server_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <optional>
#include <thread>

namespace pe::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using detail::Clock;
using detail::ServerThread;
using namespace std::chrono_literals;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

const log::Logger& server_log() {
  static const log::Logger log = log::Logger().with("component", "http");
  return log;
}

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    server_log().error("coroutine_failed", {{"error", ex.what()}});
  }
}

asio::awaitable<Response> healthz(Request&) {
  co_return json_response(http::status::ok, R"({"status":"ok"})");
}

// How often a thread checks its connections' deadlines: often enough that the shortest timeout
// is kept to within an eighth of itself, rarely enough to cost nothing.
std::chrono::milliseconds sweep_tick(const ServerConfig& c) {
  auto shortest = std::min({c.idle_timeout, c.header_timeout, c.body_timeout, c.write_timeout});
  return std::clamp<std::chrono::milliseconds>(shortest / 8, 5ms, 250ms);
}

asio::awaitable<void> sweep(ServerThread& thread) {
  asio::steady_timer timer(thread.io);
  auto tick = sweep_tick(thread.config);
  for (;;) {
    timer.expires_after(tick);
    co_await timer.async_wait(kNoThrow);
    detail::expire_connections(thread, Clock::now());
  }
}

asio::awaitable<void> accept_loop(ServerThread& thread) {
  while (thread.acceptor.is_open()) {
    auto [ec, socket] = co_await thread.acceptor.async_accept(kNoThrow);
    if (ec == asio::error::operation_aborted || !thread.acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors or a transient network error: do not spin.
      server_log().warn("accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(thread.io, 50ms);
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(thread.io, detail::serve_connection(thread, std::move(socket)), log_exception);
  }
}

// Waits for the connections in flight, at most the grace period; then closes what remains and
// stops the thread's io_context.
asio::awaitable<void> drain(ServerThread& thread) {
  asio::steady_timer timer(thread.io, thread.config.shutdown_grace);
  struct Registration {
    ServerThread& thread;
    ~Registration() { thread.drain_timer = nullptr; }
  } registration{thread};
  thread.drain_timer = &timer;
  if (!thread.connections.empty()) co_await timer.async_wait(kNoThrow);
  if (!thread.connections.empty()) {
    server_log().warn("shutdown_cut_connections",
                      {{"thread", thread.index}, {"connections", thread.connections.size()}});
    detail::close_all_connections(thread);
  }
  thread.io.stop();
}

// The first SIGTERM/SIGINT starts a graceful shutdown; a second one (an impatient Ctrl-C) ends
// at once.
void wait_for_signal(HttpServer& server, asio::signal_set& signals) {
  signals.async_wait([&server, &signals](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    log::Field name("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    if (!server.stopping()) {
      server_log().info("shutdown_signal", {name});
      server.stop();
      wait_for_signal(server, signals);
    } else {
      server_log().warn("shutdown_forced", {name});
      server.stop_now();
    }
  });
}

void begin_drain(ServerThread& thread) {
  if (thread.draining) return;
  thread.draining = true;
  boost::system::error_code ec;
  thread.acceptor.close(ec);
  detail::close_idle_connections(thread);
  asio::co_spawn(thread.io, drain(thread), log_exception);
}

}  // namespace

HttpServer::HttpServer(ServerConfig config, RouterFactory factory)
    : config_(std::move(config)), factory_(std::move(factory)) {
  unsigned n =
      config_.threads ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    threads_.push_back(std::make_unique<ServerThread>(i, config_));
  }
}

HttpServer::~HttpServer() = default;

Result<void> HttpServer::listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(config_.address, ec);
  if (ec) return Error{Errc::invalid_argument, "invalid listen address '" + config_.address + "'"};
  uint16_t port = config_.port;
  // With SO_REUSEPORT, any process of the same user could bind the port beside us (or we beside
  // it) and silently take a share of the connections, as a second `pricing-engine web` started by
  // mistake would. So first try the port alone: if anything listens there, fail.
  if (port != 0) {
    tcp::acceptor probe(threads_[0]->io);
    tcp::endpoint endpoint(address, port);
    probe.open(endpoint.protocol(), ec);
    if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) probe.bind(endpoint, ec);
    if (ec) {
      return Error{Errc::unavailable, "cannot listen on " + config_.address + ":" +
                                          std::to_string(port) + ": " + ec.message()};
    }
  }
  for (auto& t : threads_) {
    // Every thread listens on the same port; with port 0 the first picks it.
    tcp::endpoint endpoint(address, port);
    auto& a = t->acceptor;
    a.open(endpoint.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      for (auto& other : threads_) other->acceptor.close(ec);
      return Error{Errc::unavailable, "cannot listen on " + config_.address + ":" +
                                          std::to_string(port) + ": " + ec.message()};
    }
    port = a.local_endpoint().port();
  }
  port_ = port;
  listening_ = true;
  return {};
}

void HttpServer::serve_thread(ServerThread& thread) {
  try {
    auto router = factory_ ? factory_(thread.context) : std::make_shared<Router>();
    if (!router) throw std::logic_error("the router factory returned no router");
    if (router->match(http::verb::get, "/healthz").kind != Router::Match::Kind::found) {
      router->add(http::verb::get, "/healthz", healthz);
    }
    thread.router = std::move(router);
    asio::co_spawn(thread.io, accept_loop(thread), log_exception);
  } catch (...) {
    {
      std::lock_guard lock(failure_mutex_);
      if (!failure_) failure_ = std::current_exception();
    }
    stop();
  }
  asio::co_spawn(thread.io, sweep(thread), log_exception);
  thread.io.run();
}

void HttpServer::run() {
  if (!listening_) listen().value();
  // Signals are waited for on an io_context of their own: a server thread's io_context stops as
  // soon as that thread has drained, while others may still be serving (and a second signal
  // must still be heard).
  asio::io_context control{1};
  asio::signal_set signals(control);
  std::thread control_thread;
  if (config_.handle_signals) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    wait_for_signal(*this, signals);
    control_thread = std::thread([&control] { control.run(); });
  }
  server_log().info("http_listening",
                    {{"address", config_.address}, {"port", port_}, {"threads", threads_.size()}});
  std::vector<std::thread> workers;
  for (size_t i = 1; i < threads_.size(); ++i) {
    workers.emplace_back([this, i] { serve_thread(*threads_[i]); });
  }
  serve_thread(*threads_[0]);
  for (auto& w : workers) w.join();
  control.stop();
  if (control_thread.joinable()) control_thread.join();
  server_log().info("http_stopped", {{"port", port_}});
  if (failure_) std::rethrow_exception(failure_);
}

void HttpServer::stop_now() {
  stop();
  for (auto& t : threads_) {
    asio::post(t->io, [&thread = *t] {
      detail::close_all_connections(thread);
      thread.io.stop();
    });
  }
}

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  for (auto& t : threads_) {
    asio::post(t->io, [&thread = *t] { begin_drain(thread); });
  }
}

}  // namespace pe::net
