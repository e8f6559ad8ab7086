#include "web/web_app.hpp"

#include "applink/api_document.hpp"
#include "pricing/engine_registry.hpp"
#include "web/metrics.hpp"
#include "web/ping_batch.hpp"

#include <boost/asio/ip/address.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include <iostream>
#include <mutex>

namespace pe::web {

namespace asio = boost::asio;
namespace http = net::http;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::milliseconds kWebRedisTimeout{2'000};

// What run_web shares with the server threads: their Redis connections, to stop at the end, and
// what each thread's org actions need and must outlive the threads.
struct Connections {
  std::mutex mutex;
  std::vector<std::shared_ptr<net::RedisConnection>> all;
  std::vector<std::shared_ptr<void>> keep;  // per-thread objects the routes refer to
  std::shared_ptr<const pricing::PricingEngine> engine;
  std::optional<applink::AppLink> applink;
  std::shared_ptr<DescribeCache> described = std::make_shared<DescribeCache>();
  pages::SharedPageState pages;
};

// Every second, flush transactions whose events stopped (any instance may; one job each).
asio::awaitable<void> flush_idle_transactions(std::shared_ptr<events::TransactionBuffer> buffer) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  log::Logger log;
  bool failing = false;
  for (;;) {
    timer.expires_after(1s);
    co_await timer.async_wait(asio::use_awaitable);
    auto flushed = co_await buffer->flush_idle();
    if (!flushed) {
      if (!failing) log.warn("flush_failed", {{"error", flushed.error().message}});
      failing = true;
      continue;
    }
    failing = false;
    if (!flushed->latencies_ms.empty()) {
      metrics().observe_flushes(flushed->latencies_ms);
      log.info("transactions_flushed", {{"jobs", flushed->latencies_ms.size()}});
    }
  }
}

asio::awaitable<net::Response> readyz(net::RedisConnection& redis) {
  net::RedisCommand ping("PING");
  auto pong = co_await redis.exec(std::move(ping), 1s);
  if (!pong) {
    co_return net::json_response(http::status::service_unavailable,
                                 R"({"ready":false,"redis":"unreachable"})");
  }
  co_return net::json_response(http::status::ok, R"({"ready":true,"redis":"ok"})");
}

asio::awaitable<net::Response> noop_redis(PingBatch& pings, net::Request& req) {
  const bool answered = co_await pings.wait();
  if (!answered) co_return net::json_error(req, Errc::unavailable, "redis is unreachable");
  co_return net::empty_response(http::status::no_content);
}

std::shared_ptr<net::Router> make_router(const WebConfig& config, net::ThreadContext& thread,
                                         Connections& connections) {
  auto redis = net::RedisConnection::create(thread.io, config.redis).value();
  redis->start();
  {
    std::lock_guard lock(connections.mutex);
    connections.all.push_back(redis);
  }
  auto buffer = std::make_shared<events::TransactionBuffer>(redis, config.buffer);
  auto webhook = std::make_shared<Webhook>(config.webhook, buffer);
  if (thread.index == 0) {
    asio::co_spawn(thread.io, flush_idle_transactions(buffer), asio::detached);
  }

  auto client = std::make_shared<net::HttpClient>(net::HttpClient::create(thread.io).value());
  auto queue = std::make_shared<jobs::JobQueue>(redis, config.queue);
  auto actions = std::make_shared<OrgActions>(config.org_actions, connections.applink,
                                              connections.engine, *client, queue);
  auto batch_jobs = std::make_shared<jobs::BatchJobs>(
      redis, jobs::QueueKeys(config.queue.prefix + "batch:").stream, config.batch.options);
  auto batch = std::make_shared<BatchRoutes>(config.batch, connections.applink, *client, batch_jobs,
                                             connections.described);
  auto pages = std::make_shared<pages::PageRoutes>(config.pages, connections.pages, redis, *client);
  {
    std::lock_guard lock(connections.mutex);
    connections.keep.push_back(client);
    connections.keep.push_back(actions);
    connections.keep.push_back(batch);
    connections.keep.push_back(pages);
  }

  auto router = std::make_shared<net::Router>();
  actions->add_routes(*router);
  batch->add_routes(*router);
  pages->add_routes(*router);
  router->add(
      http::verb::get, "/api-docs.yaml", [](net::Request&) -> asio::awaitable<net::Response> {
        auto res = net::json_response(http::status::ok, std::string(applink::api_document_yaml()));
        res.set(http::field::content_type, "application/yaml; charset=utf-8");
        co_return res;
      });
  router->add(http::verb::post, "/api/generatequotes",
              [webhook](net::Request& req) { return webhook->handle(req); },
              {.body_limit = config.webhook.body_limit,
               .content_types = {"application/cloudevents+json",
                                 "application/cloudevents-batch+json", "application/json"}});
  router->add(http::verb::get, "/metrics",
              [redis, key = config.queue.prefix +
                            "pubsub:stats"](net::Request&) -> asio::awaitable<net::Response> {
                std::string text = metrics().render();
                // The subscribers' counters, which they keep in Redis (pubsub/subscription_stats).
                auto stats = co_await redis->exec(net::RedisCommand("HGETALL", key));
                if (stats && stats->is_array()) append_pubsub_metrics(text, *stats);
                auto res = net::json_response(http::status::ok, std::move(text));
                res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
                co_return res;
              });
  router->add(http::verb::get, "/readyz", [redis](net::Request&) { return readyz(*redis); });
  if (!config.bench_routes) return router;
  // A trivial JSON route: the baseline for server benchmarks.
  router->add(http::verb::get, "/api/ping", [](net::Request&) -> asio::awaitable<net::Response> {
    co_return net::json_response(http::status::ok, R"({"pong":true})");
  });
  // Accepts a JSON body and does nothing with it: the no-op route ingest benchmarks compare
  // the webhook against.
  router->add(http::verb::post, "/api/noop",
              [](net::Request&) -> asio::awaitable<net::Response> {
                co_return net::empty_response(http::status::no_content);
              },
              {.body_limit = 1 << 20,
               .content_types = {"application/json", "application/cloudevents+json",
                                 "application/cloudevents-batch+json"}});
  // The same, answered once Redis has answered a PING shared as the webhook shares its round
  // trips (ping_batch.hpp): the floor of any route that stores before it answers.
  auto pings = std::make_shared<PingBatch>(redis);
  router->add(http::verb::post, "/api/noop-redis",
              [pings](net::Request& req) { return noop_redis(*pings, req); },
              {.body_limit = 1 << 20,
               .content_types = {"application/json", "application/cloudevents+json",
                                 "application/cloudevents-batch+json"}});
  return router;
}

}  // namespace

