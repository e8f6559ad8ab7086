#include "demo/demo_stack.hpp"

#include "common/redact.hpp"
#include "demo/demo_text.hpp"
#include "net/redis_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <ostream>
#include <random>
#include <sstream>

namespace pe::demo {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::atomic<bool> g_stop_requested{false};

constexpr size_t kTailLines = 20;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A started connection to REDIS_URL's Redis, named for the demo, giving up connecting after
// `timeout`; the caller stops it.
Result<std::shared_ptr<net::RedisConnection>> connect_redis(asio::io_context& io,
                                                            const net::RedisConfig& given,
                                                            std::chrono::milliseconds timeout) {
  net::RedisConfig config = given;
  config.connect_timeout = std::min(config.connect_timeout, timeout);
  config.client_name = "pricing-engine-demo";
  auto redis = net::RedisConnection::create(io, std::move(config));
  if (redis) (*redis)->start();
  return redis;
}

// One PING through our own Redis client: Ok, or why Redis cannot be used.
asio::awaitable<Result<void>> ping_redis(const net::RedisConfig& given,
                                         std::chrono::milliseconds timeout) {
  auto& io = static_cast<asio::io_context&>((co_await asio::this_coro::executor).context());
  auto redis = connect_redis(io, given, timeout);
  if (!redis) co_return redis.error();
  net::RedisCommand ping("PING");
  auto reply = co_await (*redis)->exec(ping, timeout);
  (*redis)->stop();
  if (!reply) co_return reply.error();
  co_return Result<void>{};
}

// Deletes the keys matching `prefix`* (SCAN, then UNLINK of each page), as few at a time as
// SCAN returns, so a large Redis is never blocked. `prefix` has no glob characters.
asio::awaitable<Result<size_t>> remove_keys(net::RedisConnection& redis, const std::string& prefix,
                                            std::chrono::milliseconds timeout) {
  size_t removed = 0;
  std::string cursor = "0";
  do {
    net::RedisCommand scan("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
    auto page = co_await redis.exec(scan, timeout);
    if (!page) co_return page.error();
    if (!page->is_array() || page->elements.size() != 2 || !page->elements[1].is_array()) {
      co_return Error{Errc::internal, "redis: unexpected reply to SCAN"};
    }
    cursor = page->elements[0].text;
    if (page->elements[1].elements.empty()) continue;
    net::RedisCommand unlink("UNLINK");
    for (const auto& key : page->elements[1].elements) unlink.arg(key.text);
    auto done = co_await redis.exec(unlink, timeout);
    if (!done) co_return done.error();
    removed += static_cast<size_t>(done->integer);
  } while (cursor != "0");
  co_return removed;
}

}  // namespace

bool stop_requested() { return g_stop_requested.load(); }
void request_stop() { g_stop_requested.store(true); }

std::string random_hex(size_t bytes) {
  std::random_device device;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    unsigned byte = device() & 0xff;
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
  }
  return out;
}

Result<int> free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{Errc::unavailable, std::string("socket: ") + std::strerror(errno)};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) return Error{Errc::unavailable, std::string("no free port: ") + std::strerror(errno)};
  return ntohs(addr.sin_port);
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

DemoStack::DemoStack(StackOptions options, std::ostream& out)
    : options_(std::move(options)), out_(out) {}

DemoStack::~DemoStack() { stop(); }

void DemoStack::stop() {
  // Newest first in the signal order does not matter: all get SIGTERM at once, and each role
  // shuts down on its own; SIGKILL for any still running after 5 s.
  std::vector<ChildProcess*> all;
  for (auto it = children_.rbegin(); it != children_.rend(); ++it) all.push_back(it->get());
  stop_all(all, 5s);
  children_.clear();
}

Result<size_t> DemoStack::remove_redis_keys() {
  if (!options_.redis || redis_prefix_.empty()) return size_t{0};
  asio::io_context io;
  auto redis = connect_redis(io, *options_.redis, 3s);
  if (!redis) return redis.error();
  Result<size_t> outcome = Error{Errc::internal, "the key removal did not finish"};
  asio::co_spawn(io, remove_keys(**redis, redis_prefix_, 5s),
                 [&](std::exception_ptr e, Result<size_t> result) {
                   outcome = e ? Result<size_t>(Error{Errc::internal, "the key removal failed"})
                               : std::move(result);
                   (*redis)->stop();
                 });
  io.run();
  return outcome;
}

