// http_server.hpp: the HTTP/1.1 server every process role serves through.
//
// One io_context per thread, nothing shared between threads: each thread has its own acceptor on
// the same port (SO_REUSEPORT lets the kernel spread connections over them) and its own Router,
// built on that thread by the factory you pass. Handlers run on the thread that accepted their
// connection, so per-thread resources the factory creates (a Redis connection, an HTTP client) and
// captures in its handlers need no locks.
//
// A connection's life is read, route, handle, write, repeated while the client keeps it alive:
// a deadline on every network step (idle wait, headers, body, write), a limit on header and body
// size, a JSON error for every failure (http_message.hpp), and one access-log line per request.
// GET /healthz is always served. SIGTERM and SIGINT (or stop()) start a graceful shutdown: stop
// accepting, close idle connections, let requests in flight finish (answered with
// Connection: close); at the end of shutdown_grace, close what remains and return from run(). A
// second signal ends at once. Handlers still running then are not resumed; their coroutine frames
// are destroyed with the server.
//
//   ServerConfig config{.port = 8080, .threads = 2};
//   HttpServer server(config, [](ThreadContext& t) {
//     auto redis = std::make_shared<RedisConnection>(t.io, ...);  // this thread's own
//     auto router = std::make_shared<Router>();
//     router->add(http::verb::get, "/api/ping", ping);
//     router->add(http::verb::post, "/api/events",
//                 [redis](Request& req) { return ingest(*redis, req); });
//     return router;
//   });
//   if (auto ok = server.listen(); !ok) { ... }   // port() is now known (config.port 0: any)
//   server.run();                                  // blocks until shut down
#pragma once

#include "common/error.hpp"
#include "net/router.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pe::net {

struct ServerConfig {
  std::string address = "0.0.0.0";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  unsigned threads = 0;  // 0: one per core
  // Waiting for the first byte of the next request on an open connection.
  std::chrono::milliseconds idle_timeout{60'000};
  // From a request's first byte to the end of its headers: a slow-loris client is cut here.
  std::chrono::milliseconds header_timeout{10'000};
  // Reading a whole body, and writing a whole response.
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_header_bytes = 16 * 1024;            // 431 above it
  std::size_t default_body_limit = kDefaultBodyLimit;  // for routes that set none; 413 above it
  // From the shutdown signal to the return of run(); Heroku sends SIGKILL 30 s after SIGTERM.
  std::chrono::milliseconds shutdown_grace{25'000};
  bool handle_signals = true;  // SIGTERM and SIGINT start a graceful shutdown
  bool access_log = true;      // one info line per request (also off below log level info)
};

// What a router factory gets: which thread it builds for, and that thread's io_context, on which
// every handler of the router will run. It lives as long as the server, so handlers may capture it.
struct ThreadContext {
  unsigned index;  // 0 .. threads-1
  boost::asio::io_context& io;
};

namespace detail {
struct ServerThread;
}

class HttpServer {
 public:
  // Called once per server thread, on that thread, before it serves. Throwing is a start-up
  // error: run() shuts the other threads down and rethrows it.
  using RouterFactory = std::function<std::shared_ptr<Router>(ThreadContext&)>;

  HttpServer(ServerConfig config, RouterFactory factory);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening sockets. Errc::unavailable when the address cannot be bound,
  // Errc::invalid_argument when it is not an IP address.
  Result<void> listen();
  // The bound port (after listen()).
  uint16_t port() const { return port_; }
  unsigned threads() const { return static_cast<unsigned>(threads_.size()); }
  // Serves until stop() or a signal, then shuts down gracefully and returns. Calls listen()
  // first if needed and throws ErrorException if that fails.
  void run();
  // Starts a graceful shutdown; safe from any thread, from handlers, and before run().
  void stop();
  // Ends at once: closes every connection and returns from run() without waiting for requests
  // in flight (a second SIGTERM/SIGINT does this).
  void stop_now();
  bool stopping() const { return stopping_; }

 private:
  void serve_thread(detail::ServerThread& thread);

  ServerConfig config_;
  RouterFactory factory_;
  std::vector<std::unique_ptr<detail::ServerThread>> threads_;
  uint16_t port_ = 0;
  bool listening_ = false;
  std::atomic<bool> stopping_{false};
  std::mutex failure_mutex_;
  std::exception_ptr failure_;
};

}  // namespace pe::net