Result<WebConfig> load_web_config(const Env& env, const WebOverrides& overrides) {
  EnvReader read(env);
  WebConfig config;
  config.org_actions = org_actions_config_from(read, env);
  config.batch = batch_routes_config_from(read, config.org_actions);
  const auto mode = config.org_actions.invocation.mode;
  // Behind the mesh the app listens where the mesh forwards to: 127.0.0.1:APP_PORT (3000).
  const bool behind_mesh = mode == applink::InvocationAuth::mesh;
  config.server.port = static_cast<uint16_t>(behind_mesh ? read.integer("APP_PORT", 3000, 1, 65535)
                                                         : read.integer("PORT", 8080, 0, 65535));
  config.server.address = read.string(
      "WEB_HOST", behind_mesh || mode == applink::InvocationAuth::dev ? "127.0.0.1" : "0.0.0.0");
  config.queue = jobs::queue_options_from(read);
  config.bench_routes = read.boolean("PRICING_BENCH_ROUTES", false);
  config.pages = pages::pages_config_from(read, config.queue);
  config.server.threads = static_cast<unsigned>(read.integer("WEB_THREADS", 0, 0, 256));
  config.server.access_log = read.boolean("WEB_ACCESS_LOG", true);
  config.redis = net::redis_config_from(read);
  // A delivery waits for Redis at most this long before its 503: Eventing retries sooner, and a
  // webhook that hangs while Redis restarts holds connections for nothing.
  if (!env.get("REDIS_TIMEOUT")) config.redis.command_timeout = kWebRedisTimeout;
  config.buffer = events::buffer_options_from(read);
  config.webhook = webhook_config_from(read);
  config.log_level = log::level_from(read);
  if (auto ok = read.finish(); !ok) return ok.error();
  if (overrides.port) config.server.port = *overrides.port;
  if (overrides.host) config.server.address = *overrides.host;
  if (mode == applink::InvocationAuth::mesh || mode == applink::InvocationAuth::dev) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(config.server.address, ec);
    if (ec || !address.is_loopback()) {
      return Error{Errc::invalid_argument,
                   "PRICING_INVOCATION_AUTH=" + std::string(applink::to_string(mode)) +
                       " takes invocation headers on trust: web must listen on a loopback "
                       "address (WEB_HOST=127.0.0.1), not " +
                       config.server.address};
    }
  }
  if (overrides.threads) config.server.threads = *overrides.threads;
  return config;
}

