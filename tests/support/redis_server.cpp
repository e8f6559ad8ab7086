#include "support/redis_server.hpp"

#include <signal.h>

#include <stdexcept>

namespace pe::test {

RedisServer::RedisServer(RedisOptions options)
    : options_(std::move(options)), port_(free_port()), dir_(temp_dir("redis")) {
  start();
}

void RedisServer::start() {
  std::vector<std::string> argv = {
      "redis-server", "--bind", "127.0.0.1",        "--dir", dir_.string(),
      "--save",       "",       "--protected-mode", "no"};
  auto port = std::to_string(port_);
  if (options_.tls) {
    argv.insert(argv.end(),
                {"--port", "0", "--tls-port", port, "--tls-cert-file", options_.tls->cert.string(),
                 "--tls-key-file", options_.tls->key.string(), "--tls-ca-cert-file",
                 options_.tls->ca.string(), "--tls-auth-clients", "no"});
  } else {
    argv.insert(argv.end(), {"--port", port});
  }
  if (options_.aof) argv.insert(argv.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  if (!options_.password.empty()) argv.insert(argv.end(), {"--requirepass", options_.password});
  process_.emplace(Process::start(argv));
  if (!wait_for_port(port_, std::chrono::seconds(10))) {
    throw std::runtime_error("redis-server did not start: " + process_->output());
  }
}

void RedisServer::stop() {
  if (!process_) return;
  process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(5));
}

void RedisServer::shutdown() {
  if (!process_) return;
  process_->signal(SIGTERM);
  process_->wait(std::chrono::seconds(10));
}

std::string RedisServer::url() const {
  std::string auth = options_.password.empty() ? "" : ":" + options_.password + "@";
  return (options_.tls ? "rediss://" : "redis://") + auth + "127.0.0.1:" + std::to_string(port_);
}

}  // namespace pe::test
