// devorg_app.hpp: the `devorg` process role — the local org served over HTTP.
//
// One server thread per org owns everything of it (the SQLite store is one connection): the
// Salesforce REST API under /services/data/vNN.N (sObjects, describe, query, Composite,
// Collections, Bulk API 2.0, platform events), Heroku AppLink's authorization endpoint, the older
// Integration endpoint, the Eventing publish URL, and the local org's own /devorg/* endpoints (env,
// stats, faults, events, notifications, changes, invocations, callbacks). The routes live in
// rest_routes.cpp, applink_routes.cpp, invocation_routes.cpp and devorg_app.cpp; this header is
// what main() and tests need.
//
//   pricing-engine devorg --port 8111 --seed 200 --env-file .env.devorg
//   # prints HEROKU_APPLINK_API_URL=..., HEROKU_APPLINK_TOKEN=..., ... and serves until SIGTERM
//
// Several orgs at once: `--orgs sales=300,support=50,empty=0` serves one org per entry (name and
// seeded opportunities), each with its own store, org Id, users, sessions, faults, stats, jobs,
// server thread and port (the first on --port, the next on --port+1, ...; all OS-chosen with
// --port 0), so that its instance URL is its own. They share one AppLink add-on, served on the
// first org's port: its authorization endpoint answers for every name, as
// CONNECTION_NAMES=sales,support,empty says (org_state.hpp, how the threads keep apart).
//
// The Pub/Sub API: `--pubsub-port P` (plaintext) and/or `--pubsub-tls-port P` serve
// eventbus.v1.PubSub for every org (pubsub_server.hpp); the env adds PRICING_PUBSUB_ENDPOINT.
#pragma once

#include "common/config.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::devorg {

// One org of --orgs: its AppLink connection name and the opportunities seeded into it.
struct OrgSpec {
  std::string name;
  int opportunities = 0;
};

// "sales=300,support=50,empty=0" → the orgs in that order. Names are [A-Za-z][A-Za-z0-9_-]{0,39}
// and unique, also as the environment names they give (PRICING_DEVORG_URL_<NAME>: upper case,
// '-' as '_'); counts are whole numbers 0..1,000,000. Errc::invalid_argument naming the problem.
Result<std::vector<OrgSpec>> parse_org_specs(std::string_view text);
// The two characters an org's Ids carry as their instance (StoreOptions::instance): derived from
// the name, the same for the same name, never "00" (a single org's); distinct from `taken`.
std::string org_instance(std::string_view name, const std::vector<std::string>& taken);

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
  // --orgs "sales=300,support=50": several orgs (OrgSpec); empty: one, connection_name, seeded
  // with seed_opportunities. Each org's --db is FILE.<name>; its sample data is drawn with
  // seed_value + its position.
  std::string orgs;
  std::string fault_orgs;  // --fault-orgs a,b: the --fault-* flags apply to these (default all)
  // --app-url: the app POST /devorg/invocations calls ("url" in its body is a path on it).
  std::string app_url = "http://127.0.0.1:8080";
  // Injected faults from the start (also settable at run time with POST /devorg/faults).
  double fault_error_rate = 0;   // --fault-error-rate: share of API requests answered 500/503
  double fault_limit_rate = 0;   // --fault-limit-rate: share answered 429 REQUEST_LIMIT_EXCEEDED
  int64_t fault_latency_ms = 0;  // --fault-latency-ms: added before every API answer
  int64_t fault_bulk_rows_per_second =
      0;  // --fault-bulk-rows-per-second: Bulk ingest pace (0: none)
  // The Pub/Sub API (eventbus.v1.PubSub over gRPC, docs/devorg.md): -1 off, 0 any port.
  int pubsub_port = -1;          // --pubsub-port: plaintext
  int pubsub_tls_port = -1;      // --pubsub-tls-port: TLS, a self-signed certificate made at start
  std::string pubsub_cert_file;  // --pubsub-cert-file: that certificate, PEM
  int64_t pubsub_keepalive_ms = 270'000;      // --pubsub-keepalive-ms
  int64_t pubsub_idle_timeout_ms = 60'000;    // --pubsub-idle-timeout-ms
  int64_t pubsub_retention_ms = 259'200'000;  // --pubsub-retention-ms (72 h)
};

// Runs the local org until SIGTERM/SIGINT. Returns the process exit code.
int run_devorg(const DevorgOptions& options, const Env& env);

}  // namespace pe::devorg
