// web_app.hpp: the `web` process role: configuration, routes, and the server that carries them.
//
// main() hands over to run_web(); each server thread gets its own Redis connection, transaction
// buffer and routes. Routes: POST /api/generatequotes (webhook.hpp), GET /metrics (metrics.hpp),
// GET /readyz (200 when Redis answers a PING, else 503), GET /healthz, and the benchmark
// baselines GET /api/ping, POST /api/noop and POST /api/noop-redis (204 once Redis answered a
// PING, else 503). Thread 0 also flushes idle transactions every second. The role is thin: it
// wires modules, it holds no logic.
//
//   auto env = Env::from_process().value();
//   return pe::web::run_web(env, {.port = 9000});   // flags override the environment
#pragma once

#include "common/config.hpp"
#include "events/transaction_buffer.hpp"
#include "net/http_server.hpp"
#include "net/redis_connection.hpp"
#include "web/webhook.hpp"

#include <optional>

namespace pe::web {

// Values given on the command line; they win over the environment.
struct WebOverrides {
  std::optional<uint16_t> port;
  std::optional<unsigned> threads;
};

struct WebConfig {
  net::ServerConfig server;
  log::Level log_level = log::Level::info;
  net::RedisConfig redis;
  events::BufferOptions buffer;
  WebhookConfig webhook;
};

// Reads PORT, WEB_THREADS, LOG_LEVEL, WEB_ACCESS_LOG, the Redis variables, the buffer's and the
// webhook's (see docs/config.md); reports every bad variable at once.
Result<WebConfig> load_web_config(const Env& env, const WebOverrides& overrides);

// Runs the web role until SIGTERM/SIGINT. Returns the process exit code.
int run_web(const Env& env, const WebOverrides& overrides);

}  // namespace pe::web
