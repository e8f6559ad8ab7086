// redis_server.hpp: a real redis-server for tests, on a free loopback port.
//
//   RedisServer redis;                           // plain, no persistence
//   RedisServer durable({.aof = true});          // appendonly yes in its own directory
//   RedisServer secure({.tls = make_tls_files(), .password = "pw"});
//   redis.url();                                 // redis://127.0.0.1:PORT (rediss:// with TLS)
//   redis.stop(); redis.start();                 // same port, same data directory
#pragma once

#include "support/process.hpp"
#include "support/tls_files.hpp"

#include <optional>
#include <string>

namespace pe::test {

struct RedisOptions {
  bool aof = false;
  std::optional<TlsFiles> tls;  // serve TLS only (no plain port)
  std::string password;         // requirepass, when not empty
};

class RedisServer {
 public:
  explicit RedisServer(RedisOptions options = {});  // starts it; throws if it does not come up
  ~RedisServer() = default;

  void start();
  void stop();      // SIGKILL: an abrupt crash
  void shutdown();  // SIGTERM: a clean stop
  int port() const { return port_; }
  std::string url() const;
  std::string output() const { return process_ ? process_->output() : std::string(); }

 private:
  RedisOptions options_;
  int port_;
  std::filesystem::path dir_;
  std::optional<Process> process_;
};

}  // namespace pe::test
