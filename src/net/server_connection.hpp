// server_connection.hpp: one server thread's state and the life of one client connection
// (internal to net/; the public face is http_server.hpp).
//
// A connection is a coroutine that reads a request, routes it, calls the handler and writes the
// answer, until the client or the server ends it. Deadlines are not per-operation timers: each
// connection records when its current network step must end, and the thread sweeps its connections
// a few times per timeout period and cancels the late ones. A request then costs no timer
// operations at all, and timeouts are exact to within one sweep tick.
//
//   detail::ServerThread thread(0, config);
//   asio::co_spawn(thread.io, detail::serve_connection(thread, std::move(socket)), ...);
//   detail::expire_connections(thread, Clock::now());   // from the sweeper, every tick
#pragma once

#include "net/http_server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace pe::net::detail {

using Clock = std::chrono::steady_clock;

class ServerConnection;

// Everything one server thread owns. Members are destroyed bottom-up: the acceptor and the router
// (whose handlers may own I/O objects of this thread) before the io_context; the io_context, which
// destroys the frames of connections still suspended, before the connection list they leave.
struct ServerThread {
  ServerThread(unsigned index, const ServerConfig& config) : index(index), config(config) {}

  const unsigned index;
  const ServerConfig& config;
  std::vector<ServerConnection*> connections;        // open connections; each knows its slot
  bool draining = false;                             // shutting down: no new requests
  boost::asio::steady_timer* drain_timer = nullptr;  // while the shutdown waits for connections
  boost::asio::io_context io{1};
  ThreadContext context{index, io};  // what the router factory gets; lives as long as the server
  std::shared_ptr<const Router> router;
  boost::asio::ip::tcp::acceptor acceptor{io};
};

// Serves one accepted connection until it ends. Never throws.
boost::asio::awaitable<void> serve_connection(ServerThread& thread,
                                              boost::asio::ip::tcp::socket socket);

// Cancels the network step of every connection whose deadline is past.
void expire_connections(ServerThread& thread, Clock::time_point now);
// Shutdown: closes connections that wait for a request, so that only requests in flight remain.
void close_idle_connections(ServerThread& thread);
// End of the grace period: closes every remaining connection's socket. A handler still running
// is not interrupted; its frame is destroyed with the io_context (see HttpServer::~HttpServer).
void close_all_connections(ServerThread& thread);

}  // namespace pe::net::detail
