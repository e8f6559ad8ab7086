// http_server.hpp: the HTTP/1.1 server every process role serves through.
//
// One io_context per thread, nothing shared between threads: each thread has its own acceptor on
// the same port (SO_REUSEPORT lets the kernel spread connections) and its own Router, built on
// that thread by the factory you pass, so handlers can own per-thread resources (a Redis
// connection, an HTTP client) without locks. A connection's life is read, route, handle, write,
// with a deadline on every step and limits on headers and bodies; errors are JSON (see
// http_message.hpp). GET /healthz is always served. SIGTERM/SIGINT (or stop()) start a graceful
// shutdown: stop accepting, close idle connections, let requests in flight finish (answered with
// Connection: close), and return from run() within the grace period, cutting what remains.
//
//   ServerConfig config{.port = 8080, .threads = 2};
//   HttpServer server(config, [](ThreadContext& t) {
//     auto router = std::make_shared<Router>();
//     router->add(http::verb::get, "/api/ping", ping);
//     return router;
//   });
//   if (auto ok = server.listen(); !ok) { ... }
//   server.run();   // blocks until shut down
#pragma once

#include "common/error.hpp"
#include "net/router.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pe::net {

struct ServerConfig {
  std::string address = "0.0.0.0";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  unsigned threads = 0;  // 0: one per core
  // Waiting for the next request on a kept-alive connection (and the first on a new one).
  std::chrono::milliseconds idle_timeout{60'000};
  // From a request's first byte to the end of its headers: a slow-loris client is cut here.
  std::chrono::milliseconds header_timeout{10'000};
  // Reading a body, and writing a response.
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_header_bytes = 16 * 1024;  // 431 above it
  // Heroku sends SIGKILL 30 s after SIGTERM.
  std::chrono::milliseconds shutdown_grace{25'000};
  bool handle_signals = true;  // SIGTERM and SIGINT start a graceful shutdown
  bool access_log = true;      // one info line per request
};

struct ThreadContext {
  unsigned index;  // 0 .. threads-1
  boost::asio::io_context& io;
};

class HttpServer {
 public:
  // Called once per server thread, on that thread, before it serves.
  using RouterFactory = std::function<std::shared_ptr<Router>(ThreadContext&)>;

  HttpServer(ServerConfig config, RouterFactory factory);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening sockets. Errc::unavailable when the address cannot be bound.
  Result<void> listen();
  // The bound port (after listen()).
  uint16_t port() const { return port_; }
  unsigned threads() const { return static_cast<unsigned>(workers_.size()); }
  // Serves until stop() or a signal, then shuts down gracefully and returns. Calls listen()
  // first if needed and throws ErrorException if that fails.
  void run();
  // Starts a graceful shutdown; safe from any thread and from handlers.
  void stop();

  struct Worker;

 private:
  ServerConfig config_;
  RouterFactory factory_;
  std::vector<std::unique_ptr<Worker>> workers_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
};

// A request id for logs and the X-Request-Id header: the client's when it is 1 to 128 of
// [A-Za-z0-9._:-], else a new random one.
std::string request_id_from(std::string_view client_value);

}  // namespace pe::net
