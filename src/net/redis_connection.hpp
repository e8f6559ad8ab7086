// redis_connection.hpp: one long-lived, automatically pipelined connection to Redis.
//
// Callers issue commands from any number of coroutines on the connection's io_context; commands
// queued while a write is in flight go out together in the next write (one syscall), and replies
// are matched in order (RedisPipeline, redis_pipeline.hpp). The connection owns its socket: it
// connects in the background, logs in (AUTH, SELECT, CLIENT SETNAME, then a PING so that a server
// still loading its data set is waited for), and reconnects with exponential backoff and jitter
// when the link drops. Callers never see the socket. Every command has a deadline.
//
// What happens to a command when things go wrong:
//  - the link drops after the command was written: it fails at once with Errc::unavailable
//    ("... may or may not have run"); retrying is the caller's choice (make it idempotent);
//  - the link is down before it was written: it waits for the reconnection, up to its deadline,
//    then fails with Errc::unavailable and the last connection error;
//  - the login can never succeed (wrong password, untrusted certificate, bad database): waiting
//    commands fail at once with that error, and so do new ones until a login succeeds;
//  - its deadline passes after it was written: it fails with Errc::deadline_exceeded, and the
//    link is reset (so the commands behind it fail as above), because replies come in order and
//    everything queued behind a reply that is not coming is stuck too. A deadline therefore says
//    "if this takes longer, the link is broken"; to stop caring about a reply without that, cancel
//    the awaiting coroutine instead (asio cancellation, e.g. awaitable_operators ||): the command
//    then fails with Errc::cancelled and its reply is dropped when it comes.
// An error reply from Redis is an Error too (error_from_reply: NOSCRIPT → not_found, ...).
//
// Not thread-safe: a connection belongs to one io_context and must be used only from the thread
// running it. The server runs one io_context per thread; each thread owns its connections.
//
// Blocking commands (BLPOP, XREADGROUP ... BLOCK) hold up every command queued behind them:
// give them a connection of their own, and a deadline longer than their server-side timeout.
// WATCH does not work on a shared connection (other coroutines' EXEC clears it): use a Lua
// script, or a dedicated connection. SUBSCRIBE and MONITOR are refused (invalid_argument).
//
//   auto redis = RedisConnection::create(io, {.url = "redis://127.0.0.1:6379"}).value();
//   redis->start();
//   RedisCommand set("SET", key, value);       // named locals: GCC 12 mishandles temporaries
//   auto ok = co_await redis->exec(set);       //   in co_await expressions
//   std::vector<RedisCommand> tx{{"MULTI"}, {"INCR", "n"}, {"EXPIRE", "n", "60"}, {"EXEC"}};
//   auto replies = co_await redis->exec_batch(tx);   // adjacent in the stream, nothing between
#pragma once

#include "common/config.hpp"
#include "common/error.hpp"
#include "net/redis_protocol.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pe::net {

struct RedisConfig {
  std::string url = "redis://127.0.0.1:6379";
  std::chrono::milliseconds connect_timeout{5'000};  // resolve, TCP connect, TLS, login
  std::chrono::milliseconds command_timeout{5'000};  // default deadline of each command
  std::chrono::milliseconds reconnect_initial{100};  // first backoff step after a failed attempt
  std::chrono::milliseconds reconnect_max{5'000};    // backoff ceiling
  double reconnect_jitter = 0.5;  // each wait is lengthened by a random 0..jitter fraction
  // Verify the server's certificate (rediss://) against the system store or tls_ca_file, and its
  // name. Heroku Key Value Store serves self-signed certificates: there, and only there, set
  // REDIS_TLS_SKIP_VERIFY=true (the link stays encrypted but the server is not authenticated).
  bool tls_verify = true;
  std::string tls_ca_file;                     // PEM; empty: the system store
  std::string client_name = "pricing-engine";  // CLIENT SETNAME, and the logs; empty: none
  size_t max_reply_bytes = RedisDecoder::kDefaultMaxReplyBytes;
};

// Counters, for metrics and benchmarks.
struct RedisStats {
  uint64_t connects = 0;          // successful logins (the first one included)
  uint64_t writes = 0;            // write operations on the link
  uint64_t commands_written = 0;  // commands in those writes (commands / writes: the batching)
};

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  // Errc::invalid_argument for a bad URL or an unreadable CA file.
  static Result<std::shared_ptr<RedisConnection>> create(boost::asio::io_context& io,
                                                         RedisConfig config);
  ~RedisConnection();

  // Starts connecting in the background; commands issued before the link is up wait for it.
  void start();
  // Closes the connection for good; pending commands fail with Errc::cancelled. Call it before
  // dropping the last reference: the background loop keeps the connection alive until then.
  void stop();
  bool connected() const;
  const RedisEndpoint& endpoint() const;
  const RedisStats& stats() const;

  // One command, with the configured deadline or the given one.
  boost::asio::awaitable<Result<RedisReply>> exec(RedisCommand command);
  boost::asio::awaitable<Result<RedisReply>> exec(RedisCommand command,
                                                  std::chrono::milliseconds timeout);
  // Several commands written back to back in one piece, so no other caller's command comes
  // between them (MULTI ... EXEC is then atomic and pipelined), and their replies in order. Error
  // replies stay replies here (error_from_reply turns one into an Error); the Result fails only
  // when the batch as a whole did (link lost, deadline, stop).
  boost::asio::awaitable<Result<std::vector<RedisReply>>> exec_batch(
      std::vector<RedisCommand> commands);
  boost::asio::awaitable<Result<std::vector<RedisReply>>> exec_batch(
      std::vector<RedisCommand> commands, std::chrono::milliseconds timeout);

  struct State;

 private:
  explicit RedisConnection(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The configuration from the environment (see src/net/README.md):
//   REDIS_URL               redis://127.0.0.1:6379 by default; rediss:// for TLS
//   REDIS_TLS_SKIP_VERIFY   true to accept any certificate (Heroku Key Value Store); false
//   REDIS_TLS_CA_FILE       PEM file of the CA to trust instead of the system store
//   REDIS_TIMEOUT           default command deadline in seconds (5)
//   REDIS_CONNECT_TIMEOUT   deadline of each connection attempt in seconds (5)
RedisConfig redis_config_from(EnvReader& read);

}  // namespace pe::net
