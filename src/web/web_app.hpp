// web_app.hpp: the `web` process role: configuration, routes, and the server that carries them.
//
// main() hands over to run_web(); each server thread gets its own Redis connection, transaction
// buffer, HTTP client and routes. Routes: POST /api/generatequotes (webhook.hpp), the org
// actions POST /api/generatequote, /api/generatequote/batch and /api/generatequote/async
// (org_actions.hpp), GET /api-docs.yaml (the OpenAPI document), GET /metrics (metrics.hpp),
// GET /readyz (200 when Redis answers a PING, else 503), GET /healthz, and, with
// PRICING_BENCH_ROUTES=1, the benchmark baselines GET /api/ping, POST /api/noop and
// POST /api/noop-redis (204 once Redis answered a PING, else 503). Thread 0 also flushes idle
// transactions every second. The role is thin: it wires modules, it holds no logic.
//
//   auto env = Env::from_process().value();
//   return pe::web::run_web(env, {.port = 9000});   // flags override the environment
#pragma once

#include "common/config.hpp"
#include "events/transaction_buffer.hpp"
#include "jobs/job_queue.hpp"
#include "net/http_server.hpp"
#include "net/redis_connection.hpp"
#include "pages/pages.hpp"
#include "web/batch_jobs.hpp"
#include "web/org_actions.hpp"
#include "web/webhook.hpp"

#include <optional>

namespace pe::web {

// Values given on the command line; they win over the environment.
struct WebOverrides {
  std::optional<std::string> host;
  std::optional<uint16_t> port;
  std::optional<unsigned> threads;
};

struct WebConfig {
  net::ServerConfig server;
  log::Level log_level = log::Level::info;
  net::RedisConfig redis;
  events::BufferOptions buffer;
  WebhookConfig webhook;
  jobs::QueueOptions queue;
  OrgActionsConfig org_actions;
  BatchRoutesConfig batch;
  pages::PagesConfig pages;  // the pages for people (src/pages/)
  // PRICING_BENCH_ROUTES: the benchmark baselines (/api/ping, /api/noop, /api/noop-redis) are
  // served only when it is set; a deployment does not expose them.
  bool bench_routes = false;
};

// Reads PORT (APP_PORT behind the AppLink mesh), WEB_HOST, WEB_THREADS, LOG_LEVEL,
// WEB_ACCESS_LOG, the Redis variables, the buffer's, the webhook's and the org actions' (see
// docs/config.md); reports every bad variable at once. Behind the mesh (PRICING_INVOCATION_AUTH=
// mesh) the server listens on 127.0.0.1:APP_PORT only, so nothing reaches it but through the
// mesh; in dev mode it must listen on a loopback address (default 127.0.0.1).
Result<WebConfig> load_web_config(const Env& env, const WebOverrides& overrides);

// Runs the web role until SIGTERM/SIGINT. Returns the process exit code.
int run_web(const Env& env, const WebOverrides& overrides);

}  // namespace pe::web
