// redis_connection.hpp: one long-lived, automatically pipelined connection to Redis.
//
// Callers issue commands from any number of coroutines on the connection's io_context; commands
// queued while a write is in flight go out together in the next write (one syscall), and replies
// are matched in order. The connection owns its socket: it connects in the background, logs in
// (AUTH, SELECT, CLIENT SETNAME), and reconnects with exponential backoff and jitter when the
// link drops. Every command has a deadline.
//
// What happens to commands when the link drops:
//  - sent, reply not yet read: they fail at once with Errc::unavailable, since Redis may or may
//    not have run them; retrying is the caller's choice (make it idempotent);
//  - not yet sent: they wait for the reconnection, up to their deadline.
//
// Threading: a connection belongs to one io_context and must be used only from it (the server
// runs one io_context per thread; each thread owns its connection). Blocking commands (BLPOP,
// XREADGROUP ... BLOCK) hold up everything queued behind them: give them a connection of their
// own.
//
//   auto redis = RedisConnection::create(io, {.url = "redis://127.0.0.1:6379"}).value();
//   redis->start();
//   auto reply = co_await redis->exec({"SET", "key", "value"});           // Result<RedisReply>
//   auto replies = co_await redis->exec_batch({{"MULTI"}, {"INCR", "n"}, {"EXEC"}});
#pragma once

#include "common/config.hpp"
#include "common/error.hpp"
#include "net/redis_protocol.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace pe::net {

struct RedisConfig {
  std::string url = "redis://127.0.0.1:6379";
  std::chrono::milliseconds connect_timeout{5'000};  // TCP connect, TLS handshake, login
  std::chrono::milliseconds command_timeout{5'000};  // default deadline of each command
  std::chrono::milliseconds reconnect_initial{100};  // first backoff step
  std::chrono::milliseconds reconnect_max{5'000};    // backoff ceiling
  // Verify the server's certificate (rediss://). Heroku Key Value Store serves self-signed
  // certificates: set REDIS_TLS_SKIP_VERIFY=true there, and only there.
  bool tls_verify = true;
  std::string tls_ca_file;  // PEM; empty: the system store
  std::string client_name = "pricing-engine";
};

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  // Errc::invalid_argument for a bad URL or CA file.
  static Result<std::shared_ptr<RedisConnection>> create(boost::asio::io_context& io,
                                                         RedisConfig config);
  ~RedisConnection();

  // Starts connecting in the background; commands issued before the link is up wait for it.
  void start();
  // Closes the connection for good; pending commands fail with Errc::cancelled.
  void stop();
  bool connected() const;
  const RedisEndpoint& endpoint() const;

  // One command. An error reply becomes an Error (see error_from_reply).
  boost::asio::awaitable<Result<RedisReply>> exec(RedisCommand command);
  boost::asio::awaitable<Result<RedisReply>> exec(RedisCommand command,
                                                  std::chrono::milliseconds timeout);
  // Several commands written back to back (nothing else between them); their replies in order,
  // error replies included as replies. Use it for MULTI ... EXEC.
  boost::asio::awaitable<Result<std::vector<RedisReply>>> exec_batch(
      std::vector<RedisCommand> commands);
  boost::asio::awaitable<Result<std::vector<RedisReply>>> exec_batch(
      std::vector<RedisCommand> commands, std::chrono::milliseconds timeout);

  struct State;

 private:
  explicit RedisConnection(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// REDIS_URL, REDIS_TLS_SKIP_VERIFY, REDIS_TLS_CA_FILE, REDIS_TIMEOUT (see docs/config.md).
RedisConfig redis_config_from(EnvReader& read);

}  // namespace pe::net