Result<ChildProcess*> DemoStack::spawn(const std::string& name, std::vector<std::string> argv,
                                       std::map<std::string, std::string> env) {
  auto child = ChildProcess::start({.name = name,
                                    .argv = std::move(argv),
                                    .env = std::move(env),
                                    .log_path = options_.dir / (name + ".log")});
  if (!child)
    return Error{child.error().code, "cannot start " + name + ": " + child.error().message};
  children_.push_back(std::make_unique<ChildProcess>(std::move(*child)));
  return children_.back().get();
}

std::string DemoStack::dead_child_message(ChildProcess& child) const {
  std::string tail = child.log_tail(kTailLines);
  return child.name() + " " + child.exit_description() + "; the end of its log (" +
         child.log_path().string() + "):\n" + (tail.empty() ? "  (empty)\n" : redact(tail));
}

Result<void> DemoStack::check_alive() {
  for (auto& child : children_) {
    if (!child->running()) return Error{Errc::unavailable, dead_child_message(*child)};
  }
  return {};
}

asio::awaitable<Result<void>> DemoStack::wait_ready(const std::string& what,
                                                    std::chrono::milliseconds timeout,
                                                    std::function<asio::awaitable<bool>()> ready) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (stop_requested()) co_return Error{Errc::cancelled, "interrupted"};
    if (auto alive = check_alive(); !alive) co_return alive.error();
    bool is_ready = co_await ready();
    if (is_ready) co_return Result<void>{};
    if (std::chrono::steady_clock::now() > deadline) {
      co_return Error{
          Errc::deadline_exceeded,
          what + " was not ready after " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
              " s; logs in " + options_.dir.string()};
    }
    co_await sleep_for(100ms);
  }
}

std::map<std::string, std::string> DemoStack::redis_env() const {
  std::map<std::string, std::string> env{{"REDIS_URL", redis_url_}};
  if (!redis_prefix_.empty()) env["PRICING_REDIS_PREFIX"] = redis_prefix_;
  return env;
}

asio::awaitable<Result<void>> DemoStack::start(net::HttpClient& client) {
  // One step after the other; never co_await inside a condition (GCC 12).
  auto redis = co_await start_redis();
  if (!redis) co_return redis;
  // web's port is chosen first: the org delivers its change events there and sends its
  // invocations there, and web needs the org's AppLink variables to verify invocations.
  auto port = free_loopback_port();
  if (!port) co_return port.error();
  web_url_ = "http://127.0.0.1:" + std::to_string(*port);
  webhook_token_ = random_hex(24);
  seal_key_ = random_hex(32);
  ui_password_ = random_hex(9);
  auto org = co_await start_org();
  if (!org) co_return org;
  auto web = co_await start_web(client, *port);
  if (!web) co_return web;
  auto worker = co_await start_worker();
  co_return worker;
}

asio::awaitable<Result<void>> DemoStack::start_redis() {
  if (options_.redis) {
    redis_url_ = options_.redis->url;
    auto ping = co_await ping_redis(*options_.redis, 3s);
    if (!ping) {
      co_return Error{Errc::unavailable, "cannot reach Redis at " + redact(redis_url_) +
                                             " (REDIS_URL): " + ping.error().message};
    }
    // Keys of their own: a deployment sharing this Redis keeps its jobs. Set once Redis
    // answered: remove_redis_keys() removes them at the end, and only then.
    redis_prefix_ = "pe:demo:" + random_hex(4) + ":";
    out_ << "  redis         " << redact(redis_url_) << " (REDIS_URL, keys under " << redis_prefix_
         << ")\n";
    co_return Result<void>{};
  }
  auto program = find_in_path("redis-server");
  if (!program) {
    co_return Error{Errc::failed_precondition,
                    "redis-server is not in PATH. Install it (Debian/Ubuntu: apt-get install "
                    "redis-server; macOS: brew install redis), or set REDIS_URL to a Redis you "
                    "have."};
  }
  auto port = free_loopback_port();
  if (!port) co_return port.error();
  redis_url_ = "redis://127.0.0.1:" + std::to_string(*port);
  auto child = spawn("redis-server",
                     {program->string(), "--port", std::to_string(*port), "--bind", "127.0.0.1",
                      "--save", "", "--appendonly", "no", "--dir", options_.dir.string()},
                     {});
  if (!child) co_return child.error();
  auto ready = co_await wait_ready("redis-server", 10s, [this]() -> asio::awaitable<bool> {
    net::RedisConfig config{.url = redis_url_};
    auto pong = co_await ping_redis(config, 500ms);
    co_return bool(pong);
  });
  if (!ready) co_return ready;
  out_ << "  redis-server  " << redis_url_ << " (pid " << (*child)->pid() << ")\n";
  co_return Result<void>{};
}

