// devorg_app.hpp: the `devorg` process role — the local org served over HTTP.
//
// One server thread owns everything (the SQLite store is one connection): the Salesforce REST
// API under /services/data/vNN.N (sObjects, describe, query, Composite, Collections, Bulk API
// 2.0, platform events), Heroku AppLink's authorization endpoint, the older Integration endpoint,
// the Eventing publish URL, and the local org's own /devorg/* endpoints (env, stats, faults,
// events, notifications, changes, invocations, callbacks). The routes live in rest_routes.cpp,
// applink_routes.cpp, invocation_routes.cpp and devorg_app.cpp; this header is what main() and
// tests need.
//
//   pricing-engine devorg --port 8111 --seed 200 --env-file .env.devorg
//   # prints HEROKU_APPLINK_API_URL=..., HEROKU_APPLINK_TOKEN=..., ... and serves until SIGTERM
#pragma once

#include "common/config.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pe::devorg {

struct DevorgOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8111;
  int seed_opportunities = 0;     // --seed N
  uint64_t seed_value = 1;        // --seed-value: which sample data
  std::string db_path;            // --db FILE; empty: in memory
  std::string env_file;           // --env-file FILE
  std::string webhook_url;        // --webhook URL: change events are delivered there
  std::string webhook_token;      // --webhook-token TOKEN
  int64_t token_ttl_seconds = 0;  // --token-ttl: access tokens expire after this long (0: never)
  std::string connection_name = "devorg";  // the AppLink connection it answers for
  // --app-url: the app POST /devorg/invocations calls ("url" in its body is a path on it).
  std::string app_url = "http://127.0.0.1:8080";
  // Injected faults from the start (also settable at run time with POST /devorg/faults).
  double fault_error_rate = 0;   // --fault-error-rate: share of API requests answered 500/503
  double fault_limit_rate = 0;   // --fault-limit-rate: share answered 429 REQUEST_LIMIT_EXCEEDED
  int64_t fault_latency_ms = 0;  // --fault-latency-ms: added before every API answer
};

// Runs the local org until SIGTERM/SIGINT. Returns the process exit code.
int run_devorg(const DevorgOptions& options, const Env& env);

}  // namespace pe::devorg
