// demo_stack.hpp: the processes of the demo — redis-server, a seeded local org, web and worker —
// started in order, each checked ready, and stopped together.
//
// Redis: REDIS_URL when given (checked with a PING, and the demo's keys get a prefix of their own
// so that jobs of another deployment on that Redis are left alone), else redis-server from PATH
// on a free loopback port with persistence off. web listens on a free port with a random webhook
// token and PRICING_FLUSH_SECONDS=2; the local org delivers its change events there with that
// token and writes the environment an app needs; the worker runs with that environment. Every
// child logs to <dir>/<name>.log. Ready means: Redis answers PING, web's /readyz answers 200, the
// org wrote its env file, the worker logged msg=worker_started.
//
//   DemoStack stack({.seed_opportunities = 200, .dir = dir, .binary = binary}, out);
//   if (auto ok = co_await stack.start(client); !ok) ...   // the message names the child
//   stack.check_alive();   // an Error with the tail of the log of a child that died
//   stack.stop();          // worker, web, org, redis: SIGTERM, SIGKILL after 5 s
#pragma once

#include "common/config.hpp"
#include "common/error.hpp"
#include "demo/child_process.hpp"
#include "net/http_client.hpp"
#include "net/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace pe::demo {

struct StackOptions {
  int seed_opportunities = 200;
  std::optional<net::RedisConfig> redis;  // REDIS_URL's; nullopt: start redis-server
  std::filesystem::path dir;              // log files and the org's env file
  std::filesystem::path binary;           // pricing-engine itself
  std::filesystem::path rules;            // the worker's PRICING_RULES; empty: inherited
};

class DemoStack {
 public:
  DemoStack(StackOptions options, std::ostream& out);
  ~DemoStack();
  DemoStack(const DemoStack&) = delete;
  DemoStack& operator=(const DemoStack&) = delete;

  // Starts everything, printing one line per process. The error says which step failed and, when
  // a child died, shows the tail of its log.
  boost::asio::awaitable<Result<void>> start(net::HttpClient& client);
  // An error naming the first child that is no longer running, with the tail of its log.
  Result<void> check_alive();
  void stop();
  // With REDIS_URL: deletes every key under the demo's prefix (after stop(), so that no role
  // writes more) and returns how many there were. 0 when the demo ran its own redis-server.
  Result<size_t> remove_redis_keys();
  const std::string& redis_prefix() const { return redis_prefix_; }

  const std::string& redis_url() const { return redis_url_; }
  const std::string& web_url() const { return web_url_; }
  const std::string& ui_password() const { return ui_password_; }
  const std::string& org_url() const { return org_url_; }
  // The environment the org wrote (HEROKU_APPLINK_*, CONNECTION_NAMES, ...).
  const Env& org_env() const { return org_env_; }
  const std::filesystem::path& worker_log() const { return worker_log_; }

 private:
  boost::asio::awaitable<Result<void>> start_redis();
  boost::asio::awaitable<Result<void>> start_web(net::HttpClient& client, int port);
  boost::asio::awaitable<Result<void>> start_org();
  boost::asio::awaitable<Result<void>> start_worker();
  Result<ChildProcess*> spawn(const std::string& name, std::vector<std::string> argv,
                              std::map<std::string, std::string> env);
  // Polls `ready` every 100 ms for up to `timeout`, failing early when a child dies or the user
  // interrupts.
  boost::asio::awaitable<Result<void>> wait_ready(
      const std::string& what, std::chrono::milliseconds timeout,
      std::function<boost::asio::awaitable<bool>()> ready);
  std::string dead_child_message(ChildProcess& child) const;
  std::map<std::string, std::string> redis_env() const;

  StackOptions options_;
  std::ostream& out_;
  std::vector<std::unique_ptr<ChildProcess>> children_;  // in start order
  std::string redis_url_;
  std::string redis_prefix_;  // PRICING_REDIS_PREFIX for the roles; empty: the default
  std::string webhook_token_;
  std::string seal_key_;  // PRICING_SEAL_KEY of web and worker: 32 random bytes in hex
  std::string ui_password_;  // PRICING_UI_PASSWORD of web: the pages' password, printed once
  std::string web_url_;
  std::string org_url_;
  Env org_env_;
  std::filesystem::path worker_log_;
};

// Ends every wait of the demo early (set from the SIGINT/SIGTERM handler demo.cpp installs).
bool stop_requested();
void request_stop();

// A random lower-case hex string of 2 × `bytes` characters, from the OS's generator.
std::string random_hex(size_t bytes);

// A loopback TCP port that was free a moment ago.
Result<int> free_loopback_port();

// Sleeps on the current coroutine's executor.
boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds delay);

}  // namespace pe::demo