asio::awaitable<Result<void>> DemoStack::start_web(net::HttpClient& client, int port) {
  auto env = redis_env();
  for (const auto& [key, value] : org_env_.values()) env[key] = value;
  env.insert({{"PORT", std::to_string(port)},
              {"WEB_THREADS", "1"},
              {"LOG_LEVEL", "info"},
              {"PRICING_WEBHOOK_TOKEN", webhook_token_},
              {"PRICING_FLUSH_SECONDS", "2"},
              {"PRICING_SEAL_KEY", seal_key_},
              {"PRICING_UI_PASSWORD", ui_password_},
              {"PRICING_DEVORG_URL", org_url_}});
  if (!options_.rules.empty()) env["PRICING_RULES"] = options_.rules.string();
  auto child = spawn("web", {options_.binary.string(), "web"}, std::move(env));
  if (!child) co_return child.error();
  auto ready = co_await wait_ready("web", 15s, [&]() -> asio::awaitable<bool> {
    net::HttpRequest readyz{.url = web_url_ + "/readyz", .timeout = 1s};
    auto res = co_await client.request(std::move(readyz));
    co_return res && res->status == 200;
  });
  if (!ready) co_return ready;
  out_ << "  web           " << web_url_ << " (pid " << (*child)->pid() << ")\n";
  co_return Result<void>{};
}

asio::awaitable<Result<void>> DemoStack::start_org() {
  auto env_file = options_.dir / "devorg.env";
  auto child = spawn("devorg",
                     {options_.binary.string(), "devorg", "--port", "0", "--seed",
                      std::to_string(options_.seed_opportunities), "--env-file", env_file.string(),
                      "--webhook", web_url_ + "/api/generatequotes", "--webhook-token",
                      webhook_token_, "--connection", "devorg", "--app-url", web_url_},
                     {{"LOG_LEVEL", "info"}});
  if (!child) co_return child.error();
  auto ready = co_await wait_ready("the local org", 30s, [&]() -> asio::awaitable<bool> {
    co_return std::filesystem::exists(env_file);
  });
  if (!ready) co_return ready;
  auto values = Env::parse_dotenv(read_file(env_file));
  if (!values) co_return Error{Errc::internal, "the org's env file: " + values.error().message};
  org_env_ = Env(std::move(*values));
  std::string integration(org_env_.get("HEROKU_INTEGRATION_API_URL").value_or(""));
  constexpr std::string_view kSuffix = "/integration";
  if (!integration.ends_with(kSuffix)) {
    co_return Error{Errc::internal, "the org's env file has no HEROKU_INTEGRATION_API_URL"};
  }
  org_url_ = integration.substr(0, integration.size() - kSuffix.size());
  out_ << "  devorg        " << org_url_ << " (pid " << (*child)->pid() << ", "
       << options_.seed_opportunities << " sample opportunities)\n";
  co_return Result<void>{};
}

asio::awaitable<Result<void>> DemoStack::start_worker() {
  auto env = redis_env();
  for (const auto& [key, value] : org_env_.values()) env[key] = value;
  env["LOG_LEVEL"] = "info";
  env["PRICING_SEAL_KEY"] = seal_key_;
  if (!options_.rules.empty()) env["PRICING_RULES"] = options_.rules.string();
  auto child = spawn("worker", {options_.binary.string(), "worker"}, std::move(env));
  if (!child) co_return child.error();
  worker_log_ = (*child)->log_path();
  std::string started;  // the worker_started line: it names the rules the worker prices with
  auto ready = co_await wait_ready("worker", 15s, [this, &started]() -> asio::awaitable<bool> {
    std::istringstream log(read_file(worker_log_));
    for (std::string line; std::getline(log, line);) {
      if (line.find("msg=worker_started") != std::string::npos) {
        started = std::move(line);
        co_return true;
      }
    }
    co_return false;
  });
  if (!ready) co_return ready;
  out_ << "  worker        pid " << (*child)->pid() << ", pricing with "
       << parse_logfmt(started)["pricing"] << "\n";
  co_return Result<void>{};
}

}  // namespace pe::demo