int run_web(const Env& env, const WebOverrides& overrides) {
  auto config = load_web_config(env, overrides);
  if (!config) {
    std::cerr << "pricing-engine web: " << config.error().message << "\n";
    return 2;
  }
  log::set_level(config->log_level);
  if (config->webhook.token.empty()) {
    log::Logger().warn("webhook_unauthenticated",
                       {{"hint", "set PRICING_WEBHOOK_TOKEN and give it to the publication"}});
  }
  Connections connections;
  auto engine_config = pricing::read_engine_config(env);
  auto engine = engine_config
                    ? pricing::make_engine(*engine_config)
                    : Result<std::unique_ptr<pricing::PricingEngine>>(engine_config.error());
  if (!engine) {
    std::cerr << "pricing-engine web: " << engine.error().message << "\n";
    return 2;
  }
  connections.engine = std::move(*engine);
  // The pages read the orgs of CONNECTION_NAMES through AppLink, whatever the invocation mode.
  auto page_applink = applink::AppLink::from_env(env);
  connections.pages.orgs = std::make_shared<pages::OrgDirectory>(
      page_applink ? std::optional<applink::AppLink>(std::move(*page_applink)) : std::nullopt,
      config->pages.connections);
  connections.pages.engine = connections.engine;
  if (!config->pages.auth.password) {
    log::Logger().info("pages_off", {{"hint", "set PRICING_UI_PASSWORD to serve the pages"}});
  }
  const auto mode = config->org_actions.invocation.mode;
  if (mode == applink::InvocationAuth::applink) {
    auto applink = applink::AppLink::from_env(env);
    if (!applink || applink->uses_integration_endpoint()) {
      std::cerr << "pricing-engine web: PRICING_INVOCATION_AUTH=applink needs "
                   "HEROKU_APPLINK_API_URL, HEROKU_APPLINK_TOKEN and HEROKU_APP_ID\n";
      return 2;
    }
    connections.applink = std::move(*applink);
  }
  if (mode == applink::InvocationAuth::dev) {
    log::Logger().warn(
        "invocations_unverified",
        {{"mode", "dev"}, {"hint", "invocation headers are taken as given: local work only"}});
  }
  log::Logger().info("org_actions", {{"invocation_auth", applink::to_string(mode)},
                                     {"async", config->org_actions.sealer.has_value()},
                                     {"discount_overrides", config->org_actions.discount_overrides},
                                     {"pricing", connections.engine->version()}});
  net::HttpServer server(config->server, [&](net::ThreadContext& thread) {
    return make_router(*config, thread, connections);
  });
  if (auto ok = server.listen(); !ok) {
    std::cerr << "pricing-engine web: " << ok.error().message << "\n";
    return 1;
  }
  int code = 0;
  try {
    server.run();
  } catch (const std::exception& e) {
    log::Logger().error("web_failed", {{"error", e.what()}});
    code = 1;
  }
  // Each connection's timers belong to its thread's io_context, which the server destroys: the
  // last references must go before the server does (Connections outlives it).
  for (auto& redis : connections.all) redis->stop();
  connections.all.clear();
  connections.keep.clear();
  return code;
}

}  // namespace pe::web
